# Sourced by scripts/start.sh and scripts/test.sh: picks the Python to install into, puts its
# bin/ first on PATH (so `jupyter` and the build find the same environment), and installs the
# system tools the project needs (chromium, node) through apt when they are missing.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1   # Playwright drives Debian's chromium; never download one
export PIP_DISABLE_PIP_VERSION_CHECK=1
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }

_apt_updated=""
apt_install() {  # apt_install PKG...: as root (or with sudo); returns non-zero if impossible
  local SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else return 1; fi
  fi
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ -z "$_apt_updated" ]; then
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update && _apt_updated=1
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# Python: $PYTHON if set; else python3 if pip may install into it (a venv, pyenv, conda, ...);
# else (Debian's own externally-managed python3) a project venv in .venv/.
pick_python() {
  if [ -n "${PYTHON:-}" ]; then :
  elif [ -x "$REPO_ROOT/.venv/bin/python" ]; then PYTHON="$REPO_ROOT/.venv/bin/python"
  else
    local py; py="$(command -v python3 || command -v python || true)"
    [ -n "$py" ] || { apt_install python3 python3-venv python3-pip || die "no python3 found"; py="$(command -v python3)"; }
    if "$py" -c 'import sys, sysconfig, os; sys.exit(0 if sys.prefix != sys.base_prefix or not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")) else 1)'; then
      PYTHON="$py"
    else
      say "system Python is externally managed: creating a virtual environment in .venv/"
      "$py" -m venv "$REPO_ROOT/.venv" || { apt_install python3-venv && "$py" -m venv "$REPO_ROOT/.venv"; } || die "could not create .venv"
      PYTHON="$REPO_ROOT/.venv/bin/python"
    fi
  fi
  PYTHON="$("$PYTHON" -c 'import sys; print(sys.executable)')"
  export PYTHON
  PATH="$(dirname "$PYTHON"):$PATH"; export PATH
  "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 10), "Python >= 3.10 is needed"' || die "Python >= 3.10 is needed ($PYTHON)"
}

ensure_node() {
  if ! command -v npm >/dev/null 2>&1; then
    say "installing node and npm (Debian packages)"
    apt_install nodejs npm || die "node and npm are needed to build the JupyterLab extension: install Node >= 18"
  fi
}

ensure_chromium() {  # for the browser tests; missing chromium => those tests fail under CI, skip locally
  if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
    say "installing chromium (Debian package) for the browser tests"
    apt_install chromium fonts-dejavu-core fonts-liberation \
      || echo "WARNING: could not install chromium; the browser tests will be skipped (or fail under CI)" >&2
  fi
}

# Install the package (editable: Python changes apply at once; JS changes need `npm run build` in
# js/, or a re-run of this). pip builds js/ into nncards_widget/labextension/ through
# hatch-jupyter-builder, which calls `jupyter labextension build`: JupyterLab must be there first.
install_package() {  # install_package EXTRA
  local extra="$1"
  if [ "${NNCARDS_SKIP_INSTALL:-}" = 1 ]; then say "NNCARDS_SKIP_INSTALL=1: not installing"; return; fi
  ensure_node
  say "installing nncards_widget[$extra] into $PYTHON"
  "$PYTHON" -c 'import jupyterlab' 2>/dev/null || "$PYTHON" -m pip install "jupyterlab>=4,<5"
  # A stale build in the tree would be kept by the build hook (skip-if-exists): rebuild it.
  rm -rf "$REPO_ROOT/nncards_widget/labextension"
  # An earlier install (maybe of another checkout) left its extension as a `develop` link;
  # pip cannot uninstall files through that link, so drop the link and the old install first.
  local linked
  linked="$("$PYTHON" -c 'import os, sys; print(os.path.join(sys.prefix, "share", "jupyter", "labextensions", "nncards-widget"))')"
  if [ -L "$linked" ]; then
    rm -f "$linked"
    "$PYTHON" -m pip uninstall -y nncards_widget >/dev/null 2>&1 || true
  fi
  "$PYTHON" -m pip install -e "$REPO_ROOT[$extra]"
  # pip copied the built extension into <prefix>/share/jupyter/labextensions; link it instead, so
  # that `npm run build` in js/ is picked up by JupyterLab without reinstalling.
  (cd "$REPO_ROOT" && "$PYTHON" -m jupyterlab.labextensions develop --overwrite . >/dev/null)
  check_labextension
}

check_labextension() {
  local out
  out="$(cd "$REPO_ROOT" && "$PYTHON" -m jupyterlab.labextensions list 2>&1)" || true
  if ! printf '%s\n' "$out" | grep -E 'nncards-widget .*enabled.*OK' >/dev/null; then
    printf '%s\n' "$out" >&2
    die "the nncards-widget JupyterLab extension is not installed, enabled and OK (see above)"
  fi
  printf '%s\n' "$out" | grep -E 'nncards-widget|jupyter-cytoscape|jupyterlab-manager' || true
}

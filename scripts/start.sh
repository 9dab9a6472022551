#!/usr/bin/env bash
# Install nncards_widget (with JupyterLab) and open the quickstart notebook in JupyterLab.
#
#   bash scripts/start.sh                   # then open the URL it prints (with its token)
#   bash scripts/start.sh --port=8890       # extra arguments go to `jupyter lab`
#   NNCARDS_NO_LAUNCH=1 bash scripts/start.sh   # install only
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
cd "$REPO_ROOT"

pick_python
install_package lab

[ "${NNCARDS_NO_LAUNCH:-}" = 1 ] && { say "installed; not launching (NNCARDS_NO_LAUNCH=1)"; exit 0; }

NOTEBOOK="notebooks/quickstart.ipynb"
[ -f "$NOTEBOOK" ] || NOTEBOOK="$(ls notebooks/*.ipynb 2>/dev/null | head -n1 || true)"
args=()
[ "$(id -u)" = 0 ] && args+=(--allow-root)   # JupyterLab refuses to run as root without it
[ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "$(uname)" = Linux ] && args+=(--no-browser)
say "starting JupyterLab on ${NOTEBOOK:-the notebooks/ folder} (Ctrl+C to stop)"
# Root dir = the repository; the URL JupyterLab prints (and opens) shows the notebook.
args+=("--ServerApp.root_dir=$REPO_ROOT")
[ -n "$NOTEBOOK" ] && args+=("--LabApp.default_url=/lab/tree/$NOTEBOOK")
exec "$PYTHON" -m jupyterlab "${args[@]}" "$@"

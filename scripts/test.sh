#!/usr/bin/env bash
# Run the whole test suite of nncards_widget: installs what it needs, runs the linters (ruff for
# Python, `npm run lint` in js/), the JS unit tests (npm test in js/) and pytest (Python tests,
# notebooks, and browser tests in a real JupyterLab with headless chromium). A lint failure stops
# the run before the tests.
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh -m "not browser" # pytest arguments are passed on
#   NNCARDS_SKIP_INSTALL=1 bash scripts/test.sh tests/e2e   # reuse the current install
#
# Screenshots and logs of the browser tests: tests/artifacts/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
cd "$REPO_ROOT"

pick_python
ensure_chromium
install_package test

js_has_script() {  # js_has_script NAME: js/package.json defines the npm script NAME
  [ -f js/package.json ] && node -e 'process.exit(require("./js/package.json").scripts?.[process.argv[1]] ? 0 : 1)' "$1"
}
js_install() {  # install js/node_modules when missing or older than package-lock.json
  if [ ! -d js/node_modules ] || [ js/package-lock.json -nt js/node_modules/.package-lock.json ]; then
    (cd js && if [ -f package-lock.json ]; then npm ci; else npm install; fi)
  fi
}

say "lint: ruff check (Python)"
"$PYTHON" -m ruff --version >/dev/null 2>&1 \
  || die "ruff is not installed in $PYTHON: install the test extras (pip install -e '.[test]')"
"$PYTHON" -m ruff check . || die "ruff found problems in the Python code (listed above); see CONTRIBUTING.md"

if js_has_script lint; then
  say "lint: npm run lint (TypeScript, in js/)"
  js_install
  (cd js && npm run lint) || die "npm run lint in js/ found problems (listed above); see CONTRIBUTING.md"
else
  say "no js/package.json lint script: no TypeScript lint to run"
fi

if js_has_script test; then
  say "JS unit tests (npm test in js/)"
  js_install
  (cd js && npm test) || die "the JS unit tests (npm test in js/) failed"
else
  say "no js/package.json test script: no JS unit tests to run"
fi

say "pytest $*"
rc=0
timeout --foreground --kill-after=60 "${NNCARDS_TEST_TIMEOUT:-4500}" \
  "$PYTHON" -m pytest "$@" || rc=$?
case "$rc" in
  0) say "all tests passed" ;;
  5) die "pytest collected no tests (exit code 5)" ;;
  124|137) die "pytest was stopped after ${NNCARDS_TEST_TIMEOUT:-4500}s (NNCARDS_TEST_TIMEOUT)" ;;
  *) die "pytest failed (exit code $rc); browser screenshots and the server log are in tests/artifacts/" ;;
esac

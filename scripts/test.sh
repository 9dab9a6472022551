#!/usr/bin/env bash
# Run the whole test suite of nncards_widget: installs what it needs, then runs the JS unit tests
# (npm test in js/) and pytest (Python tests, notebooks, and browser tests in a real JupyterLab
# with headless chromium).
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

if [ -f js/package.json ] && node -e 'process.exit(require("./js/package.json").scripts?.test ? 0 : 1)'; then
  say "JS unit tests (npm test in js/)"
  if [ ! -d js/node_modules ]; then
    (cd js && if [ -f package-lock.json ]; then npm ci; else npm install; fi)
  fi
  (cd js && npm test)
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

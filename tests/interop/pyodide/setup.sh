#!/usr/bin/env bash
# Installs what the Pyodide tests (tests/interop/test_pyodide.py) drive: from npm (package.json), pyodide (the
# runtime and its standard library), playwright-core (drives Chromium) and ws (a WebSocket for
# Node versions without a global one) into this folder's node_modules (gitignored); Debian's
# chromium when it is missing. Without node/npm it says so and exits 0: the tests then skip.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "tests/interop/pyodide/setup.sh: node/npm not found; the Pyodide tests will skip"
    exit 0
fi
npm install --prefix "$here" --no-audit --no-fund --loglevel=error
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
    else
        echo "no /usr/bin/chromium: install Debian's chromium for the browser tests" >&2
    fi
fi
node -e 'console.log("pyodide", require(process.argv[1]).version)' \
    "$here/node_modules/pyodide/package.json"

#!/usr/bin/env bash
# Installs the npm packages the JavaScript interop tests drive (zeromq.js 6: libzmq 4.3.5 built
# with the draft API, prebuilt) into a cache directory the tests find by the same rule:
# $PUREZMQ_JS_CACHE, else ~/.cache/purezmq/js. Without node/npm it says so and exits 0: the
# tests then skip with that reason.
set -euo pipefail
dir="${PUREZMQ_JS_CACHE:-$HOME/.cache/purezmq/js}"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "tests/interop/js/setup.sh: node/npm not found; the JavaScript interop tests will skip"
    exit 0
fi
mkdir -p "$dir"
if [ ! -f "$dir/package.json" ]; then
    printf '{"name": "purezmq-js-interop", "private": true}\n' > "$dir/package.json"
fi
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error zeromq@6
node -e 'const z = require(process.argv[1]); if (!z.capability.draft) process.exit(3);
console.log("zeromq.js", z.version, "draft", z.capability.draft)' "$dir/node_modules/zeromq"

#!/usr/bin/env bash
# Installs what the browser-module tests drive: Debian's chromium (headless), and from npm
# playwright-core (to steer it), jszmq (a second ZWS 2.0 implementation), typescript (to
# check zmq.d.ts) and ws (the WebSocket Node 20 users pass in). The npm packages go into a cache
# directory the tests find by the same rule: $PUREZMQ_BROWSER_CACHE, else
# ~/.cache/purezmq/browser. Without node/npm or chromium it says so and exits 0: those tests
# then skip with that reason.
set -euo pipefail
dir="${PUREZMQ_BROWSER_CACHE:-$HOME/.cache/purezmq/browser}"
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "tests/interop/browser/setup.sh: no chromium (apt-get install chromium); the page tests will skip"
    fi
fi
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "tests/interop/browser/setup.sh: node/npm not found; the browser and jszmq tests will skip"
    exit 0
fi
mkdir -p "$dir"
if [ ! -f "$dir/package.json" ]; then
    printf '{"name": "purezmq-browser-interop", "private": true}\n' > "$dir/package.json"
fi
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error playwright-core@1 jszmq ws@8 typescript@5
node -e 'for (const m of ["playwright-core", "jszmq", "ws", "typescript"]) require(require.resolve(m, {paths: [process.argv[1]]}));
console.log("browser tier ready:", process.argv[1])' "$dir"
command -v chromium >/dev/null && chromium --version || true

#!/usr/bin/env bash
# Build a venv whose pyzmq is compiled against the system libzmq (Debian's 4.3.4, built with
# ws:// support, which the pyzmq wheel's bundled libzmq lacks). Idempotent: an existing venv
# whose pyzmq already reports ws support is left alone.
#
#   tests/interop/libzmq434/setup.sh [VENV_DIR]      (default /tmp/venv-libzmq434)
#
# The ws interop tests find the venv through PUREZMQ_LIBZMQ434_VENV (default the same path).
set -euo pipefail
venv="${1:-${PUREZMQ_LIBZMQ434_VENV:-/tmp/venv-libzmq434}}"
probe='import zmq, sys; sys.exit(0 if zmq.has("WS") and zmq.zmq_version().startswith("4.3.4") else 1)'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$probe" 2>/dev/null; then
    echo "libzmq434 venv ready: $venv"
    exit 0
fi
if ! pkg-config --exists libzmq 2>/dev/null && [ ! -e /usr/include/zmq.h ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev
    else
        echo "libzmq headers missing: install libzmq3-dev (Debian 12 ships libzmq 4.3.4)" >&2
        exit 1
    fi
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
PYZMQ_NO_BUNDLE=1 "$venv/bin/pip" install -q --no-binary pyzmq pyzmq
"$venv/bin/python" -c "$probe"
echo "libzmq434 venv ready: $venv"

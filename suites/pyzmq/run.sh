#!/usr/bin/env bash
# Run pyzmq's test suite against purezmq; see run.py (--help) for the options.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"

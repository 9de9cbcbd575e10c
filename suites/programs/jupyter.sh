#!/usr/bin/env bash
# jupyter_client 8.10.0 + ipykernel 7.4.0: jupyter_kernel_check.py starts a kernel (a child
# process: zmq must be purezmq there too) and uses shell, iopub, stdin, control and heartbeat
# with the blocking client, then the asyncio client.
PROGRAM=jupyter
source "$(dirname "$0")/lib.sh"

install() {
    install_venv "jupyter_client==8.10.0" "ipykernel==7.4.0"
}

scenario() {
    zmq_env
    local log="$RUN/check.log"
    (cd "$RUN" && bounded 240 "${ZMQ_RUN[@]}" python "$SUITE/jupyter_kernel_check.py" \
        >"$log" 2>&1) || true
    grep -E '^(PASS|FAIL) ' "$log" | sed 's/^/    /' >&2 || true
    if ! grep -qE '^[0-9]+ passed, 0 failed$' "$log"; then
        grep -vE '^(PASS|FAIL) ' "$log" | tail -n 40 | sed 's/^/    | /' >&2 || true
    fi
    PASSED="$(grep -c '^PASS ' "$log" || true)"
    FAILED="$(grep -c '^FAIL ' "$log" || true)"
    grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$log" || FAILED=$((FAILED + 1))
    check_zmq_log || FAILED=$((FAILED + 1))
    result "$PASSED" "$FAILED"
    [ "$FAILED" = 0 ]
}

main "$@"

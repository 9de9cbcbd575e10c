#!/usr/bin/env bash
# circus 0.19.0: circusd (zmq.eventloop ioloop/zmqstream on tornado) with a two-process dummy
# watcher and circusd-stats (statsd = True); circusctl (a blocking zmq client) asks status,
# list, stops the watcher, quits; a SUB reads circusd-stats' publications.
PROGRAM=circus
source "$(dirname "$0")/lib.sh"

install() {
    install_venv "circus==0.19.0"
}

scenario() {
    zmq_env
    local ports endpoint pubsub stats
    read -r -a ports <<<"$(free_ports 3)"
    endpoint="tcp://127.0.0.1:${ports[0]}"
    pubsub="tcp://127.0.0.1:${ports[1]}"
    stats="tcp://127.0.0.1:${ports[2]}"
    cat >"$RUN/circus.ini" <<INI
[circus]
endpoint = $endpoint
pubsub_endpoint = $pubsub
stats_endpoint = $stats
statsd = True
check_delay = 5

[watcher:dummy]
cmd = sleep 600
numprocesses = 2
INI
    spawn circusd 120 "${ZMQ_RUN[@]}" circusd --log-level debug "$RUN/circus.ini"
    local ctl=(bounded 20 "${ZMQ_RUN[@]}" circusctl --endpoint "$endpoint" --timeout 5)

    local circusd=$SPAWNED
    check "circusd answers; circusctl status shows dummy active" \
        wait_for 30 alive_and "$circusd" contains 'dummy: active' "${ctl[@]}" status
    if ! kill -0 "$circusd" 2>/dev/null; then
        say "circusd exited; the other 6 steps fail"
        FAILED=$((FAILED + 6))
        show_log circusd 40
        check_zmq_log || FAILED=$((FAILED + 1))
        result "$PASSED" "$FAILED"
        return 1
    fi
    check "circusctl list has the dummy watcher" contains 'dummy' "${ctl[@]}" list
    check "circusctl numprocesses dummy is 2" contains '^2$' "${ctl[@]}" numprocesses dummy
    check "circusd-stats publishes on the stats endpoint" \
        bounded 40 "${ZMQ_RUN[@]}" python "$SUITE/circus_stats_sub.py" "$stats"
    check "circusctl stop dummy" contains 'ok' "${ctl[@]}" stop dummy
    check "circusctl status shows dummy stopped" contains 'dummy: stopped' "${ctl[@]}" status
    check "circusctl quit ends circusd" quit_circusd "${ctl[@]}"
    if [ "$FAILED" != 0 ]; then show_log circusd 40; fi
    check_zmq_log || FAILED=$((FAILED + 1))
    result "$PASSED" "$FAILED"
    [ "$FAILED" = 0 ]
}

quit_circusd() {
    "$@" quit || return 1
    local pid
    pid="$(head -n 1 "$RUN/pids")"
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    echo "circusd still running 20 s after quit"
    return 1
}

main "$@"

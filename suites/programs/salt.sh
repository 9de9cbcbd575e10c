#!/usr/bin/env bash
# salt 3007.8 (ZeroMQ transport: zmq.asyncio, zmq.eventloop.future/zmqstream, a zmq.device
# between ROUTER and DEALER): a salt-master and a salt-minion on 127.0.0.1 with non-default
# ports, keys accepted automatically; `salt '*' test.ping` must answer True.
PROGRAM=salt
source "$(dirname "$0")/lib.sh"

install() {
    install_venv "salt==3007.8" -r "$SUITE/salt-requirements.txt"
}

scenario() {
    zmq_env
    local ports conf="$RUN/conf"
    read -r -a ports <<<"$(free_ports 2)"
    mkdir -p "$conf" "$RUN/root"
    local common
    common="root_dir: $RUN/root
user: $(id -un)
log_level_logfile: debug"
    cat >"$conf/master" <<CONF
$common
interface: 127.0.0.1
publish_port: ${ports[0]}
ret_port: ${ports[1]}
auto_accept: True
worker_threads: 2
CONF
    cat >"$conf/minion" <<CONF
$common
id: purezmq-minion
master: 127.0.0.1
master_port: ${ports[1]}
publish_port: ${ports[0]}
acceptance_wait_time: 1
CONF
    spawn master 150 "${ZMQ_RUN[@]}" salt-master -c "$conf" -l info
    local master=$SPAWNED
    spawn minion 150 "${ZMQ_RUN[@]}" salt-minion -c "$conf" -l info
    local minion=$SPAWNED
    local salt=(bounded 30 "${ZMQ_RUN[@]}" salt -c "$conf" --timeout 10)
    check "the master accepted the minion's key" \
        wait_for 60 alive_and "$master" \
        contains 'purezmq-minion' bounded 20 "${ZMQ_RUN[@]}" salt-key -c "$conf" -l accepted
    check "salt '*' test.ping answers True" \
        wait_for 60 alive_and "$minion" contains 'True' "${salt[@]}" '*' test.ping
    check "salt purezmq-minion test.echo returns its argument" \
        contains 'hello-purezmq' "${salt[@]}" purezmq-minion test.echo hello-purezmq
    if [ "$FAILED" != 0 ]; then
        show_log master 30
        show_log minion 30
        local f
        for f in "$RUN"/root/var/log/salt/*; do
            [ -f "$f" ] || continue
            say "--- errors in $f"
            grep -E 'ERROR|CRITICAL|Traceback|Error' "$f" | tail -n 15 | sed 's/^/    /' >&2 || true
        done
    fi
    cleanup_spawned
    check_zmq_log || FAILED=$((FAILED + 1))
    result "$PASSED" "$FAILED"
    [ "$FAILED" = 0 ]
}

main "$@"

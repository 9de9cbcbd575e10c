#!/usr/bin/env bash
# pyre 0.3.5 (ZRE: UDP beacons, a ROUTER per node, DEALERs to peers, actors on PAIR pipes),
# from PyPI as colmena-zeromq-pyre (the PyPI name `pyre` is another project): its own test
# suite from the sdist, then two nodes in two network namespaces joined by a veth pair that
# discover each other, JOIN a group, SHOUT, WHISPER both ways and see EXIT (pyre_node.py), and
# `purezmq beacon` hears a pyre node's UDP beacons (czmq zbeacon's wire format).
# The namespace step needs root and `ip`; without them it is reported as skipped.
PROGRAM=pyre
source "$(dirname "$0")/lib.sh"
PYRE_VERSION=0.3.5

install() {
    install_venv "colmena-zeromq-pyre==$PYRE_VERSION" "pytest==8.3.4" "pytest-timeout==2.3.1"
    rm -rf "$WORK/sdist" && mkdir -p "$WORK/sdist"
    "$VENV/bin/pip" download -q --no-deps --no-binary :all: -d "$WORK/sdist" \
        "colmena-zeromq-pyre==$PYRE_VERSION" >>"$WORK/install.log" 2>&1
    tar -xzf "$WORK/sdist"/colmena_zeromq_pyre-*.tar.gz -C "$WORK/sdist"
}

# Two namespaces, pzpyre-a-$$ and pzpyre-b-$$, with 10.200.77.1/24 and 10.200.77.2/24 on the
# two ends of a veth pair: a private broadcast domain in which pyre picks the veth (it skips
# loopback interfaces), so the nodes find each other only by the beacons crossing the link.
NS_A="pzpyre-a-$$"
NS_B="pzpyre-b-$$"
netns_up() {
    ip netns add "$NS_A" && ip netns add "$NS_B" &&
        ip link add "pzva$$" netns "$NS_A" type veth peer name "pzvb$$" netns "$NS_B" &&
        ip -n "$NS_A" addr add 10.200.77.1/24 broadcast 10.200.77.255 dev "pzva$$" &&
        ip -n "$NS_B" addr add 10.200.77.2/24 broadcast 10.200.77.255 dev "pzvb$$" &&
        ip -n "$NS_A" link set lo up && ip -n "$NS_B" link set lo up &&
        ip -n "$NS_A" link set "pzva$$" up && ip -n "$NS_B" link set "pzvb$$" up
}
netns_down() {
    # Deleting a namespace deletes the veth end inside it, and with it the peer end.
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
}

two_nodes() {
    local group="purezmq-$$"
    spawn node-second 60 ip netns exec "$NS_B" "${ZMQ_RUN[@]}" "$VENV/bin/python" -u \
        "$SUITE/pyre_node.py" second "$group"
    local second=$SPAWNED
    local rc=0
    bounded 60 ip netns exec "$NS_A" "${ZMQ_RUN[@]}" "$VENV/bin/python" -u \
        "$SUITE/pyre_node.py" first "$group" >"$RUN/node-first.log" 2>&1 || rc=$?
    # The first node returns once it saw the second one's EXIT, so the second is done too.
    wait_for 20 alive_and_done "$second" || true
    cat "$RUN/node-first.log"
    echo "--- second node"
    cat "$RUN/node-second.log"
    [ "$rc" = 0 ] && grep -q "^ok: stopped" "$RUN/node-second.log" &&
        grep -q "^ok: EXIT" "$RUN/node-first.log"
}
alive_and_done() { ! kill -0 "$1" 2>/dev/null; }

# `purezmq beacon` (purezmq.beacon, blocking and asyncio) hears a pyre node's ZRE beacons
# across the veth: "ZRE", version 1, the node's 16-byte UUID, its ROUTER port (big-endian).
hears_pyre_beacons() {
    spawn node-beacon 40 ip netns exec "$NS_A" "${ZMQ_RUN[@]}" "$VENV/bin/python" -u \
        "$SUITE/pyre_node.py" beacon 30
    local api out
    for api in "" --asyncio; do
        out="$(bounded 30 ip netns exec "$NS_B" "$VENV/bin/purezmq" beacon $api --port 5670 \
            --interface "pzvb$$" --subscribe ZRE --count 2 --timeout 20 --hex)" || return 1
        echo "purezmq beacon $api: $out"
        [ "$(grep -cE '^10\.200\.77\.1 5a524501[0-9a-f]{36}$' <<<"$out")" = 2 ] || return 1
    done
}

scenario() {
    zmq_env
    local tests
    tests="$(echo "$WORK/sdist"/colmena_zeromq_pyre-*/tests)"
    local log="$RUN/pytest.log"
    # test_network_disconnect.py drives NetworkManager (nmcli) and returns at once without a
    # DEVICE to take down: it passes without testing anything, here as with libzmq.
    (cd "$RUN" && bounded 300 "${ZMQ_RUN[@]}" "$VENV/bin/python" -m pytest -q \
        -p no:cacheprovider --timeout 60 -rfE "$tests" >"$log" 2>&1) || true
    tail -n 15 "$log" >&2
    pytest_counts "$log"
    if [ "$(id -u)" = 0 ] && command -v ip >/dev/null; then
        trap 'cleanup_spawned; netns_down' EXIT
        if netns_up; then
            check "two nodes in two network namespaces: ENTER, JOIN, SHOUT, WHISPER, EXIT" two_nodes
            check "purezmq beacon hears a pyre node's beacons across the namespaces" \
                hears_pyre_beacons
            # Processes first: a namespace outlives its name while something runs in it.
            cleanup_spawned
        else
            FAILED=$((FAILED + 1))
            say "FAILED: could not create the network namespaces"
        fi
        netns_down
    else
        say "skipped: the two-namespace scenario (needs root and iproute2's ip)"
    fi
    check_zmq_log || FAILED=$((FAILED + 1))
    result "$PASSED" "$FAILED"
    [ "$FAILED" = 0 ]
}

main "$@"

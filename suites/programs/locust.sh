#!/usr/bin/env bash
# locust 2.47.0 (gevent, zmq.green): a headless master and two workers load a local HTTP server
# for 5 s; the master's CSV must hold requests from both workers.
PROGRAM=locust
source "$(dirname "$0")/lib.sh"

install() {
    install_venv "locust==2.47.0"
}

scenario() {
    zmq_env
    local ports http master_port
    read -r -a ports <<<"$(free_ports 2)"
    http="${ports[0]}"
    master_port="${ports[1]}"
    mkdir -p "$RUN/www" && echo hello >"$RUN/www/index.html"
    spawn http 90 python -m http.server "$http" --bind 127.0.0.1 --directory "$RUN/www"
    cp "$SUITE/locustfile.py" "$RUN/locustfile.py"
    cd "$RUN"
    local worker=("${ZMQ_RUN[@]}" locust -f locustfile.py --worker
        --master-host 127.0.0.1 --master-port "$master_port")
    spawn worker1 90 "${worker[@]}"
    spawn worker2 90 "${worker[@]}"
    check "master ran 5 s with 2 workers and exited 0" \
        bounded 75 "${ZMQ_RUN[@]}" locust -f locustfile.py --master --headless \
        --master-bind-host 127.0.0.1 --master-bind-port "$master_port" \
        --expect-workers 2 --expect-workers-max-wait 30 -u 2 -r 2 -t 5s \
        -H "http://127.0.0.1:$http" --csv "$RUN/stats" --only-summary
    check "the master's stats hold requests from both workers" two_workers_in_csv
    if [ "$FAILED" != 0 ]; then show_log worker1; fi
    cleanup_spawned
    check_zmq_log || FAILED=$((FAILED + 1))
    result "$PASSED" "$FAILED"
    [ "$FAILED" = 0 ]
}

two_workers_in_csv() {
    python - "$RUN/stats_stats.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
workers = {r["Name"]: int(r["Request Count"]) for r in rows if r["Name"].startswith("worker-")}
print(workers)
sys.exit(0 if len(workers) == 2 and all(workers.values()) else 1)
PY
}

main "$@"

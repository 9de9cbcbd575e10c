# Shared by the program scripts: sourced, not run. Each script defines PROGRAM and calls
# `main "$@"` at its end; see README.md for the layout and the variables.
set -euo pipefail

SUITE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The purezmq checkout under test: this one, or PUREZMQ_CHECKOUT (e.g. a merge of branches).
REPO="${PUREZMQ_CHECKOUT:-$(cd "$SUITE/../.." && pwd)}"
PYTHON="${PYTHON:-python3}"
WORK_ROOT="${PROGRAMS_DIR:-${TMPDIR:-/tmp}/purezmq-programs}"
# BASELINE=1 runs the same scenario on the real pyzmq (no `purezmq run`, no guard): what the program
# does with libzmq, to tell a program's own failures from purezmq's.
BASELINE="${BASELINE:-0}"

setup_paths() {
    WORK="$WORK_ROOT/$PROGRAM"
    VENV="$WORK/venv"
    RUN="$WORK/run"
    ZMQ_LOG="$RUN/zmq-imports.log"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
}

say() { echo "[$PROGRAM] $*" >&2; }

# Installs into the venv: purezmq from this checkout (editable), then the program's pins.
install_venv() {
    mkdir -p "$WORK"
    [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
    local log="$WORK/install.log"
    say "installing ${*} (log: $log)"
    if ! "$VENV/bin/pip" install -e "$REPO" "$@" >"$log" 2>&1; then
        grep -v "^WARNING: Location" "$log" | tail -n 30 >&2
        return 1
    fi
    # Every interpreter of this venv runs the guard (see zmq_guard.py).
    local site
    site="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    cp "$SUITE/zmq_guard.py" "$site/_purezmq_programs_guard.py"
    echo "import _purezmq_programs_guard" >"$site/_purezmq_programs_guard.pth"
}

# Environment so that `import zmq` is purezmq in this process and its children: commands run
# under `purezmq run --` (ZMQ_RUN), which puts purezmq's sitecustomize first on PYTHONPATH.
zmq_env() {
    rm -rf "$RUN"
    mkdir -p "$RUN"
    export PATH="$VENV/bin:$PATH"
    unset PYTHONHOME
    ZMQ_RUN=()
    if [ "$BASELINE" = 1 ]; then
        unset PUREZMQ_PROGRAMS_LOG
        return
    fi
    export PUREZMQ_PROGRAMS_LOG="$ZMQ_LOG"
    : >"$ZMQ_LOG"
    ZMQ_RUN=("$VENV/bin/purezmq" run --)
    # Fail loudly before the scenario if zmq does not resolve to purezmq.
    local where
    where="$("${ZMQ_RUN[@]}" "$VENV/bin/python" -c 'import zmq; print(zmq.__file__)')"
    case "$where" in
        */purezmq/*) say "zmq is $where" ;;
        *) say "FATAL: zmq resolves to $where, not purezmq"; exit 3 ;;
    esac
}

# After the scenario: every process that imported zmq used purezmq, none touched pyzmq.
# Prints the problem and returns 1 otherwise.
check_zmq_log() {
    [ "$BASELINE" = 1 ] && return 0
    if grep -E '^(PYZMQ|BAD) ' "$ZMQ_LOG" >&2; then
        say "FATAL: the real pyzmq was loaded (above)"
        return 1
    fi
    local n
    n="$(grep -c '^OK ' "$ZMQ_LOG" || true)"
    say "$n process(es) exited reporting zmq = purezmq"
}

# Runs a command with a time limit; SIGTERM then SIGKILL 10 s later.
bounded() {
    local seconds="$1"
    shift
    timeout -k 10 "$seconds" "$@"
}

# The one-line result the driver collects: "NAME: P passed, F failed".
result() {
    echo "$PROGRAM: $1 passed, $2 failed"
}

# Reads pytest's closing line from a log: sets PASSED and FAILED (failed + errors).
pytest_counts() {
    local line
    line="$(grep -E '^=* ?[0-9]+ (passed|failed|errors?|skipped|deselected).* in [0-9.]+s' "$1" | tail -n 1 || true)"
    PASSED="$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)"
    local f e
    f="$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)"
    e="$(grep -oE '[0-9]+ errors?' <<<"$line" | grep -oE '[0-9]+' || echo 0)"
    FAILED=$((f + e))
    if [ -z "$line" ]; then FAILED=$((FAILED + 1)); fi
}

# Kills the process groups started with `spawn` (their ids are in $RUN/pids).
cleanup_spawned() {
    [ -f "$RUN/pids" ] || return 0
    local pid
    while read -r pid; do
        kill -TERM -- "-$pid" 2>/dev/null || true
    done <"$RUN/pids"
    sleep 1
    while read -r pid; do
        kill -KILL -- "-$pid" 2>/dev/null || true
    done <"$RUN/pids"
    rm -f "$RUN/pids"
}

# spawn LOGNAME SECONDS CMD...: starts CMD in the background in its own process group, killed
# after SECONDS, output to $RUN/LOGNAME.log; its pid is in SPAWNED.
spawn() {
    local name="$1" seconds="$2"
    shift 2
    setsid timeout -k 5 "$seconds" "$@" >"$RUN/$name.log" 2>&1 &
    SPAWNED=$!
    disown "$SPAWNED"
    echo "$SPAWNED" >>"$RUN/pids"
}

# alive_and PID CMD...: CMD, but first exits 255 when process PID is gone (wait_for gives up).
alive_and() {
    kill -0 "$1" 2>/dev/null || return 255
    shift
    "$@"
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s until it succeeds or time runs out.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    local rc
    while true; do
        rc=0
        "$@" >/dev/null 2>&1 || rc=$?
        if [ "$rc" = 0 ]; then return 0; fi
        if [ "$rc" = 255 ] || [ "$SECONDS" -ge "$deadline" ]; then
            "$@" 2>&1 | tail -n 20 || true
            return 1
        fi
        sleep 0.2
    done
}

main() {
    setup_paths
    local step="${1:-all}"
    case "$step" in
        install) install ;;
        run) trap cleanup_spawned EXIT; scenario ;;
        all) install; trap cleanup_spawned EXIT; scenario ;;
        *) echo "usage: $0 [install|run|all]" >&2; exit 2 ;;
    esac
}

# Scenario steps: `check DESCRIPTION CMD...` runs CMD (bounded by its own means), counts it
# as passed or failed, and shows the output of a failed step.
PASSED=0
FAILED=0
check() {
    local what="$1"
    shift
    local out
    if out="$("$@" 2>&1)"; then
        PASSED=$((PASSED + 1))
        say "ok: $what"
    else
        FAILED=$((FAILED + 1))
        say "FAILED: $what"
        tail -n 30 <<<"$out" | sed 's/^/    /' >&2
    fi
}

# contains PATTERN CMD...: CMD succeeds and its output matches the extended regex PATTERN.
contains() {
    local pattern="$1"
    shift
    local out
    out="$("$@" 2>&1)" || { echo "$out"; return 1; }
    echo "$out"
    grep -qE "$pattern" <<<"$out"
}

# free_ports N: N TCP ports on 127.0.0.1 that were free a moment ago.
free_ports() {
    "$PYTHON" - "$1" <<'PY'
import socket, sys
held = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    held.append(s)
print(" ".join(str(s.getsockname()[1]) for s in held))
PY
}

# show_log NAME: the tail of a spawned process's log, on stderr.
show_log() {
    say "--- tail of $1.log"
    tail -n "${2:-25}" "$RUN/$1.log" | sed 's/^/    /' >&2
}

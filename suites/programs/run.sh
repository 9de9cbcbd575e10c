#!/usr/bin/env bash
# Real programs, unchanged, on purezmq. Usage: suites/programs/run.sh [NAME...]
# (default: all). Installs every program's venv in parallel, then runs the scenarios one
# after the other and prints one line per program, then the total. Exits 1 when one failed.
# PROGRAMS_DIR (default $TMPDIR/purezmq-programs) holds the venvs and the logs of each run;
# BASELINE=1 runs the same scenarios on the real pyzmq instead (see README.md).
set -uo pipefail
SUITE="$(cd "$(dirname "$0")" && pwd)"
ALL=(zerorpc circus locust aiozmq salt jupyter)
NAMES=("$@")
[ "${#NAMES[@]}" = 0 ] && NAMES=("${ALL[@]}")
for name in "${NAMES[@]}"; do
    [ -x "$SUITE/$name.sh" ] || { echo "unknown program: $name (have: ${ALL[*]})" >&2; exit 2; }
done

declare -A install_rc install_pid
start=$SECONDS
for name in "${NAMES[@]}"; do
    "$SUITE/$name.sh" install &
    install_pid[$name]=$!
done
for name in "${NAMES[@]}"; do
    wait "${install_pid[$name]}"
    install_rc[$name]=$?
done
echo "installs: $((SECONDS - start)) s" >&2

lines=()
failed_programs=0
for name in "${NAMES[@]}"; do
    if [ "${install_rc[$name]}" != 0 ]; then
        lines+=("$name: 0 passed, 1 failed (install failed)")
        failed_programs=$((failed_programs + 1))
        continue
    fi
    t0=$SECONDS
    out="$(timeout -k 10 420 "$SUITE/$name.sh" run 2>&2)"
    rc=$?
    line="$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" <<<"$out" | tail -n 1)"
    [ -n "$line" ] || line="$name: 0 passed, 1 failed (no result, exit $rc)"
    lines+=("$line  [$((SECONDS - t0)) s]")
    [ "$rc" = 0 ] || failed_programs=$((failed_programs + 1))
done

echo
printf '%s\n' "${lines[@]}"
echo "total time: $((SECONDS - start)) s"
echo "programs: $((${#NAMES[@]} - failed_programs)) passed, $failed_programs failed"
[ "$failed_programs" = 0 ]

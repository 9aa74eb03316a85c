#!/usr/bin/env bash
# A gpu_sizes.sh run longer than one 10-minute device call (brian2cuda's COBAHH
# at 1e6 neurons had not created its 1e9 synapses after 20 minutes). A process
# started in one call keeps running into the next while the machine stays warm
# (calls less than 30 s apart, at most 30 minutes held), so:
#   call 1:  source .gpu/env.sh && CONFIGS=... bash benchmarks/gpu_detached.sh start
#            (then anything else; end the call with `... wait 585`)
#   call 2+: bash benchmarks/gpu_detached.sh wait 585
# `start` copies the repository and the kit's site-packages to /tmp/detached, so
# that later calls (which copy the working tree again and may reinstall the kit)
# do not change files under the running process. `wait SECONDS` waits until the
# run ends or SECONDS pass (in call 1: `wait $((585 - SECONDS))`), prints the log's
# tail and copies the results so far to $OUT. The environment of `start` is
# that of gpu_sizes.sh (BUDGET_S, CONFIGS, BACKENDS, TIMEOUT_S, ...).
set -u
ROOT=/tmp/detached
case "${1:-}" in
start)
    cd "$(dirname "${BASH_SOURCE[0]}")/.."
    rm -rf "$ROOT" && mkdir -p "$ROOT/out"
    git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | (mkdir "$ROOT/repo" && tar -xf - -C "$ROOT/repo")
    cp -a /tmp/site "$ROOT/site"
    (cd "$ROOT/repo" && PYTHONPATH="$ROOT/site:$ROOT/repo" OUT="$ROOT/out" \
        setsid nohup bash benchmarks/gpu_sizes.sh > "$ROOT/log" 2>&1 < /dev/null &
    )
    echo "started gpu_sizes.sh in $ROOT"
    ;;
wait)
    # A later call does not see the processes of the call that started the run
    # (kill -0 fails there although it runs on), so the log's last line tells.
    until_s=${2:-585}
    done_line="== gpu_sizes done"
    until grep -q "$done_line" "$ROOT/log" || (( SECONDS >= until_s - 5 )); do sleep 5; done
    grep -q "$done_line" "$ROOT/log" && echo "== finished" || echo "== still running"
    tail -n 30 "$ROOT/log"
    mkdir -p "${OUT:-/tmp/detached-copy}" && cp -r "$ROOT/out/." "$ROOT/log" "${OUT:-/tmp/detached-copy}/"
    ;;
*)
    echo "usage: $0 start | wait SECONDS" >&2; exit 2 ;;
esac

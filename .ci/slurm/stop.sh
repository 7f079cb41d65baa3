#!/usr/bin/env bash
# Stop the cluster started by .ci/slurm/start.sh (slurmd, slurmctld, munged), by their pid files.
# Keeps $ATTNLAB_SLURM_DIR (logs, munge key); pass --clean to delete it too.
set -uo pipefail

D=${ATTNLAB_SLURM_DIR:-/tmp/attnlab-slurm}
if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then
    exec sudo -n -E "$0" "$@"
fi

stop() {  # stop NAME PIDFILE: TERM, wait up to 10 s, then KILL
    local name=$1 pidfile=$2 pid
    [[ -s $pidfile ]] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null
            echo "stop.sh: $name ($pid) killed" >&2
        else
            echo "stop.sh: $name ($pid) stopped" >&2
        fi
    fi
    rm -f "$pidfile"
}

stop slurmd "$D/run/slurmd.pid"
stop slurmctld "$D/run/slurmctld.pid"
stop munged "$D/run/munged.pid"
if [[ ${1:-} == --clean ]]; then
    rm -rf "$D"
fi
exit 0

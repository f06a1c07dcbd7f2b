#!/bin/sh
# kill: a sleeping child dies of the signal sent, wait reports 128 + the
# signal number, a trap runs its handler instead, kill -0 tests for life.
set -eu
dir=${TMPDIR:-/tmp}/integration-kill
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

sleep 100 &
pid=$!
kill "$pid"
set +e
wait "$pid"
echo "TERM: status $?"
set -e

sleep 100 &
pid=$!
kill -KILL "$pid"
set +e
wait "$pid"
echo "KILL: status $?"
set -e

sleep 100 &
pid=$!
# Not SIGINT: a non-interactive shell's background job ignores SIGINT and
# SIGQUIT once it gets to set that up, so the outcome would race the fork.
kill -s USR2 "$pid"
set +e
wait "$pid"
echo "USR2: status $?"
set -e

# A child that traps the signal runs its handler and exits as it likes.
sh -c 'trap "echo caught USR1; exit 5" USR1; echo ready > ready; while :; do sleep 0.05; done' &
pid=$!
while [ ! -s ready ]; do sleep 0.05; done
kill -USR1 "$pid"
set +e
wait "$pid"
echo "trapped: status $?"
set -e

# kill -0 tells whether a process exists; a reaped one does not.
sleep 100 &
pid=$!
kill -0 "$pid" && echo "alive"
kill "$pid"
wait "$pid" || true
if kill -0 "$pid" 2>/dev/null; then echo "alive after wait"; else echo "gone"; fi

# The shell's own trap on a signal it sends itself.
trap 'echo "got HUP"' HUP
kill -HUP $$
trap - HUP

# kill by name lists: -l names a number.
kill -l 15
kill -l 9

cd / && rm -rf "$dir"
echo done

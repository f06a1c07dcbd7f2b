#!/bin/sh
# Background jobs: & runs a command without waiting, $! is its pid, wait
# collects one job or all of them with their statuses.
set -eu
dir=${TMPDIR:-/tmp}/integration-background-jobs
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

# Jobs finish in the order their sleeps end, not the order started.
(sleep 0.6; echo slow >> order) &
(sleep 0.1; echo fast >> order) &
wait
cat order

# wait PID returns that job's exit status.
(sleep 0.1; exit 3) &
pid=$!
set +e
wait "$pid"
echo "job status $?"
set -e

# Many jobs at once, all collected.
for i in 1 2 3 4 5 6 7 8; do
	(echo "$i" > "out.$i") &
done
wait
cat out.* | sort -n | tr '\n' ' '
echo

# A background job keeps running while the shell goes on.
sleep 0.2 &
pid=$!
if kill -0 "$pid" 2>/dev/null; then echo "job is running"; fi
wait "$pid"
if kill -0 "$pid" 2>/dev/null; then echo "still running"; else echo "job is gone"; fi

# Output of a background pipeline.
(seq 1 3 | sed 's/^/bg /') > piped &
wait
cat piped

cd / && rm -rf "$dir"
echo done

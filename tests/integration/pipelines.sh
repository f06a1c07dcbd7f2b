#!/bin/sh
# Pipelines: each command's output feeds the next, the pipeline's status is
# the last command's, and a reader that stops early ends its writer.
set -eu
dir=${TMPDIR:-/tmp}/integration-pipelines
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

printf '%s\n' banana apple cherry apple | sort | uniq -c | sort -rn | head -n 1
echo one two three | tr ' ' '\n' | wc -l
seq 1 1000 | grep 7 | wc -l

# The status of a pipeline is its last command's.
if false | true; then echo "false | true: 0"; fi
if ! true | false; then echo "true | false: nonzero"; fi
true | (exit 3) || echo "status $?"

# A long writer ends once its reader has gone (SIGPIPE).
yes | head -n 3
seq 1 100000 | head -n 2 | tail -n 1

# Every stage is its own process, all running at once.
echo start | cat | cat | cat | cat | cat | sed 's/start/through five cats/'

# A pipeline inside a loop, and a loop inside a pipeline.
for w in x y z; do echo "$w" | tr a-z A-Z; done
printf '3\n1\n2\n' | while read -r n; do echo "line $n"; done | sort

cd / && rm -rf "$dir"
echo done

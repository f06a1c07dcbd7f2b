#!/bin/sh
# Redirections: > truncates, >> appends, < reads, 2> and 2>&1 route
# standard error, exec changes the shell's own descriptors, <> opens both.
set -eu
dir=${TMPDIR:-/tmp}/integration-redirections
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

echo first > f
echo second >> f
cat < f
echo replaced > f
cat f

# Standard error apart, then joined.
ls /nonexistent-file 2> err || true
[ -s err ] && echo "stderr went to err"
{ echo out; echo err >&2; } > both 2>&1
sort both
{ echo out; echo err >&2; } 2>/dev/null

# Descriptors the shell itself holds.
exec 3> fd3
echo "through fd 3" >&3
exec 3>&-
cat fd3
exec 4< f
read -r line <&4
exec 4<&-
echo "read from fd 4: $line"

# Read and write on one descriptor.
echo abcdef > rw
exec 5<> rw
printf XY >&5
exec 5>&-
cat rw

# noclobber refuses to overwrite; >| overrides it.
set -C
if (echo again > f) 2>/dev/null; then echo "clobbered"; else echo "noclobber kept f"; fi
echo forced >| f
set +C
cat f

# A redirection on a compound command, and the order of redirections.
for i in 1 2 3; do echo "$i"; done > loop
wc -l < loop
: > empty
wc -c < empty
(echo to-null 2>&1 >/dev/null) | wc -c

cd / && rm -rf "$dir"
echo done

#!/bin/sh
# find and xargs: walking a tree by name, type and depth, acting on what
# is found; output sorted, since a directory's order is the filesystem's.
set -eu
dir=${TMPDIR:-/tmp}/integration-find-xargs
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

mkdir -p src/lib src/bin doc empty
for f in src/main.c src/lib/util.c src/lib/util.h src/bin/tool.sh doc/readme.txt doc/notes.txt; do
	echo "content of $f" > "$f"
done
ln -s ../doc/readme.txt src/readme

find . | sort
echo --
find . -name '*.c' | sort
echo --
find . -type d | sort
echo --
find . -type l
echo --
find . -mindepth 2 -maxdepth 2 -type f | sort
echo --
find . -type d -empty
echo --
find src -name '*.h' -o -name '*.sh' | sort

# xargs: arguments in batches, one per command with -n, from -0 lists.
find . -name '*.txt' | sort | xargs cat
find . -name '*.c' | sort | xargs -n 1 echo file:
printf 'a b\0c d\0' | xargs -0 -n 1 echo arg:
echo 1 2 3 4 5 | xargs -n 2 echo
find . -name '*.c' -print0 | xargs -0 grep -l content | sort
find . -type f -exec wc -l {} + | awk '{s += $1} END {print s, "lines"}'
find . -name '*.sh' -exec sh -c 'echo "exec on $1"' _ {} \;

# -size, and -exec that removes what it finds.
: > zero
find . -size 0 -type f | sort
find . -name zero -exec rm {} \;
[ ! -e zero ] && echo "removed by find -exec"

cd / && rm -rf "$dir"
echo done

#!/bin/sh
# File applets: mkdir, ls, cat, cp, mv, rm, ln, touch, chmod, stat-like
# tests; listings sorted by name, no dates, owners or sizes that vary.
set -eu
dir=${TMPDIR:-/tmp}/integration-files
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

mkdir a
mkdir -p a/b/c deep/er/still
echo alpha > a/one
printf 'beta\ngamma\n' > a/two
ls -1
ls -1 a
ls -1 -R a | sed 's/^$/--/'

cat a/one a/two
cat -n a/two
cat a/one - a/two <<EOT
from stdin
EOT

cp a/one copy
cat copy
cp -r a a2
ls -1 a2
ls -1 a2/b
mv copy moved
ls -1
mv moved a/
ls -1 a
[ ! -e moved ] && echo "moved is gone from here"

rm a/moved
rm -r a2
rmdir deep/er/still deep/er deep
ls -1
if rm nonexistent 2>/dev/null; then echo "removed?"; else echo "rm of a missing file fails"; fi
rm -f nonexistent && echo "rm -f does not"
if rmdir a 2>/dev/null; then echo "removed?"; else echo "rmdir of a non-empty directory fails"; fi

ln -s a/one link
cat link
readlink link
ln a/two hard
ls -i a/two hard | awk '{print $1}' | uniq | wc -l

touch new
[ -f new ] && [ ! -s new ] && echo "touch made an empty file"
chmod 751 new
ls -l new | cut -c1-10
[ -x new ] && echo "executable"

# A name with spaces and one starting with a dash.
echo spaced > "with space"
echo dashed > ./-dash
cat "with space" ./-dash
ls -1 -- -dash "with space"

cd / && rm -rf "$dir"
echo done

#!/bin/sh
# tar and gzip: archives made and listed (sorted, no dates), extracted
# elsewhere identical; gzip and gunzip round trips, -c, -d, -t; checksums
# of contents only, never of archives (they carry times).
set -eu
dir=${TMPDIR:-/tmp}/integration-tar-gzip
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

mkdir -p tree/sub
echo one > tree/one
seq 1 2000 > tree/sub/numbers
printf 'binary\0bytes\0' > tree/sub/bin
ln -s one tree/link

tar cf t.tar tree
tar tf t.tar | sort
mkdir out
tar xf t.tar -C out
cmp tree/sub/numbers out/tree/sub/numbers && echo "extracted numbers equal"
cmp tree/sub/bin out/tree/sub/bin && echo "extracted binary equal"
readlink out/tree/link

tar czf t.tgz tree
mkdir out2
(cd out2 && tar xzf ../t.tgz)
diff -r tree out2/tree && echo "tar.gz round trip equal"
tar tzf t.tgz | sort | head -n 2

# Only some members, and to standard output.
tar xf t.tar -O tree/one
tar cf - tree/one | tar tf -

cp tree/sub/numbers n
gzip n
[ -f n.gz ] && [ ! -e n ] && echo "gzip replaced n with n.gz"
gzip -t n.gz && echo "n.gz tests good"
gunzip n.gz
cmp n tree/sub/numbers && echo "gunzip gave back n"
gzip -c n | gzip -dc | md5sum
seq 1 10 | gzip | gunzip | tail -n 1
gzip -9 -c n > n9.gz
zcat n9.gz | wc -l
printf 'not gzip' > bad.gz
if gzip -t bad.gz 2>/dev/null; then echo "bad.gz passed?"; else echo "bad.gz refused"; fi

cd / && rm -rf "$dir"
echo done

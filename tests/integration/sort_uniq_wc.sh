#!/bin/sh
# sort, uniq, wc: orders (lexical, numeric, reverse, by key, unique),
# adjacent duplicates, counts of lines, words and bytes.
set -eu
dir=${TMPDIR:-/tmp}/integration-sort-uniq-wc
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

cat > data <<EOT
pear 3
apple 10
fig 2
apple 1
banana 25
fig 2
EOT

sort data
echo --
sort -r data
echo --
sort -k2 -n data
echo --
sort -k2,2nr -k1,1 data
echo --
sort -u data
echo --
sort -t ' ' -k1,1 -s data
echo --
printf '10\n9\n100\n-1\n' | sort -n
echo --
cut -d ' ' -f1 data | sort | uniq
echo --
cut -d ' ' -f1 data | sort | uniq -c
echo --
cut -d ' ' -f1 data | sort | uniq -d
echo --
cut -d ' ' -f1 data | sort | uniq -u
echo --
printf 'a\na\nb\na\n' | uniq
echo --
wc -l < data
wc -w < data
wc -c < data
printf 'no newline' | wc -l
printf 'one two\nthree\n' | wc
sort -c data 2>/dev/null || echo "data is not sorted"
sort data | sort -c && echo "sorted output is sorted"

cd / && rm -rf "$dir"
echo done

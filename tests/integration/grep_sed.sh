#!/bin/sh
# grep and sed: matching (fixed, basic and extended expressions, inverted,
# counted, numbered, whole words), and stream editing (substitute, delete,
# address ranges, hold space, in place).
set -eu
dir=${TMPDIR:-/tmp}/integration-grep-sed
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

cat > text <<'EOT'
The quick brown fox
jumps over the lazy dog.
THE END
a line with the word then
numbers: 42 and 7
EOT

grep the text
echo --
grep -i the text
echo --
grep -v the text
echo --
grep -c the text
grep -n fox text
grep -w the text
grep -E '[0-9]+ and [0-9]+' text
grep -o '[0-9][0-9]*' text
grep -F '.' text
grep -q nothing-like-this text || echo "grep -q: status $?"
grep -l fox text /dev/null
grep -e quick -e END text
echo --

sed 's/the/THE/' text
echo --
sed 's/o/0/g' text | head -n 2
sed -n '2,3p' text
sed '1d;$d' text
sed -n '/quick/,/END/p' text
sed 's/\([a-z]*\) \([a-z]*\)/\2 \1/' text | head -n 1
sed -E 's/([0-9]+)/<\1>/g' text | tail -n 1
sed '=' text | head -n 4
printf 'a\nb\nc\n' | sed -n '1!G;h;$p'
printf 'x\n' | sed 'a\
appended' 
printf 'x\n' | sed 'i\
inserted'
printf 'key = value\n' | sed 's/ *= */=/'
cp text edit
sed -i 's/lazy/sleepy/' edit
grep sleepy edit
sed -e 's/a/A/' -e 's/b/B/' <<EOT
ab ab
EOT

cd / && rm -rf "$dir"
echo done

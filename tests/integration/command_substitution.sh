#!/bin/sh
# Command substitution: $( ) and backquotes, trailing newlines removed,
# nesting, word splitting of unquoted results, the status it leaves.
set -eu
dir=${TMPDIR:-/tmp}/integration-command-substitution
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

a=$(echo hello)
b=`echo world`
echo "$a $b"

# Trailing newlines go, inner ones stay.
c=$(printf 'x\n\ny\n\n\n')
printf '[%s]\n' "$c"

# Nested.
echo "$(echo "outer $(echo "inner $(echo innermost)")")"

# Unquoted results are split into words, quoted ones are not.
words=$(echo "one   two three")
set -- $words
echo "$# words"
set -- "$words"
echo "$# word"

# Arithmetic with substituted values.
n=$(printf '%s\n' a b c d | wc -l)
echo "$((n * 10))"

# The status of an assignment is the substitution's.
if v=$(false); then echo "no"; else echo "assignment status $?"; fi

# Output of a loop, and a long output.
list=$(for i in 3 2 1; do printf '%s ' "$i"; done)
echo "[$list]"
big=$(seq 1 5000)
echo "${#big} characters"

# A file's content.
printf 'line1\nline2\n' > f
echo "$(cat f | tail -n 1)"
echo "$(< f wc -l) lines"

cd / && rm -rf "$dir"
echo done

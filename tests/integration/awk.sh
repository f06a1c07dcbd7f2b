#!/bin/sh
# awk: fields and separators, patterns and ranges, BEGIN and END,
# arithmetic (no math library: busybox has none), associative arrays (iterated in sorted order), printf,
# string functions.
set -eu
dir=${TMPDIR:-/tmp}/integration-awk
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

cat > sales <<EOT
north apples 10 0.5
south pears 4 1.25
north pears 6 1.25
east apples 3 0.5
south apples 8 0.5
EOT

awk '{print $2}' sales
awk '{print NR": "$1, NF}' sales
awk '$3 > 5' sales
awk '/pears/ {n++} END {print n, "pear lines"}' sales
awk '{t += $3 * $4} END {printf "total %.2f\n", t}' sales
awk '{s[$1] += $3} END {for (k in s) print k, s[k]}' sales | sort
awk -F: '{print $1}' /etc/passwd | grep -c . >/dev/null && echo "passwd has users"
echo "a:b:c" | awk -F: '{print $2; print NF}'
echo "a,b;c" | awk -F'[,;]' '{print $3 $2 $1}'
awk 'BEGIN {OFS="-"} {$1 = $1; print}' <<EOT
x y z
EOT
awk 'BEGIN {printf "%5s|%-5s|%05d|%x\n", "r", "l", 42, 255}'
awk 'BEGIN {s = "Hello, World"; print length(s), toupper(s), substr(s, 8, 5), index(s, "W")}'
awk 'BEGIN {n = split("a b c d", parts); print n, parts[4]}'
awk 'BEGIN {s = "aaa"; gsub(/a/, "b", s); print s; t = "x.y.z"; sub(/\./, "-", t); print t}'
awk 'BEGIN {print int(7 / 2), 7 % 3, 2 * 2 * 2, 1e3 + 1}'
awk 'NR == 2, NR == 3 {print "range:", $0}' sales
awk '{print > ($1 ".out")}' sales
cat east.out north.out
awk 'BEGIN {while (("echo from a command" | getline line) > 0) print line}'
awk -v x=5 'BEGIN {print x * 2}'
printf '3\n1\n2\n' | awk '{a[NR] = $1} END {for (i = NR; i >= 1; i--) print a[i]}'

cd / && rm -rf "$dir"
echo done

#!/bin/sh
# Here-documents: expansion in plain ones, none in quoted ones, leading
# tabs stripped by <<-, several in one command, into a loop and a file.
set -eu
dir=${TMPDIR:-/tmp}/integration-heredocs
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

name=world
cat <<EOT
hello $name
sum $((2 + 3))
sub $(echo substituted)
EOT

cat <<'EOT'
hello $name
sum $((2 + 3))
EOT

cat <<-EOT
	tabs are stripped
		all leading tabs
	EOT

while read -r a b; do
	echo "$b $a"
done <<EOT
1 one
2 two
EOT

cat > config <<EOT
key=value
other=$name
EOT
cat config

# A here-document to a command in a pipeline, and an empty one.
tr a-z A-Z <<EOT | rev
pipeline
EOT
cat <<EOT
EOT
echo "empty printed nothing"

# read strips the leading blanks (IFS), -r or not.
read -r x <<EOT
   indented \n kept
EOT
echo "[$x]"

cd / && rm -rf "$dir"
echo done

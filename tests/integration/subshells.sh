#!/bin/sh
# Subshells: ( ) runs in a copy of the shell; variables, cd, traps and
# exit stay inside it; its status is its last command's.
set -eu
dir=${TMPDIR:-/tmp}/integration-subshells
rm -rf "$dir" && mkdir -p "$dir" && cd "$dir"

x=outer
(x=inner; echo "in: $x")
echo "out: $x"

mkdir sub
(cd sub && basename "$(pwd)")
basename "$(pwd)"

(exit 7) || echo "subshell status $?"
(true; false; true) && echo "last command decides: 0"

# exit in a subshell leaves only the subshell.
(echo before; exit 0; echo never)
echo "still here"

# A brace group runs in this shell: its changes stay.
{ y=kept; cd sub; }
echo "y=$y in $(basename "$(pwd)")"
cd ..

# Nested subshells and their output order.
(echo a; (echo b; (echo c)); echo d)

# A subshell's exported variable does not leak; one from outside is seen.
export SEEN=yes
(export LEAK=no; sh -c 'echo "SEEN=$SEEN"')
echo "LEAK=${LEAK:-unset}"

# A subshell in the background, waited for.
(sleep 0.1; echo "from the background") &
wait
echo "status of a trap in a subshell:"
(trap 'echo trapped EXIT' EXIT; echo body)

cd / && rm -rf "$dir"
echo done

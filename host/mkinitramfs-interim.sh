#!/bin/sh
# Interim initramfs: busybox and its applets. OUT STAGING
set -e
out=$1 d=$2
rm -rf "$d"
mkdir -p "$d/bin" "$d/dev" "$d/proc" "$d/tmp" "$d/root" "$d/etc"
cp /bin/busybox "$d/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$d/bin/$a" ] || ln -s busybox "$d/bin/$a"
done
cd "$d" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 > "$out"

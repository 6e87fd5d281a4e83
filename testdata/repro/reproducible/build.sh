#!/bin/sh
# Reproducible: the time comes from SOURCE_DATE_EPOCH, sorting is locale-independent and the
# archive has fixed order, times, owners and modes, whatever the build path, umask, TZ or locale.
set -eu
mkdir -p out
printf 'built at %s\n' "${SOURCE_DATE_EPOCH:?}" >out/timestamp.txt
LC_ALL=C sort src/words.txt >out/sorted.txt
tar --sort=name --mtime="@${SOURCE_DATE_EPOCH}" --owner=0 --group=0 --numeric-owner \
    --mode=go-w,u+rw -cf out/src.tar src

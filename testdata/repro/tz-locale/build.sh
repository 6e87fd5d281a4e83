#!/bin/sh
# Not reproducible across time zones and locales: the date is SOURCE_DATE_EPOCH (fixed) but
# printed in the local time zone, and the word list is sorted in the build's locale. The
# version file does not depend on either.
set -eu
mkdir -p out
date -d "@${SOURCE_DATE_EPOCH:?}" '+%Y-%m-%d %H:%M' >out/date.txt
printf 'b\nB\na\nA\n' | sort >out/sorted.txt
echo "1.0.0" >out/version.txt

#!/bin/sh
# Not reproducible across umasks: the archive records the mode of a file the build creates.
# The listing of names only does not depend on it.
set -eu
mkdir -p out stage
echo payload >stage/payload.txt
tar --sort=name --mtime="@${SOURCE_DATE_EPOCH:?}" --owner=0 --group=0 --numeric-owner -cf out/stage.tar stage
ls stage >out/names.txt

#!/bin/sh
# Deliberately NOT reproducible: two of its four artifacts embed the build time and the build
# path, so two builds agree on 2 of 4 artifacts (ratio 0.5).
set -eu
mkdir -p out
echo "hello" >out/constant.txt
cp src/data.txt out/data.txt
printf 'built at %s\n' "$(date +%s.%N)" >out/timestamp.txt
printf 'built in %s\n' "$(pwd)" >out/buildpath.txt

#!/usr/bin/env bash
# Remakes the README's pictures of `ffc view` pages with headless Chromium (Debian's package).
# Run from the repository's top level after `swift build`: bash docs/images/screenshots.sh
set -euo pipefail
ffc=${FFC:-.build/debug/ffc}
out=docs/images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot() { # name, fragment, ffc view arguments...
  local name=$1 fragment=$2
  shift 2
  "$ffc" view "$@" -o "$work/$name.html"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
    --window-size=1500,820 --screenshot="$work/$name.png" "file://$work/$name.html#$fragment" \
    2>/dev/null
  # A 96-colour palette keeps each picture small; the page has few colours.
  if command -v convert >/dev/null 2>&1 && convert -version >/dev/null 2>&1; then
    convert "$work/$name.png" -colors 96 "PNG8:$out/view-$name.png"
  else
    cp "$work/$name.png" "$out/view-$name.png"
  fi
}
shot fig11_1 "node=dL%2FdW1" samples/fig11_1.ffn
shot iris "line=19" samples/iris.ffn --data samples/data/iris.csv
shot mlp5 "node=dL%2Fdh3" samples/mlp5.ffn --data samples/data/digits.csv
ls -l "$out"/view-*.png

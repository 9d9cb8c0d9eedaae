#!/bin/sh
# Times `ffc run` and `ffc run --grads` on long programs, one statement a line (issue 12: a
# 100k-line program took 26.7 s to run). Each program is a chain
#   param h0[4] = [0.1, 0.2, 0.3, 0.4]
#   h1 = tanh(h0 * 1.0001)  ...  h<n> = tanh(h<n-1> * 1.0001)
#   loss L = sum(h<n>)
# Prints the lines, the wall-clock seconds of each command and the peak resident memory.
#
#   samples/bench/long_chain.sh [lines ...]         (default 10000 20000 100000)
#   samples/bench/long_chain.sh --program <lines>   (print the program only)
#   FFC=path/to/ffc samples/bench/long_chain.sh     (a binary already built; no build)
set -eu
cd "$(dirname "$0")/../.."

program() {
  awk -v n="$1" 'BEGIN {
    print "param h0[4] = [0.1, 0.2, 0.3, 0.4]"
    for (i = 1; i <= n; i++) printf "h%d = tanh(h%d * 1.0001)\n", i, i - 1
    printf "loss L = sum(h%d)\n", n }'
}

if [ "${1:-}" = --program ]; then
  program "${2:?--program needs a line count}"
  exit 0
fi
. samples/bench/release-ffc.sh
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time) for the peak memory" >&2; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
echo "| lines | run (s) | run peak (MB) | run --grads (s) | --grads peak (MB) |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for n in ${*:-10000 20000 100000}; do
  program "$n" >"$dir/chain.ffn"
  /usr/bin/time -f '%e %M' -o "$dir/run" "$ffc" run "$dir/chain.ffn" >/dev/null
  /usr/bin/time -f '%e %M' -o "$dir/grads" "$ffc" run --grads "$dir/chain.ffn" >/dev/null
  read -r runs runk <"$dir/run"
  read -r grads gradk <"$dir/grads"
  echo "| $n | $runs | $((runk / 1024)) | $grads | $((gradk / 1024)) |"
done

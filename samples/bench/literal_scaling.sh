#!/bin/sh
# Times `ffc run` on programs whose parameter is one long list literal, to show that reading a
# literal is linear in its length (issue 12: 5k elements took 0.3 s, 20k 3 s, 40k 14 s, 250k
# more than 11 minutes). Each program is
#   param W[n] = [w0, w1, ...]   (ten numbers to a line, as a saved program writes them)
#   output s = sum(W)
# plus one 1024 x 1024 matrix literal, one row per line. Prints the elements, the file's size,
# the wall-clock seconds and the peak resident memory (from /usr/bin/time).
#
#   samples/bench/literal_scaling.sh [elements ...]   (default 5000 20000 40000 250000 1000000 10000000)
#   FFC=path/to/ffc samples/bench/literal_scaling.sh  (a binary already built; no build)
set -eu
cd "$(dirname "$0")/../.."
. samples/bench/release-ffc.sh
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (GNU time) for the peak memory" >&2; exit 1; }
sizes=${*:-5000 20000 40000 250000 1000000 10000000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# A vector literal of n numbers, signed and fractional, ten to a line.
vector() {
  awk -v n="$1" 'BEGIN {
    printf "param W[%d] = [", n
    for (i = 0; i < n; i++) {
      if (i > 0) printf (i % 10 == 0 ? ",\n  " : ", ")
      printf "%.6g", (i % 1997 - 998) * 0.0037
    }
    print "]"; print "output s = sum(W)" }'
}

# A rows x columns matrix literal, one row per line.
matrix() {
  awk -v r="$1" -v c="$2" 'BEGIN {
    printf "param W[%d, %d] = [", r, c
    for (i = 0; i < r; i++) {
      printf (i > 0 ? ",\n  [" : "[")
      for (j = 0; j < c; j++) printf (j > 0 ? ", %.6g" : "%.6g"), ((i * c + j) % 1997 - 998) * 0.0037
      printf "]"
    }
    print "]"; print "output s = sum(W)" }'
}

measure() { # label file
  /usr/bin/time -f "%e %M" -o "$dir/time" "$ffc" run "$2" >/dev/null
  bytes=$(wc -c <"$2")
  read -r seconds kilobytes <"$dir/time"
  awk -v l="$1" -v b="$bytes" -v s="$seconds" -v k="$kilobytes" 'BEGIN {
    printf "%-12s %10.1f %10.2f %10.0f %10.1f\n", l, b / 1e6, s, k / 1024, k * 1024 / b }'
}

printf "%-12s %10s %10s %10s %10s\n" elements "file MB" seconds "peak MB" "peak/file"
for n in $sizes; do
  vector "$n" >"$dir/v.ffn"
  measure "$n" "$dir/v.ffn"
done
matrix 1024 1024 >"$dir/m.ffn"
measure "1024x1024" "$dir/m.ffn"

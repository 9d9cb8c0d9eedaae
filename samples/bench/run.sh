#!/bin/sh
# Times the four reference workloads of ../shared/bench/anchors with `ffc bench` in a release
# build, with the peers' batch sizes and step counts (f32, plain SGD with lr 0.01), and prints
# them side by side with the peers:
#   - every peer that is importable here (numpy, PyTorch, JAX, PyTensor C) is run on the same
#     workload right after ffc, with 2 threads, so the ratio is measured in one run;
#   - the fastest peer recorded in the anchors' results.md, when that file is there.
# It first prints the CPU, the kernel path ffc chose with its block sizes, and the machine's FMA
# ceiling (`ffc-bench --ceiling`: AVX2 and AVX-512, f32 and f64, 1 and 2 threads), and shows every
# figure also as a share of it: the step's matrix-product FLOPs (as `ffc bench` counts them) per
# second of each median, over the widest f32 ceiling on the threads used (its FLOPs per
# CPU-second times the threads: what the cores do when no other process shares them).
# Extra arguments go to every `ffc bench` (e.g. --precision f64). FFC_THREADS=1 limits the matrix
# products to one thread. FFC_PEERS=0 skips running the peers. ROUNDS=N (default 1) runs the four
# workloads N times over, ffc and each peer one after the other in every round, and ends with each
# side's median over the rounds and the median of the rounds' ratios: on a shared machine whose
# speed changes by the minute, a ratio taken within one round is the figure to trust. The peers run in the Python of
# .build/peers-venv when samples/bench/peers-venv.sh has made it, else in $PYTHON or python3.
#
#   samples/bench/run.sh [ffc bench options]
#   FFC=path/to/ffc samples/bench/run.sh    (a binary already built in release, ffc-bench beside it)
set -eu
cd "$(dirname "$0")/../.."
rounds=${ROUNDS:-1}
case $rounds in '' | *[!0-9]* | 0) echo "run.sh: ROUNDS must be a positive whole number, not '$rounds'" >&2; exit 2 ;; esac
. samples/bench/release-ffc.sh
anchors=${ANCHORS:-../shared/bench/anchors}
if [ -z "${PYTHON:-}" ]; then
  PYTHON=python3
  [ -x .build/peers-venv/bin/python ] && PYTHON=.build/peers-venv/bin/python
fi
pytensor_cache=$(mktemp -d)
summary=$(mktemp)
trap 'rm -rf "$summary" "$pytensor_cache"' EXIT

# The median of `ffc bench`'s "step median X unit" line, in ms.
ffc_median() {
  awk '$1 == "step" && $2 == "median" { v = $3; u = $4; sub(/,/, "", u)
    if (u == "µs") v /= 1000; else if (u == "ns") v /= 1e6; else if (u == "s") v *= 1000
    printf "%.6g", v }'
}

# Runs one peer on one workload (2 threads) and prints its median in ms, or nothing.
peer_median() {
  OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2 XLA_FLAGS="--xla_cpu_multi_thread_eigen=true" \
    PYTENSOR_FLAGS="${PYTENSOR_FLAGS:-blas__ldflags=-lopenblas,floatX=float32,base_compiledir=$pytensor_cache}" \
    timeout 600 "$PYTHON" "$anchors/$1" $2 2>/dev/null \
    | sed -n 's/^RESULT //p' | "$PYTHON" -c 'import json, sys
for line in sys.stdin: print("%.6g" % json.loads(line)["median_ms"])' 2>/dev/null || true
}

# The peers importable here: name, module, script and its arguments before the workload.
peers=""
if [ "${FFC_PEERS:-1}" != 0 ] && [ -d "$anchors" ] && command -v "$PYTHON" >/dev/null 2>&1; then
  for entry in numpy:numpy:bench_numpy.py torch:torch:bench_torch.py jax-jit:jax:bench_jax.py \
    pytensor-c:pytensor:"bench_pytensor.py c"; do
    module=$(echo "$entry" | cut -d: -f2)
    "$PYTHON" -c "import $module" >/dev/null 2>&1 && peers="$peers $entry"
  done
fi

# The CPU and the kernel path every figure below belongs to (`ffc bench` prints the path and its
# block sizes too; FFC_ISA=avx512|avx2|generic forces one).
cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- || sysctl -n machdep.cpu.brand_string)
echo "CPU:$cpu; $(uptime | sed 's/.*load/load/')"
echo "kernel path: $("$ffc" bench samples/bench/w2_tiny.ffn --steps 1 --warmup 0 | sed -n 's/^ *kernels *//p')"
# The FMA ceiling: the widest path's f32 figure on the threads the products use is the yardstick.
ceiling=""
if [ -n "$ffc_bench" ]; then
  table=$("$ffc_bench" --ceiling)
  echo "$table"
  threads=$(echo "$table" | awk -F'|' '$3 ~ /f32/ { gsub(/ /, "", $4); if ($4 + 0 > t) t = $4 + 0 } END { print t }')
  [ -n "${FFC_THREADS:-}" ] && [ "$FFC_THREADS" -lt "$threads" ] && threads=$FFC_THREADS
  ceiling=$(echo "$table" | awk -F'|' -v t="$threads" '$3 ~ /f32/ && $4 + 0 == t { if ($6 * t > c) c = $6 * t } END { print c }')
  echo "ceiling used below: $ceiling GFLOP/s (widest path, f32, $threads threads, this run)"
else
  echo "no ffc-bench beside $ffc: no FMA ceiling, no shares"
fi

bench() {  # workload, ffc bench options...
  workload=$1
  shift
  out=$("$ffc" bench "samples/bench/$workload.ffn" "$@")
  echo "$out"
  # The step's matrix-product FLOPs, for the shares of the ceiling.
  flops=$(echo "$out" | awk '$1 == "matmul" { v = $2; u = $3
    if (u == "kFLOP") v *= 1e3; else if (u == "MFLOP") v *= 1e6; else if (u == "GFLOP") v *= 1e9
    else if (u == "TFLOP") v *= 1e12; printf "%.6g", v }')
  line="$workload ${flops:-0} ffc $(echo "$out" | ffc_median)"
  for entry in $peers; do
    name=$(echo "$entry" | cut -d: -f1)
    script=$(echo "$entry" | cut -d: -f3)
    median=$(peer_median "$script" "$workload")
    if [ -n "$median" ]; then line="$line $name $median"; fi
  done
  echo "$line" >>"$summary"
}

round=1
while [ "$round" -le "$rounds" ]; do
  [ "$rounds" -gt 1 ] && echo "round $round of $rounds"
  bench w1_mnist_mlp --batch 128 --warmup 20 --steps 200 "$@"
  bench w2_tiny --warmup 500 --steps 5000 "$@"
  bench w3_deep_narrow --batch 32 --warmup 20 --steps 200 "$@"
  bench w4_wide --batch 256 --warmup 3 --steps 30 "$@"
  round=$((round + 1))
done

# The fastest median per workload in results.md (any framework, any thread count), in ms.
recorded=""
if [ -f "$anchors/results.md" ]; then
  recorded=$(awk '
    /^#/ { w = ""; if ($0 ~ /^### W[1-4] /) w = $2; next }
    /^\| framework/ { unit = ($0 ~ /median us/) ? 0.001 : 1; next }
    w != "" && /^\| [a-z]/ {
      split($0, f, "|"); sub(/ *\(.*\)/, "", f[2]); gsub(/ /, "", f[2]); gsub(/ /, "", f[3]); gsub(/[ ,]/, "", f[4])
      v = f[4] * unit
      if (!(w in best) || v < best[w]) { best[w] = v; who[w] = f[2] " " f[3] "t" }
    }
    END { for (k in best) printf "%s %s %.6g\n", k, who[k], best[k] }' "$anchors/results.md")
fi

echo
echo "side by side (median step, ms; ratio = ffc / peer, below 1 is faster; [share of the FMA"
echo "ceiling: the step's product FLOPs per second of the median over ${ceiling:-?} GFLOP/s])"
awk -v recorded="$recorded" -v ceiling="${ceiling:-0}" '
  function share(ms) { return (ceiling > 0 && flops > 0) ? sprintf(" [%.0f%%]", flops / (ms / 1000) / 1e9 / ceiling * 100) : "" }
  BEGIN {
    n = split(recorded, lines, "\n")
    for (i = 1; i <= n; i++) { split(lines[i], r, " "); rname[r[1]] = r[2] " " r[3]; rvalue[r[1]] = r[4] }
    id["w1_mnist_mlp"] = "W1"; id["w2_tiny"] = "W2"; id["w3_deep_narrow"] = "W3"; id["w4_wide"] = "W4"
  }
  {
    w = id[$1]; flops = $2; ffc = $4
    printf "%-3s %-15s ffc %9.4g%s", w, $1, ffc, share(ffc)
    for (i = 5; i + 1 <= NF; i += 2) printf "   %s %9.4g (%.3gx)%s", $i, $(i + 1), ffc / $(i + 1), share($(i + 1))
    if (w in rvalue) printf "   recorded fastest: %s %.4g (%.3gx)%s", rname[w], rvalue[w], ffc / rvalue[w], share(rvalue[w])
    printf "\n"
  }' "$summary"
if [ "$rounds" -gt 1 ]; then
  echo
  echo "over $rounds rounds (median of each side's medians; ratio: median of the rounds' ratios)"
  awk '
    function median(list,   n, v, i, j, t) {
      n = split(list, v, " ")
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
      return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    BEGIN { id["w1_mnist_mlp"] = "W1"; id["w2_tiny"] = "W2"; id["w3_deep_narrow"] = "W3"; id["w4_wide"] = "W4" }
    {
      if (!($1 in seen)) { seen[$1] = 1; order[++count] = $1 }
      times[$1] = times[$1] " " $4
      for (i = 5; i + 1 <= NF; i += 2) {
        key = $1 SUBSEP $i
        if (!(key in peer)) { peer[key] = 1; names[$1] = names[$1] " " $i }
        ptimes[key] = ptimes[key] " " $(i + 1); ratios[key] = ratios[key] " " ($4 / $(i + 1))
      }
    }
    END {
      for (k = 1; k <= count; k++) {
        w = order[k]
        printf "%-3s %-15s ffc %9.4g", id[w], w, median(times[w])
        n = split(names[w], list, " ")
        for (i = 1; i <= n; i++) {
          key = w SUBSEP list[i]
          printf "   %s %9.4g (%.3gx)", list[i], median(ptimes[key]), median(ratios[key])
        }
        printf "\n"
      }
    }' "$summary"
fi
if [ -z "$peers" ] && [ "${FFC_PEERS:-1}" != 0 ]; then
  echo "no peer is importable here; samples/bench/peers-venv.sh installs NumPy, JAX and PyTensor"
fi

#!/bin/sh
# Times the four reference workloads of /work/shared/bench/anchors with `ffc bench` in a release
# build, with the peers' batch sizes and step counts (f32, plain SGD with lr 0.01), in one run.
# Extra arguments go to every `ffc bench` (e.g. --precision f64). FFC_THREADS=1 limits the matrix
# products to one thread.
#
#   samples/bench/run.sh [ffc bench options]
#   FFC=path/to/ffc samples/bench/run.sh    (a binary already built in release; no build)
set -eu
cd "$(dirname "$0")/../.."
if [ -n "${FFC:-}" ]; then
  ffc="$FFC"
else
  swift build -c release --product ffc >&2
  ffc="$(swift build -c release --show-bin-path)/ffc"
fi

"$ffc" bench samples/bench/w1_mnist_mlp.ffn --batch 128 --warmup 20 --steps 200 "$@"
"$ffc" bench samples/bench/w2_tiny.ffn --warmup 500 --steps 5000 "$@"
"$ffc" bench samples/bench/w3_deep_narrow.ffn --batch 32 --warmup 20 --steps 200 "$@"
"$ffc" bench samples/bench/w4_wide.ffn --batch 256 --warmup 3 --steps 30 "$@"

# The peers (numpy, PyTorch, JAX, PyTensor, TensorFlow) are not installed by this script; their
# figures on this machine are in /work/shared/bench/anchors/results.md.
anchors=/work/shared/bench/anchors
if command -v python3 >/dev/null 2>&1 && python3 -c 'import numpy, torch, jax' >/dev/null 2>&1; then
  echo "peers are importable here: re-run them with $anchors/run.sh (see $anchors/README.md)"
fi
if [ -f "$anchors/results.md" ]; then
  echo "peer figures: $anchors/results.md (tables W1-W4)"
else
  echo "peer figures: not on this machine (see the README's 'Performance against the peers')"
fi

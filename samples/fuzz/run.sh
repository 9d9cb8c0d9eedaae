#!/bin/sh
# The bounded fuzz tests of `swift test`, run for longer: seeded random programs at -O1, -O0 and
# under --trace (DifferentialTests), mutated programs through the compiler, f32 against f64 and
# `check` on smooth programs (ProgramFuzzTests). The duration is split among the four tests:
#   samples/fuzz/run.sh 3600          an hour, from a seed taken from the clock
#   samples/fuzz/run.sh 600 12345     ten minutes from seed 12345 (to reproduce a run)
# A failure prints the seed and the program; the seed alone reproduces it:
#   FFC_FUZZ_SECONDS=1 FFC_FUZZ_FIRST_SEED=<seed> swift test --filter DifferentialTests
set -eu
cd "$(dirname "$0")/../.."
seconds="${1:-600}"
seed="${2:-$(date +%s)}"
swift build --build-tests >&2
FFC_FUZZ_SECONDS=$((seconds / 4)) FFC_FUZZ_FIRST_SEED="$seed" \
  swift test --skip-build --no-parallel --filter 'DifferentialTests|ProgramFuzzTests' 2>&1 |
  grep -E 'fuzzing:|✘|seed [0-9]+|^  |Test run' || true

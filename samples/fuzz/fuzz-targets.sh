#!/bin/sh
# Runs the libFuzzer targets built by samples/fuzz/build.sh (built first if missing), each for the
# given number of seconds (default 300):
#   samples/fuzz/fuzz-targets.sh 600            every target, ten minutes each
#   samples/fuzz/fuzz-targets.sh 60 csv         one target
# The corpus starts from samples/*.ffn and samples/fuzz/seeds/*.ffn (samples/data/*.csv, samples/onnx/fixtures/*.onnx; for
# formats, the safetensors and NumPy files of Tests/Fixtures/formats) and grows in
# .build-fuzz/corpus-<target>; an input that crashes, leaks or runs longer than 10 s is written
# to .build-fuzz/findings-<target>/ and named in the output. Reproduce one with
#   .build-fuzz/fuzz-<target> <file>
set -eu
cd "$(dirname "$0")/../.."
out="${FFC_FUZZ_BUILD:-.build-fuzz}"
seconds="${1:-300}"
shift 2>/dev/null || true
targets="${*:-frontend csv onnx formats}"
[ -x "$out/fuzz-frontend" ] && [ -x "$out/fuzz-csv" ] && [ -x "$out/fuzz-onnx" ] \
  && [ -x "$out/fuzz-formats" ] || samples/fuzz/build.sh
status=0
for target in $targets; do
  corpus="$out/corpus-$target"
  findings="$out/findings-$target"
  mkdir -p "$corpus" "$findings"
  case "$target" in
    frontend) cp samples/*.ffn samples/fuzz/seeds/*.ffn "$corpus"/; dict="-dict=samples/fuzz/ffn.dict" ;;
    csv) cp samples/data/*.csv "$corpus"/; dict="" ;;
    onnx) cp samples/onnx/fixtures/*.onnx "$corpus"/; dict="" ;;
    formats)
      cp Tests/Fixtures/formats/*.safetensors Tests/Fixtures/formats/*.np[yz] \
        Tests/Fixtures/formats/deflate_streams.bin "$corpus"/
      dict=""
      ;;
    *) echo "unknown target '$target' (frontend, csv, onnx, formats)" >&2; exit 2 ;;
  esac
  echo "fuzzing $target for $seconds s" >&2
  # shellcheck disable=SC2086
  "$out/fuzz-$target" "$corpus" $dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -max_len=65536 -artifact_prefix="$findings/" -print_final_stats=1 || status=$?
done
exit "$status"

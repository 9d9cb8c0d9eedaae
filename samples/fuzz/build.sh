#!/bin/sh
# Builds the coverage-guided fuzz targets with the toolchain's libFuzzer and AddressSanitizer:
#   fuzz-frontend  the lexer, parser and lowering of a .ffn program (Frontend.lower), the
#                  rendering of its diagnostics, and for a program that lowers, the standard
#                  pipeline with its gradient (custom derivatives, jvp, hessian)
#   fuzz-csv       the CSV reader (CSVReader.read) and the rendering of its diagnostic, and the
#                  block reader on the same bytes in blocks of 1-64 bytes, which must agree
#   fuzz-onnx      the protobuf reader and ONNX model decoding (ONNXModel(decoding:)), tensor
#                  values and the import of a model as a program
#   fuzz-formats   the safetensors, .npy and .npz readers (SafeTensorsFile, NumPy, NumPyArchive
#                  with its deflate inflater, and the inflater on raw streams)
# They are not part of `swift build` or `swift test`: this compiles the modules they need from
# Sources/ with -sanitize=fuzzer,address into .build-fuzz/ (or $FFC_FUZZ_BUILD), then links each
# target. Run them with samples/fuzz/fuzz-targets.sh.
set -eu
cd "$(dirname "$0")/../.."
out="${FFC_FUZZ_BUILD:-.build-fuzz}"
mkdir -p "$out"
flags="-swift-version 6 -parse-as-library -O -g -sanitize=fuzzer,address -I $out"
# compile MODULE DIRECTORY [extra swiftc flags]: one module, as Package.swift builds it.
compile() {
  module=$1
  directory=$2
  shift 2
  echo "compiling $module" >&2
  # shellcheck disable=SC2046,SC2086
  swiftc $flags "$@" -module-name "$module" -wmo -num-threads 0 \
    -emit-module -emit-module-path "$out/$module.swiftmodule" \
    -c -o "$out/$module.o" $(find -L "$directory" -name '*.swift' | sort)
}
# The kernel modules, each with its ISA's flags (see Package.swift), then the layers above them.
compile FFCKernelCore Sources/FFCKernelCore
if [ "$(uname -m)" = x86_64 ]; then
  compile FFCKernelsAVX512 Sources/FFCKernels/AVX512 -D FFC_AVX512 -target-cpu skylake-avx512
  compile FFCKernelsAVX2 Sources/FFCKernels/AVX2 -D FFC_AVX2 -target-cpu haswell
else
  compile FFCKernelsAVX512 Sources/FFCKernels/AVX512
  compile FFCKernelsAVX2 Sources/FFCKernels/AVX2
fi
compile FFCKernelsGeneric Sources/FFCKernels/Generic
for module in FFCDiagnostics FFCTensor FFCIR FFCFormats FFCFrontend FFCData FFCPasses; do
  compile "$module" "Sources/$module"
done
for target in frontend csv onnx formats; do
  echo "linking fuzz-$target" >&2
  # shellcheck disable=SC2086
  swiftc $flags -module-name "Fuzz_$target" "samples/fuzz/fuzz_$target.swift" \
    "$out"/FFCKernelCore.o "$out"/FFCKernelsAVX512.o "$out"/FFCKernelsAVX2.o \
    "$out"/FFCKernelsGeneric.o "$out"/FFCDiagnostics.o "$out"/FFCTensor.o "$out"/FFCIR.o \
    "$out"/FFCFormats.o "$out"/FFCFrontend.o "$out"/FFCData.o "$out"/FFCPasses.o \
    -o "$out/fuzz-$target" 2>&1 | grep -v 'Cannot export local symbol' >&2 || true
  test -x "$out/fuzz-$target"
done
echo "built $out/fuzz-frontend, $out/fuzz-csv, $out/fuzz-onnx and $out/fuzz-formats" >&2

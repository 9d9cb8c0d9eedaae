// swift-tools-version:6.0
// ffc: a symbol-to-symbol differentiation compiler for feedforward networks.
// No third-party packages: the toolchain, its standard library and Foundation only.
import PackageDescription

#if arch(x86_64)
  // The kernels are compiled for AVX2 + FMA (Haswell and later, every Zen): without it the matrix
  // product's SIMD `addingProduct` becomes a call to `fmaf` per element, and vectors are 4 wide
  // instead of 8. FFC_PORTABLE=1 builds for baseline x86-64 instead (correct, slower). Kernel code
  // is compiled in three targets: FFCTensor (Compute), FFCRuntime (the kernels and the fused
  // kernel, which inline Compute's loops) and FFCIR, where each op's scalar function conforms and
  // so gets its specialised block loops.
  let kernelSettings: [SwiftSetting] =
    Context.environment["FFC_PORTABLE"] == nil ? [.unsafeFlags(["-target-cpu", "haswell"])] : []
#else
  let kernelSettings: [SwiftSetting] = []
#endif

let package = Package(
  name: "ffc",
  products: [
    .executable(name: "ffc", targets: ["ffc"]),
    .library(name: "FFCDriver", targets: ["FFCDriver"]),
  ],
  dependencies: [],
  targets: [
    // Layers, one-way: {Diagnostics, Tensor} <- IR <- {Frontend, Passes, Runtime, Data} <- Driver <- main.
    .target(name: "FFCDiagnostics"),
    .target(name: "FFCTensor", swiftSettings: kernelSettings),
    .target(
      name: "FFCIR", dependencies: ["FFCDiagnostics", "FFCTensor"], swiftSettings: kernelSettings),
    .target(name: "FFCFrontend", dependencies: ["FFCDiagnostics", "FFCIR"]),
    .target(name: "FFCPasses", dependencies: ["FFCIR", "FFCTensor"]),
    .target(
      name: "FFCRuntime", dependencies: ["FFCIR", "FFCTensor"], swiftSettings: kernelSettings),
    .target(name: "FFCData", dependencies: ["FFCDiagnostics", "FFCTensor", "FFCIR"]),
    .target(
      name: "FFCDriver",
      dependencies: [
        "FFCDiagnostics", "FFCTensor", "FFCIR", "FFCFrontend", "FFCPasses", "FFCRuntime", "FFCData",
      ]),
    .executableTarget(name: "ffc", dependencies: ["FFCDriver"]),
    .executableTarget(
      name: "ffc-bench", dependencies: ["FFCDriver", "FFCIR", "FFCRuntime", "FFCTensor"]),
    .target(
      name: "FFCTestSupport",
      dependencies: [
        "FFCDriver", "FFCFrontend", "FFCIR", "FFCPasses", "FFCRuntime", "FFCTensor",
      ]),
    .testTarget(name: "FFCDiagnosticsTests", dependencies: ["FFCDiagnostics"]),
    .testTarget(name: "FFCTensorTests", dependencies: ["FFCTensor"]),
    .testTarget(
      name: "FFCIRTests",
      dependencies: ["FFCIR", "FFCTensor", "FFCRuntime", "FFCPasses", "FFCTestSupport"]),
    .testTarget(
      name: "FFCFrontendTests", dependencies: ["FFCFrontend", "FFCIR", "FFCTestSupport"]),
    .testTarget(
      name: "FFCPassesTests",
      dependencies: ["FFCDriver", "FFCIR", "FFCPasses", "FFCRuntime", "FFCTestSupport"]),
    .testTarget(name: "FFCDataTests", dependencies: ["FFCData", "FFCIR"]),
    .testTarget(
      name: "FFCRuntimeTests",
      dependencies: [
        "FFCDriver", "FFCFrontend", "FFCIR", "FFCRuntime", "FFCPasses", "FFCTestSupport",
      ]),
    .testTarget(
      name: "FFCGoldenTests", dependencies: ["FFCTestSupport"],
      exclude: ["Golden"]),
    .testTarget(
      name: "FFCEndToEndTests",
      dependencies: ["FFCDriver", "FFCIR", "FFCPasses", "FFCTensor", "FFCTestSupport", "ffc"]),
  ]
)

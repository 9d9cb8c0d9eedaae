// swift-tools-version:6.0
// ffc: a symbol-to-symbol differentiation compiler for feedforward networks.
// No third-party packages: the toolchain, its standard library and Foundation only.
import PackageDescription

// Kernels are chosen at run time, so the default build runs on any CPU of its architecture. The
// same Swift kernel sources (Sources/FFCKernels/Shared, linked into each directory) are compiled
// once per ISA, each module with its own target CPU; FFCTensor's dispatcher picks one from the
// CPU's features. Swift has no per-function target attributes, so the flag must be per module.
// Everything else, FFCTensor included, is built for the architecture baseline.
// The kernel modules are optimised in debug builds too: unoptimised generic SIMD code runs about
// a hundred times slower, and the tests run every kernel on every path.
let optimised: [SwiftSetting] = [
  .unsafeFlags(["-O"], .when(configuration: .debug))
]
#if arch(x86_64)
  let avx512Settings =
    optimised + [.define("FFC_AVX512"), .unsafeFlags(["-target-cpu", "skylake-avx512"])]
  let avx2Settings = optimised + [.define("FFC_AVX2"), .unsafeFlags(["-target-cpu", "haswell"])]
#else
  let avx512Settings = optimised
  let avx2Settings = optimised
#endif
// FFC_TARGET_CPU=<cpu> also builds the modules that hold the elementwise loops (each op's block
// loop is specialised in FFCIR) for one CPU: faster, but the binary then needs that CPU.
let hostSettings: [SwiftSetting] =
  Context.environment["FFC_TARGET_CPU"].map { [.unsafeFlags(["-target-cpu", $0])] } ?? []
let kernelModules: [Target] = [
  .target(name: "FFCKernelCore"),
  .target(
    name: "FFCKernelsAVX512", dependencies: ["FFCKernelCore"], path: "Sources/FFCKernels/AVX512",
    swiftSettings: avx512Settings),
  .target(
    name: "FFCKernelsAVX2", dependencies: ["FFCKernelCore"], path: "Sources/FFCKernels/AVX2",
    swiftSettings: avx2Settings),
  .target(
    name: "FFCKernelsGeneric", dependencies: ["FFCKernelCore"], path: "Sources/FFCKernels/Generic",
    swiftSettings: optimised),
]

let package = Package(
  name: "ffc",
  // The Synchronization module's atomics (the part pool, the interrupt flag) need macOS 15.
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "ffc", targets: ["ffc"]),
    .library(name: "FFCDriver", targets: ["FFCDriver"]),
  ],
  dependencies: [],
  targets: [
    // Layers, one-way: {Diagnostics, Tensor} <- IR <- {Frontend, Passes, Runtime, Data, Views,
    // Formats} <- Driver <- main; Frontend also reads safetensors (load) through Formats.
    .target(name: "FFCDiagnostics"),
    .target(
      name: "FFCTensor",
      dependencies: ["FFCKernelCore", "FFCKernelsAVX512", "FFCKernelsAVX2", "FFCKernelsGeneric"],
      swiftSettings: hostSettings),
    .target(
      name: "FFCIR", dependencies: ["FFCDiagnostics", "FFCTensor"], swiftSettings: hostSettings),
    .target(
      name: "FFCFrontend", dependencies: ["FFCDiagnostics", "FFCIR", "FFCFormats"]),
    .target(name: "FFCPasses", dependencies: ["FFCIR", "FFCTensor"]),
    .target(
      name: "FFCRuntime", dependencies: ["FFCIR", "FFCTensor"], swiftSettings: hostSettings),
    .target(name: "FFCData", dependencies: ["FFCDiagnostics", "FFCTensor", "FFCIR"]),
    .target(name: "FFCViews", dependencies: ["FFCTensor", "FFCIR"]),
    .target(name: "FFCFormats", dependencies: ["FFCDiagnostics", "FFCTensor", "FFCIR"]),
    .target(
      name: "FFCDriver",
      dependencies: [
        "FFCDiagnostics", "FFCTensor", "FFCIR", "FFCFrontend", "FFCPasses", "FFCRuntime", "FFCData",
        "FFCViews", "FFCFormats",
      ]),
    .executableTarget(name: "ffc", dependencies: ["FFCDriver"]),
    .executableTarget(
      name: "ffc-bench",
      dependencies: ["FFCDriver", "FFCIR", "FFCRuntime", "FFCTensor", "FFCViews"]),
    .target(
      name: "FFCTestSupport",
      dependencies: [
        "FFCDriver", "FFCFrontend", "FFCIR", "FFCPasses", "FFCRuntime", "FFCTensor",
      ]),
    .testTarget(name: "FFCDiagnosticsTests", dependencies: ["FFCDiagnostics"]),
    .testTarget(name: "FFCTensorTests", dependencies: ["FFCTensor", "FFCKernelCore"]),
    .testTarget(
      name: "FFCIRTests",
      dependencies: ["FFCIR", "FFCTensor", "FFCRuntime", "FFCPasses", "FFCTestSupport"]),
    .testTarget(
      name: "FFCFrontendTests", dependencies: ["FFCFrontend", "FFCIR", "FFCTestSupport"]),
    .testTarget(
      name: "FFCPassesTests",
      dependencies: [
        "FFCDriver", "FFCFrontend", "FFCIR", "FFCPasses", "FFCRuntime", "FFCTensor",
        "FFCTestSupport",
      ],
      exclude: ["Fixtures"]),
    .testTarget(name: "FFCDataTests", dependencies: ["FFCData", "FFCIR"]),
    .testTarget(name: "FFCViewsTests", dependencies: ["FFCViews", "FFCIR", "FFCTensor"]),
    .testTarget(name: "FFCFormatsTests", dependencies: ["FFCFormats", "FFCIR", "FFCTensor"]),
    .testTarget(
      name: "FFCRuntimeTests",
      dependencies: [
        "FFCData", "FFCDriver", "FFCFrontend", "FFCIR", "FFCRuntime", "FFCPasses",
        "FFCTestSupport",
      ]),
    .testTarget(
      name: "FFCGoldenTests", dependencies: ["FFCTestSupport"],
      exclude: ["Golden"]),
    .testTarget(
      name: "FFCEndToEndTests",
      dependencies: [
        "FFCDriver", "FFCFrontend", "FFCIR", "FFCPasses", "FFCRuntime", "FFCTensor",
        "FFCTestSupport", "ffc",
      ]),
  ] + kernelModules
)

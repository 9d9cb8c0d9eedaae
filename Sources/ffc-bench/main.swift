// Compile-time and graph-size benchmark: parse -> forward graph -> Differentiate -> optimised
// gradient graph -> fusion -> plan, for tanh MLPs of growing depth, with the training step's op
// count (forward + gradient + one update per parameter, as PyTensor counts). Run in release mode:
//
//     swift run -c release ffc-bench [--depths 10,100,1000] [--width 32] [--repeat 5]
//
//     swift run -c release ffc-bench --step [--width 256] [--batch 128] [--repeat 20]
//
// times one training step (forward + gradient) of a 2-hidden-layer tanh MLP through the compiled
// plan in f32 and f64, and
//
//     swift run -c release ffc-bench --gemm 2048 [--transpose none|a|b] [--update] [--repeat 5]
//
// times the matrix-product kernel alone on an n × n × n product (or m × k × n: `--gemm 256,2048,2048`),
// in f32 and f64, on 1 thread and on every core (`--transpose b` multiplies by Bᵀ, as a layer's
// input gradient dZ·Wᵀ does; `--transpose a` by Aᵀ, as its weight gradient Xᵀ·dZ; `--update`
// moves C by the product as a fused SGD step does), each also as a share of the path's FMA
// ceiling, and
//
//     swift run -c release ffc-bench --ceiling
//
// measures that ceiling (AVX2 and AVX-512, f32 and f64, 1 thread and every core), and
//
//     swift run -c release ffc-bench --layout [--depths 10,100,1000] [--repeat 5]
//
// times the layered layout of each MLP's whole differentiated graph, and the `ffc view` page.
// They print Markdown tables; the README keeps the figures with the machine they came from.
import FFCDriver
import FFCIR
import FFCRuntime
import FFCTensor
import Foundation

struct Options {
  var depths = [10, 100, 1000]
  var width = 32
  var repeats = 5
  var step = false
  var layout = false
  var ceiling = false
  var batch = 128
  /// m, k, n of the product `--gemm` times.
  var gemm: (m: Int, k: Int, n: Int)?
  var transpose = "none"
  var update = false

  init(_ arguments: [String]) throws {
    var index = 0
    while index < arguments.count {
      let flag = arguments[index]
      if ["--step", "--layout", "--ceiling", "--update"].contains(flag) {
        switch flag {
        case "--step": step = true
        case "--layout": layout = true
        case "--update": update = true
        default: ceiling = true
        }
        index += 1
        continue
      }
      guard index + 1 < arguments.count else { throw BenchError("option '\(flag)' needs a value") }
      let value = arguments[index + 1]
      switch flag {
      case "--depths":
        depths = try value.split(separator: ",").map { text in
          guard let n = Int(text), n >= 1 else { throw BenchError("bad depth '\(text)'") }
          return n
        }
      case "--width":
        guard let n = Int(value), n >= 1 else { throw BenchError("bad width '\(value)'") }
        width = n
      case "--batch":
        guard let n = Int(value), n >= 1 else { throw BenchError("bad batch size '\(value)'") }
        batch = n
      case "--gemm":
        let sizes = value.split(separator: ",").compactMap { Int($0) }.filter { $0 >= 1 }
        guard sizes.count == 1 || sizes.count == 3,
          sizes.count == value.split(separator: ",", omittingEmptySubsequences: false).count
        else { throw BenchError("bad product size '\(value)': n or m,k,n") }
        gemm = sizes.count == 1 ? (sizes[0], sizes[0], sizes[0]) : (sizes[0], sizes[1], sizes[2])
      case "--transpose":
        guard ["none", "a", "b"].contains(value) else {
          throw BenchError("bad transpose '\(value)': none, a or b")
        }
        transpose = value
      case "--repeat":
        guard let n = Int(value), n >= 1 else { throw BenchError("bad repeat count '\(value)'") }
        repeats = n
      default:
        throw BenchError(
          "unknown option '\(flag)'; options: --depths 10,100,1000 --width 32 --repeat 5, "
            + "--step [--width --batch], --gemm N|M,K,N [--transpose none|a|b] [--update], --ceiling, "
            + "--layout")
      }
      index += 2
    }
  }
}

struct BenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

func seconds(_ body: () -> Void) -> Double {
  let start = DispatchTime.now().uptimeNanoseconds
  body()
  return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

/// The optimised gradient graph of `text` as the driver compiles it; `fuse`: with the elementwise
/// chains fused, as `ffc run` and `ffc train` execute it.
func gradientGraph(_ text: String, path: String, fuse: Bool) throws -> Graph {
  let result = Compilation.compile(
    SourceFile(path: path, text: text),
    options: .init(differentiate: true, optimize: true, fuse: fuse))
  guard case .success(let (compilation, _)) = result else {
    throw BenchError("\(path) did not compile")
  }
  return compilation.graph
}

/// Seconds of CPU time the process spent (all threads) running `body`: on a machine shared with
/// other work, FLOPs per CPU-second measure the kernel where wall time measures the load.
func cpuSeconds(_ body: () -> Void) -> Double {
  func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }
  let start = now()
  body()
  return now() - start
}

func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  return sorted[sorted.count / 2]
}

/// One forward + gradient evaluation of a depth-2 MLP through the plan (fused), median of
/// `repeats`.
func stepBenchmark(_ options: Options) throws {
  let text = MLPGenerator.program(depth: 2, width: options.width)
  // The graph as `ffc run` and `ffc train` execute it: elementwise chains fused.
  let graph = try gradientGraph(text, path: "mlp2.ffn", fuse: true)
  let feeds = [
    "X": Tensor(repeating: 0.5, shape: [options.batch, options.width]),
    "Y": Tensor(repeating: 0.1, shape: [options.batch, options.width]),
  ]
  let leaves = try LeafValues(graph, feeds: feeds, seed: 1)
  // Forward and backward: 3 matrix products per layer of 2·batch·width² flops each.
  let flops = 2.0 * 3 * 2 * Double(options.batch * options.width * options.width)
  print(
    "| precision | batch × width | step (median of \(options.repeats)) | GFLOP/s in matmuls | peak memory |"
  )
  print("| --- | ---: | ---: | ---: | ---: |")
  func measure<T: PlanScalar>(_: T.Type) throws {
    let plan = try Plan<T>(graph, leaves: leaves)
    plan.run()
    let time = median((0..<options.repeats).map { _ in seconds { plan.run() } })
    print(
      "| \(T.precision) | \(options.batch) × \(options.width) | \(String(format: "%.3f", time * 1000)) ms | \(String(format: "%.2f", flops / time / 1e9)) | \(plan.statistics.peakBytes / 1024) KiB |"
    )
  }
  try measure(Float.self)
  try measure(Double.self)
}

/// The kernel alone on an m × k × n product with its workspace, median of `repeats` after one
/// warm-up call, on 1 thread and on `Compute.threadLimit`; `update`: C a parameter the product
/// moves (a fused SGD step, `ProductUpdate`), not a product stored.
func gemmBenchmark(
  _ size: (m: Int, k: Int, n: Int), transpose: String, update: Bool, repeats: Int
) throws {
  let (m, k, n) = size
  print("kernels f32: \(Compute.kernelSummary(Float.self))")
  print("kernels f64: \(Compute.kernelSummary(Double.self))\n")
  print(
    "| precision | m × k × n | threads | median ms | GFLOP/s | GFLOP per CPU-second, per thread "
      + "| share of the path's FMA ceiling (per CPU-second) |")
  print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
  // The ceiling of the path the product runs on, per CPU-second of one thread: the kernel's
  // figure per CPU-second divided by it is its efficiency, whatever else the machine runs.
  var ceilings: [Precision: Double] = [:]
  if probedISAs.contains(Compute.isa) {
    ceilings[.f32] = measureCeiling(Float.self, isa: Compute.isa, threads: 1).perCPUSecond
    ceilings[.f64] = measureCeiling(Double.self, isa: Compute.isa, threads: 1).perCPUSecond
  }
  // Several threads run the product split both ways, alternated call by call so that both see
  // the same moments of a shared machine: split ahead (a part of C per thread) and shared
  // panels (slices claimed as threads come free).
  func measure<T: KernelScalar>(_: T.Type, threads: Int) throws {
    let (ta, tb) = (transpose == "a", transpose == "b")
    let splits: [(Compute.ThreadSplit, String)] =
      threads == 1 ? [(.automatic, "1")] : [(.ahead, "split ahead"), (.shared, "shared panels")]
    let layouts = splits.map { split, _ in
      var layout = Compute.MatMulLayout(
        a: ta ? [k, m] : [m, k], b: tb ? [n, k] : [k, n], transposeA: ta, transposeB: tb,
        maxThreads: threads)
      layout.threadSplit = split
      return layout
    }
    var rng = SplitMix64(seed: 7)
    // The operands, C and the scratch in buffers from the plan's allocator (each on a cache
    // line, as a plan's values are), not Swift arrays (16 bytes past one).
    func buffer(_ count: Int) throws -> UnsafeMutablePointer<T> {
      try MemoryBudget.allocate(Swift.max(1, count), of: "the product's operands", at: nil)
    }
    let (a, b, c) = (try buffer(m * k), try buffer(k * n), try buffer(m * n))
    let scratch = try buffer(layouts.map { $0.workspaceCount(T.self) }.max()!)
    defer { for p in [a, b, c, scratch] { MemoryBudget.release(p) } }
    for i in 0..<m * k { a[i] = T(rng.uniform(-1, 1)) }
    for i in 0..<k * n { b[i] = T(rng.uniform(-1, 1)) }
    // A tiny rate keeps the moved parameter finite over the repeats.
    let step = update ? ProductUpdate<T>(rate: 1e-9, decay: 0) : nil
    var (walls, cpus) = (
      [[Double]](repeating: [], count: layouts.count),
      [[Double]](repeating: [], count: layouts.count)
    )
    for _ in 0...repeats {
      for (index, layout) in layouts.enumerated() {
        var wall = 0.0
        cpus[index].append(
          cpuSeconds {
            wall = seconds {
              Compute.matmul(a, b, c, layout, workspace: scratch, update: step)
            }
          })
        walls[index].append(wall)
      }
    }
    for (index, layout) in layouts.enumerated() {
      let time = median(Array(walls[index].dropFirst()))
      let perCPU = layout.flops / median(Array(cpus[index].dropFirst())) / 1e9
      let share = ceilings[T.precision].map { String(format: "%.0f%%", 100 * perCPU * 1e9 / $0) }
      let label = threads == 1 ? "1" : "\(threads), \(splits[index].1)"
      print(
        "| \(T.precision) | \(m) × \(k) × \(n) | \(label) | \(String(format: "%.1f", time * 1000)) | \(String(format: "%.1f", layout.flops / time / 1e9)) | \(String(format: "%.1f", perCPU)) | \(share ?? "–") |"
      )
    }
  }
  for threads in Set([1, Compute.threadLimit]).sorted() {
    try measure(Float.self, threads: threads)
  }
  for threads in Set([1, Compute.threadLimit]).sorted() {
    try measure(Double.self, threads: threads)
  }
}

/// PyTensor's training graph of the same MLPs (apply nodes after its fusion, with the SGD
/// updates), from ../shared/bench/anchors/results.md.
let pytensorNodes = [10: 120, 100: 1020]

/// Compile time (parse, forward graph, Differentiate, optimiser, fusion, plan for batch 32) and the
/// size of each graph, for tanh MLPs of each depth.
func compileBenchmark(_ options: Options) throws {
  print(
    "| depth | forward nodes | gradient nodes | training-step ops (fused) | PyTensor | compile + plan (median of \(options.repeats)) | fastest | per layer |"
  )
  print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
  for depth in options.depths {
    let text = MLPGenerator.program(depth: depth, width: options.width)
    let path = "mlp\(depth).ffn"
    var fusedGraph: Graph?
    var times: [Double] = []
    for _ in 0..<options.repeats {
      times.append(
        seconds {
          fusedGraph = try? gradientGraph(text, path: path, fuse: true)
          if let fusedGraph { _ = try? Plan<Float>(fusedGraph, bindings: ["N": 32]) }
        })
    }
    guard let fused = fusedGraph else { throw BenchError("depth \(depth) did not compile") }
    // The optimised gradient graph as `compile --emit-grad` prints it: what fusion was given.
    let unfused = try gradientGraph(text, path: path, fuse: false)
    let gradient = unfused.gradientNodeCount
    let forward = unfused.nodes.count - gradient
    let time = median(times)
    let peer = pytensorNodes[depth].map(String.init) ?? "–"
    print(
      "| \(depth) | \(forward) | \(gradient) | \(fused.trainingStepOperationCount) | \(peer) "
        + "| \(String(format: "%.2f", time * 1000)) ms | \(String(format: "%.2f", (times.min() ?? 0) * 1000)) ms "
        + "| \(String(format: "%.1f", time / Double(depth) * 1e6)) µs |")
  }
}

do {
  if let problem = Compute.isaChoice.problem { throw BenchError(problem) }
  let options = try Options(Array(CommandLine.arguments.dropFirst()))
  if let size = options.gemm {
    try gemmBenchmark(
      size, transpose: options.transpose, update: options.update, repeats: options.repeats)
    exit(0)
  }
  if options.ceiling {
    ceilingBenchmark()
    exit(0)
  }
  if options.step {
    try stepBenchmark(options)
    exit(0)
  }
  if options.layout {
    try layoutBenchmark(options)
    exit(0)
  }
  try compileBenchmark(options)
} catch {
  FileHandle.standardError.write(Data("ffc-bench: error: \(error)\n".utf8))
  exit(2)
}

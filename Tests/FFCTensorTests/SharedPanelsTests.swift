import Dispatch
import FFCTensor
import Testing

/// Large products whose threads share packed panels and claim blocks as they come free
/// (`SharedPanels`): the same bits as one thread's loop, whoever runs which item, and the
/// blocking chooses them only for products large enough.
@Suite struct SharedPanelsTests {
  /// Run directly at the kernel level on small shapes (tiny blocks and chunks, so many panels,
  /// both buffers reused, ragged last blocks, chunks and depths), by 1, 2 and 3 threads on every
  /// path, plain, with a fused epilogue and moving a parameter: bit-identical to the one-thread
  /// loop with the same depth blocks.
  @Test func everySplitGivesTheOneThreadBits() {
    compare(Float.self)
    compare(Double.self)
    func compare<T: KernelScalar>(_: T.Type) {
      for (m, k, n) in [(100, 70, 90), (13, 5, 40), (64, 33, 7)] {
        var rng = SplitMix64(seed: UInt64(m * 31 + k * 7 + n))
        let a = (0..<m * k).map { _ in T(rng.uniform(-1, 1)) }
        let b = (0..<k * n).map { _ in T(rng.uniform(-1, 1)) }
        let bias = (0..<n).map { _ in T(rng.uniform(-1, 1)) }
        let mask = (0..<m * n).map { _ in T(rng.uniform(-1, 1)) }
        let start = (0..<m * n).map { _ in T(rng.uniform(-1, 1)) }
        for isa in MatMulKernelTests.paths {
          for kind in Kind.allCases {
            let operands = Operands(a: a, b: b, bias: bias, mask: mask, start: start)
            let reference = run(operands, m: m, k: k, n: n, kind: kind, threads: 0, isa: isa)
            for threads in [1, 2, 3] {
              let shared = run(operands, m: m, k: k, n: n, kind: kind, threads: threads, isa: isa)
              #expect(
                reference.elementsEqual(shared) { $0 == $1 && $0.sign == $1.sign },
                "\(isa) \(T.self) \(m)x\(k)x\(n) \(kind) threads \(threads)")
            }
          }
        }
      }
    }
  }

  enum Kind: CaseIterable { case plain, epilogue, update }

  struct Operands<T> {
    let a: [T]
    let b: [T]
    let bias: [T]
    let mask: [T]
    let start: [T]
  }

  /// The product by `threads` threads sharing panels, or by the one-thread loop (0).
  func run<T: KernelScalar>(
    _ x: Operands<T>, m: Int, k: Int, n: Int, kind: Kind, threads: Int, isa: KernelISA
  ) -> [T] {
    let (mr, nr) = (isa.kernels.tileRows, T.tileColumns(isa.kernels))
    let (kc, nc, blockRows) = (16, 2 * nr, 2 * mr)
    let schedule =
      threads == 0
      ? nil
      : SharedPanels(
        m: m, k: k, n: n, kc: kc, nc: nc, blockRows: blockRows, chunkColumns: nr, mr: mr,
        nr: nr)
    let aCount = blockRows * kc
    var c = kind == .update ? x.start : [T](repeating: .nan, count: m * n)
    var scratch = [T](
      repeating: .nan, count: schedule?.scratchCount ?? (aCount + kc * nc))
    x.a.withUnsafeBufferPointer { a in
      x.b.withUnsafeBufferPointer { b in
        x.bias.withUnsafeBufferPointer { bias in
          x.mask.withUnsafeBufferPointer { mask in
            c.withUnsafeMutableBufferPointer { c in
              scratch.withUnsafeMutableBufferPointer { scratch in
                let epilogue =
                  kind == .epilogue
                  ? ProductEpilogue(
                    bias: bias.baseAddress!, activation: .relu, mask: mask.baseAddress!,
                    maskRowStride: n) : nil
                let part = ProductPart(
                  a: StridedMatrix(a.baseAddress!, rowStride: k, columnStride: 1),
                  b: StridedMatrix(b.baseAddress!, rowStride: 1, columnStride: k),
                  c: c.baseAddress!, ldc: n, m: m, k: k, n: n, mc: blockRows, kc: kc, nc: nc,
                  aCount: aCount, scratch: scratch.baseAddress!, epilogue: epilogue,
                  update: kind == .update ? ProductUpdate(rate: T(0.1), decay: T(0.01)) : nil,
                  shared: schedule)
                let task = UncheckedTask { T.blockedProduct(isa.kernels, part) }
                DispatchQueue.concurrentPerform(iterations: Swift.max(1, threads)) { _ in
                  task.body()
                }
              }
            }
          }
        }
      }
    }
    return c
  }

  struct UncheckedTask: @unchecked Sendable {
    let body: () -> Void
  }

  /// Only products split between threads and large enough share panels; their items are
  /// several per thread, blocks a whole number of tiles tall and as tall as the caches allow,
  /// and the scratch holds both buffers of both operands.
  @Test func onlyLargeSplitProductsSharePanels() {
    let xeon = CPUInfo(vendor: .intel, l1Data: 48 << 10, l2: 2 << 20, l3: 260 << 20, cores: 2)
    func blocking(_ m: Int, _ k: Int, _ n: Int, threads: Int) -> GEMMBlocking {
      var layout = Compute.MatMulLayout(
        a: [m, k], b: [k, n], transposeA: false, transposeB: false, maxThreads: threads)
      layout.isa = .avx512
      return GEMMBlocking(layout, Float.self, cpu: xeon)
    }
    #expect(!blocking(2048, 2048, 2048, threads: 1).sharesPanels)
    #expect(!blocking(128, 784, 256, threads: 2).sharesPanels)
    for (m, k, n) in [(2048, 2048, 2048), (256, 2048, 2048), (2048, 256, 2048), (512, 512, 512)] {
      let split = blocking(m, k, n, threads: 2)
      #expect(split.sharesPanels, "\(m)x\(k)x\(n)")
      let items =
        (m + split.blockRows - 1) / split.blockRows
        * ((Swift.min(n, split.nc) + split.chunkColumns - 1) / split.chunkColumns)
      #expect(items >= 16 && split.blockRows % split.mr == 0 && split.chunkColumns % split.nr == 0)
      #expect(split.blockRows <= split.mc || split.blockRows == m)
    }
    // W4's forward product: one block of its 256 rows, B in sixteen chunks of four slivers.
    let w4 = blocking(256, 2048, 2048, threads: 2)
    #expect(w4.blockRows == 258 && w4.chunkColumns == 128)
  }

  /// Through `Compute.matmul`: a product just large enough to share panels gives the bits of one
  /// thread, A and B plain or transposed, and touches nothing past its workspace.
  @Test func sharedProductsMatchOneThread() {
    let (m, k, n) = (512, 512, 512)
    var rng = SplitMix64(seed: 5)
    let a = (0..<m * k).map { _ in Float(rng.uniform(-1, 1)) }
    let b = (0..<k * n).map { _ in Float(rng.uniform(-1, 1)) }
    for (ta, tb) in MatMulKernelTests.transposes {
      let results = [1, 2].map { threads in
        let layout = Compute.MatMulLayout(
          a: [m, k], b: [k, n], transposeA: ta, transposeB: tb, maxThreads: threads)
        let count = layout.workspaceCount(Float.self)
        let guardCount = 64
        var space = [Float](repeating: .nan, count: count + guardCount)
        var c = [Float](repeating: .nan, count: m * n)
        space.withUnsafeMutableBufferPointer { scratch in
          Compute.matmul(a, b, &c, layout, workspace: scratch.baseAddress!)
        }
        #expect(space[count...].allSatisfy { $0.isNaN }, "wrote past the workspace")
        return c
      }
      #expect(results[0] == results[1], "ta \(ta) tb \(tb)")
    }
  }
}

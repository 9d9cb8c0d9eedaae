import FFCTensor
import Testing

/// The fast matrix product (`Compute.matmul`: plain loops, the packed kernel, its threads) against
/// a naive triple loop in f64, on shapes chosen to hit every edge of the blocking, on every kernel
/// path (`KernelISA`) the machine running the tests supports.
@Suite struct MatMulKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  /// (m, k, n): tiny, primes, exact tiles, ragged tiles, k across the depth block (256 in both
  /// precisions), m across the row block (240 in f32, 120 in f64), n across the column panel
  /// (4096), and products
  /// large enough to be split between threads by columns (n ≥ m) or by rows.
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 13, 5), (2, 3, 4), (6, 16, 16), (12, 32, 32), (5, 17, 15), (20, 20, 20),
    (13, 300, 17), (241, 9, 33), (37, 513, 70), (7, 8, 4100), (50, 300, 150), (300, 130, 61),
  ]

  static let transposes: [(Bool, Bool)] = [
    (false, false), (true, false), (false, true), (true, true),
  ]

  @Test(arguments: shapes)
  func doubleMatchesTheDefinition(m: Int, k: Int, n: Int) {
    for (ta, tb) in Self.transposes {
      check(Double.self, m: m, k: k, n: n, ta: ta, tb: tb, threads: [1, 2, 3], paths: Self.paths)
    }
  }

  @Test(arguments: shapes)
  func floatMatchesTheDefinition(m: Int, k: Int, n: Int) {
    for (ta, tb) in Self.transposes {
      check(Float.self, m: m, k: k, n: n, ta: ta, tb: tb, threads: [1, 2], paths: Self.paths)
    }
  }

  /// Enough rows to cross the row block the caches give (mc: a few hundred rows of A in half of
  /// L2), on every path, split between threads both ways.
  @Test func rowBlocksFromTheCachesAreCrossed() {
    for (ta, tb) in [(false, false), (true, true)] {
      check(Float.self, m: 1100, k: 200, n: 13, ta: ta, tb: tb, threads: [2], paths: Self.paths)
      check(Double.self, m: 700, k: 150, n: 9, ta: tb, tb: ta, threads: [1], paths: Self.paths)
    }
  }

  /// The block sizes follow the caches and the path's register tile: kc and mc from L2, nc from
  /// L3, each a whole number of tiles, and a larger cache never gives a smaller block.
  @Test func blockingFollowsTheCaches() {
    let small = CPUInfo(l1Data: 32 << 10, l2: 512 << 10, l3: 32 << 20, cores: 8)
    let large = CPUInfo(l1Data: 48 << 10, l2: 2 << 20, l3: 48 << 20, cores: 2)
    for isa in KernelISA.allCases {
      for cpu in [small, large] {
        let (mc, kc, nc) = GEMMBlocking.limits(Float.self, isa.kernels, cpu)
        let (mr, nr) = (isa.kernels.tileRows, isa.kernels.floatTileColumns)
        #expect(kc * nr * 4 <= cpu.l2 / 16 && kc <= 512 && kc % 16 == 0, "\(isa): kc \(kc)")
        #expect(mc * kc * 4 <= cpu.l2 / 2 && mc % mr == 0, "\(isa): mc \(mc)")
        #expect(nc % nr == 0 && nc >= nr, "\(isa): nc \(nc)")
      }
      let (smallBlocks, largeBlocks) = (
        GEMMBlocking.limits(Double.self, isa.kernels, small),
        GEMMBlocking.limits(Double.self, isa.kernels, large)
      )
      #expect(largeBlocks.kc >= smallBlocks.kc && largeBlocks.mc >= smallBlocks.mc)
    }
  }

  /// C's tiles are prefetched when a part's C, beside its packed A and B, outgrows L2 (W4's
  /// 256 × 1024 per thread), not when it stays there (W1's 128 × 256).
  @Test func prefetchesCOnlyWhenItLeavesL2() {
    let zen4 = CPUInfo(l1Data: 32 << 10, l2: 1 << 20, l3: 32 << 20, cores: 2)
    func blocking(_ m: Int, _ k: Int, _ n: Int, threads: Int) -> GEMMBlocking {
      let layout = Compute.MatMulLayout(
        a: [m, k], b: [k, n], transposeA: false, transposeB: false, maxThreads: threads)
      return GEMMBlocking(layout, Float.self, cpu: zen4)
    }
    #expect(blocking(256, 2048, 2048, threads: 2).prefetchesC)
    #expect(blocking(2048, 2048, 2048, threads: 1).prefetchesC)
    #expect(!blocking(128, 784, 256, threads: 1).prefetchesC)
    // With a 2 MiB L2 a part's 1 MiB of C fits alone, not beside its packed A and B.
    let emeraldRapids = CPUInfo(
      vendor: .intel, l1Data: 48 << 10, l2: 2 << 20, l3: 260 << 20, cores: 2)
    func onIntel(_ m: Int, _ k: Int, _ n: Int, threads: Int) -> GEMMBlocking {
      let layout = Compute.MatMulLayout(
        a: [m, k], b: [k, n], transposeA: false, transposeB: false, maxThreads: threads)
      return GEMMBlocking(layout, Float.self, cpu: emeraldRapids)
    }
    #expect(onIntel(256, 2048, 2048, threads: 2).prefetchesC)
    #expect(!onIntel(128, 784, 256, threads: 2).prefetchesC)
  }

  /// Without a workspace the kernel allocates its own scratch (callers outside a plan).
  @Test func worksWithoutAWorkspace() {
    check(Float.self, m: 40, k: 70, n: 90, ta: true, tb: false, threads: 2, workspace: false)
    check(Double.self, m: 40, k: 70, n: 90, ta: false, tb: true, threads: 1, workspace: false)
  }

  /// Large panels of B are packed sliver by sliver only on AMD's cores (measured faster there,
  /// slower on an Intel Xeon); a panel within half of L2 is packed whole everywhere. The vendor
  /// comes from the cpuid string the OS reports.
  @Test func interleavedPackingOnlyOnAMD() {
    func blocking(_ vendor: CPUInfo.Vendor, _ m: Int, _ k: Int, _ n: Int) -> GEMMBlocking {
      let cpu = CPUInfo(vendor: vendor, l1Data: 32 << 10, l2: 1 << 20, l3: 32 << 20, cores: 2)
      let layout = Compute.MatMulLayout(
        a: [m, k], b: [k, n], transposeA: false, transposeB: false, maxThreads: 1)
      return GEMMBlocking(layout, Float.self, cpu: cpu)
    }
    #expect(blocking(.amd, 256, 2048, 2048).interleavesPackingB)
    #expect(!blocking(.intel, 256, 2048, 2048).interleavesPackingB)
    #expect(!blocking(.other, 256, 2048, 2048).interleavesPackingB)
    #expect(!blocking(.amd, 128, 784, 256).interleavesPackingB)
    #expect(CPUInfo.vendor(named: "vendor_id\t: AuthenticAMD") == .amd)
    #expect(CPUInfo.vendor(named: "vendor_id\t: GenuineIntel") == .intel)
    #expect(CPUInfo.vendor(named: "CentaurHauls") == .other)
  }

  /// The packed kernel starts its scratch on the next cache line (`GEMMBlocking.lineAligned`)
  /// wherever the caller's workspace starts: from every element offset within a line, the
  /// product is the same and nothing past `workspaceCount` elements is touched.
  @Test func scratchStartsOnALineFromAnyOffset() {
    let (m, k, n) = (50, 300, 150)
    let a = (0..<m * k).map { Float(($0 * 7) % 13) - 6 }
    let b = (0..<k * n).map { Float(($0 * 5) % 11) - 5 }
    let layout = Compute.MatMulLayout(a: [m, k], b: [k, n], transposeA: false, transposeB: false)
    let count = layout.workspaceCount(Float.self)
    let reference = product(a, b, m: m, k: k, n: n, ta: false, tb: false, threads: 1)
    for offset in 0..<16 {
      let guardCount = 32
      var space = [Float](repeating: .nan, count: offset + count + guardCount)
      var c = [Float](repeating: .nan, count: m * n)
      space.withUnsafeMutableBufferPointer { scratch in
        Compute.matmul(a, b, &c, layout, workspace: scratch.baseAddress! + offset)
      }
      #expect(c == reference, "offset \(offset)")
      #expect(space[(offset + count)...].allSatisfy { $0.isNaN }, "wrote past the workspace")
    }
    let line = 64
    for address in stride(from: 4096, to: 4096 + 2 * line, by: 4) {
      let start = UnsafeMutablePointer<Float>(bitPattern: address)!
      let aligned = GEMMBlocking.lineAligned(start)
      #expect(Int(bitPattern: aligned) % line == 0)
      #expect(aligned - start >= 0 && aligned - start < line / 4)
    }
  }

  /// Vectors: `x @ W` (m = 1), `W @ x` (n = 1) and `x @ y`, as rank-1 operands and as one-row or
  /// one-column matrices.
  @Test(arguments: [1, 2, 7, 300])
  func vectorProducts(size: Int) {
    for (ta, tb) in Self.transposes {
      check(Double.self, m: 1, k: size, n: 9, ta: ta, tb: tb, threads: 2)
      check(Double.self, m: 9, k: size, n: 1, ta: ta, tb: tb, threads: 2)
      check(Float.self, m: 1, k: size, n: 300, ta: ta, tb: tb, threads: 2)
      check(Float.self, m: 300, k: size, n: 1, ta: ta, tb: tb, threads: 2)
    }
    check(Double.self, m: 1, k: size, n: 20, ta: false, tb: false, threads: 1, aVector: true)
    check(Float.self, m: 20, k: size, n: 1, ta: true, tb: false, threads: 1, bVector: true)
    check(
      Double.self, m: 1, k: size, n: 1, ta: false, tb: false, threads: 1, aVector: true,
      bVector: true)
  }

  /// A NaN or an infinity in A reaches its whole row of C even where B is zero (0 · NaN and
  /// 0 · ∞ are NaN): no zero is skipped, in the plain loops and in the packed kernel alike.
  @Test(arguments: [(3, 4, 5), (50, 300, 150), (30, 40, 1), (1, 40, 30)])
  func nanAndInfinityPropagate(m: Int, k: Int, n: Int) {
    for (ta, tb) in Self.transposes {
      for poison in [Double.nan, .infinity] {
        var a = [Double](repeating: 0, count: m * k)
        a[ta ? (k - 1) * m + (m - 1) : (m - 1) * k + k - 1] = poison
        let b = [Double](repeating: 0, count: k * n)
        let c = product(a, b, m: m, k: k, n: n, ta: ta, tb: tb, threads: 2)
        for i in 0..<m {
          for j in 0..<n {
            #expect(
              i == m - 1 ? c[i * n + j].isNaN : c[i * n + j] == 0,
              "(\(i), \(j)) of \(m)x\(k)x\(n) ta \(ta) tb \(tb)")
          }
        }
      }
    }
  }

  /// The same product split between 1, 2 or 3 threads gives bit-identical results.
  @Test func threadsDoNotChangeTheResult() {
    let (m, k, n) = (70, 260, 200)
    var rng = SplitMix64(seed: 11)
    let a = (0..<m * k).map { _ in Float(rng.uniform(-1, 1)) }
    let b = (0..<k * n).map { _ in Float(rng.uniform(-1, 1)) }
    let results = [1, 2, 3].map {
      product(a, b, m: m, k: k, n: n, ta: false, tb: true, threads: $0)
    }
    #expect(results[0] == results[1] && results[1] == results[2])
  }

  /// B's panel packed whole before the sweep or sliver by sliver during the first row block's
  /// sweep (`interleavesPackingB`, chosen for panels larger than L2 holds beside A's block,
  /// the next sliver's lines prefetched), with or without C's tiles prefetched (`prefetchesC`),
  /// gives bit-identical C, on every path, in both precisions, B plain and transposed, with
  /// several row blocks (later ones reuse the panel), k across two depth blocks, n across two
  /// panels and a ragged last sliver.
  @Test func packingBSliverBySliverIsBitIdentical() {
    check(Float.self)
    check(Double.self)
    func check<T: KernelScalar>(_: T.Type) {
      let (m, k, n) = (50, 70, 75)
      var rng = SplitMix64(seed: 17)
      let a = (0..<m * k).map { _ in T(rng.uniform(-1, 1)) }
      let b = (0..<k * n).map { _ in T(rng.uniform(-1, 1)) }
      for isa in Self.paths {
        let nr = T.tileColumns(isa.kernels)
        for tb in [false, true] {
          let results = [(false, false), (true, false), (false, true), (true, true)].map {
            run(
              a, b, m: m, k: k, n: n, tb: tb, mc: 2 * isa.kernels.tileRows, kc: 40, nc: 2 * nr,
              interleaved: $0.0, prefetchesC: $0.1, isa: isa)
          }
          // Equal and of the same sign (no NaN here): the same bits.
          for result in results.dropFirst() {
            #expect(
              results[0].elementsEqual(result) { $0 == $1 && $0.sign == $1.sign },
              "\(isa) \(T.self) tb \(tb)")
          }
        }
      }
    }
    func run<T: KernelScalar>(
      _ a: [T], _ b: [T], m: Int, k: Int, n: Int, tb: Bool, mc: Int, kc: Int, nc: Int,
      interleaved: Bool, prefetchesC: Bool, isa: KernelISA
    ) -> [T] {
      let mr = isa.kernels.tileRows
      let aCount = (mc + mr - 1) / mr * mr * kc
      var c = [T](repeating: .nan, count: m * n)
      var scratch = [T](repeating: .nan, count: aCount + kc * nc)
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            scratch.withUnsafeMutableBufferPointer { scratch in
              let part = ProductPart(
                a: StridedMatrix(a.baseAddress!, rowStride: k, columnStride: 1),
                b: StridedMatrix(b.baseAddress!, rowStride: tb ? 1 : n, columnStride: tb ? k : 1),
                c: c.baseAddress!, ldc: n, m: m, k: k, n: n, mc: mc, kc: kc, nc: nc,
                aCount: aCount, scratch: scratch.baseAddress!, interleavesPackingB: interleaved,
                prefetchesC: prefetchesC)
              T.blockedProduct(isa.kernels, part)
            }
          }
        }
      }
      return c
    }
  }

  /// Products whose operands fit in L1 read A and B in place (`readsInPlace`): C is
  /// bit-identical to the packed path's on every path, in both precisions, A and B plain and
  /// transposed, with ragged rows and columns, k across two depth blocks, and A or B only one
  /// step deep. W3's 32 × 64 × 64 takes this path; so does a product split between two threads.
  @Test func readingInPlaceIsBitIdentical() {
    let l1 = CPUInfo(l1Data: 32 << 10, l2: 1 << 20, l3: 32 << 20, cores: 2)
    for isa in Self.paths {
      var layout = Compute.MatMulLayout(
        a: [32, 64], b: [64, 64], transposeA: false, transposeB: false, maxThreads: 2)
      layout.isa = isa
      #expect(GEMMBlocking(layout, Float.self, cpu: l1).readsInPlace)
      layout = Compute.MatMulLayout(
        a: [1100, 2], b: [2, 1030], transposeA: false, transposeB: false, maxThreads: 2)
      layout.isa = isa
      let split = GEMMBlocking(layout, Float.self, cpu: l1)
      #expect(split.readsInPlace && split.parts == 2)
    }
    self.check(
      Float.self, m: 1100, k: 2, n: 1030, ta: false, tb: true, threads: [1, 2], paths: Self.paths)
    compare(Float.self)
    compare(Double.self)
    func compare<T: KernelScalar>(_: T.Type) {
      let shapes = [(32, 64, 64), (7, 13, 5), (13, 70, 37), (6, 16, 16), (64, 32, 64), (5, 1, 9)]
      for (m, k, n) in shapes {
        var rng = SplitMix64(seed: UInt64(m * 1009 + k * 31 + n))
        let a = (0..<m * k).map { _ in T(rng.uniform(-1, 1)) }
        let b = (0..<k * n).map { _ in T(rng.uniform(-1, 1)) }
        for isa in Self.paths {
          for (ta, tb) in Self.transposes {
            for kc in [k, 40] where kc <= k {
              let results = [false, true].map { inPlace in
                run(a, b, m: m, k: k, n: n, ta: ta, tb: tb, kc: kc, inPlace: inPlace, isa: isa)
              }
              #expect(
                results[0].elementsEqual(results[1]) { $0 == $1 && $0.sign == $1.sign },
                "\(isa) \(T.self) \(m)x\(k)x\(n) ta \(ta) tb \(tb) kc \(kc)")
            }
          }
        }
      }
    }
    func run<T: KernelScalar>(
      _ a: [T], _ b: [T], m: Int, k: Int, n: Int, ta: Bool, tb: Bool, kc: Int, inPlace: Bool,
      isa: KernelISA
    ) -> [T] {
      let (mr, nr) = (isa.kernels.tileRows, T.tileColumns(isa.kernels))
      let (mc, nc) = ((m + mr - 1) / mr * mr, (n + nr - 1) / nr * nr)
      var c = [T](repeating: .nan, count: m * n)
      var scratch = [T](repeating: .nan, count: mc * kc + kc * nc)
      a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
          c.withUnsafeMutableBufferPointer { c in
            scratch.withUnsafeMutableBufferPointer { scratch in
              let part = ProductPart(
                a: StridedMatrix(a.baseAddress!, rowStride: ta ? 1 : k, columnStride: ta ? m : 1),
                b: StridedMatrix(b.baseAddress!, rowStride: tb ? 1 : n, columnStride: tb ? k : 1),
                c: c.baseAddress!, ldc: n, m: m, k: k, n: n, mc: mc, kc: kc, nc: nc,
                aCount: mc * kc, scratch: scratch.baseAddress!, readsInPlace: inPlace)
              T.blockedProduct(isa.kernels, part)
            }
          }
        }
      }
      return c
    }
  }

  // MARK: - Helpers

  /// Runs `Compute.matmul` on random operands stored as the flags say (A `[m, k]` or `[k, m]`, B
  /// `[k, n]` or `[n, k]`, or rank-1) and compares each element with the f64 triple loop, within
  /// the rounding a k-term sum may accumulate.
  func check<T: KernelScalar>(
    _: T.Type, m: Int, k: Int, n: Int, ta: Bool, tb: Bool, threads: Int, workspace: Bool = true,
    aVector: Bool = false, bVector: Bool = false
  ) {
    check(
      T.self, m: m, k: k, n: n, ta: ta, tb: tb, threads: [threads], paths: [Compute.isa],
      workspace: workspace, aVector: aVector, bVector: bVector)
  }

  /// The same, on each path and thread count against one reference (the f64 loop is the slow
  /// part of a debug build's test).
  func check<T: KernelScalar>(
    _: T.Type, m: Int, k: Int, n: Int, ta: Bool, tb: Bool, threads: [Int], paths: [KernelISA],
    workspace: Bool = true, aVector: Bool = false, bVector: Bool = false
  ) {
    var rng = SplitMix64(seed: UInt64(m * 1_000_003 + k * 1009 + n))
    let a = (0..<m * k).map { _ in T(rng.uniform(-1, 1)) }
    let b = (0..<k * n).map { _ in T(rng.uniform(-1, 1)) }
    var (exact, magnitude) = (
      [Double](repeating: 0, count: m * n), [Double](repeating: 0, count: m * n)
    )
    for i in 0..<m {
      for j in 0..<n {
        for p in 0..<k {
          let x =
            Double(ta ? a[p * m + i] : a[i * k + p]) * Double(tb ? b[j * k + p] : b[p * n + j])
          exact[i * n + j] += x
          magnitude[i * n + j] += abs(x)
        }
      }
    }
    let tolerance = Double(k + 2) * Double(T.ulpOfOne)
    for isa in paths {
      for count in threads {
        let c = product(
          a, b, m: m, k: k, n: n, ta: ta, tb: tb, threads: count, workspace: workspace,
          aVector: aVector, bVector: bVector, isa: isa)
        var worst = 0.0
        for index in 0..<(m * n) {
          let error = abs(Double(c[index]) - exact[index]) / Swift.max(magnitude[index], 1e-300)
          worst = Swift.max(worst, error)
        }
        #expect(
          worst <= tolerance,
          "\(isa) \(T.precision) \(m)x\(k)x\(n) ta \(ta) tb \(tb) threads \(count): error \(worst)")
      }
    }
  }

  /// `Compute.matmul` into a C prefilled with NaN (every element must be written, not
  /// accumulated) and followed by guard elements (none may be touched).
  func product<T: KernelScalar>(
    _ a: [T], _ b: [T], m: Int, k: Int, n: Int, ta: Bool, tb: Bool, threads: Int,
    workspace: Bool = true,
    aVector: Bool = false, bVector: Bool = false, isa: KernelISA = Compute.isa
  ) -> [T] {
    var layout = Compute.MatMulLayout(
      a: aVector ? [k] : ta ? [k, m] : [m, k], b: bVector ? [k] : tb ? [n, k] : [k, n],
      transposeA: ta, transposeB: tb,
      maxThreads: threads)
    layout.isa = isa
    #expect(layout.m == m && layout.k == k && layout.n == n)
    let guardCount = 8
    var c = [T](repeating: .nan, count: m * n + guardCount)
    for g in 0..<guardCount { c[m * n + g] = 12345 }
    var scratch = [T](repeating: .nan, count: layout.workspaceCount(T.self) + 1)
    c.withUnsafeMutableBufferPointer { out in
      scratch.withUnsafeMutableBufferPointer { space in
        Compute.matmul(
          a, b, out.baseAddress!, layout, workspace: workspace ? space.baseAddress : nil)
      }
    }
    #expect(c[(m * n)...].allSatisfy { $0 == 12345 }, "wrote past C")
    return Array(c[..<(m * n)])
  }
}

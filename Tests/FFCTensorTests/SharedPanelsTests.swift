import Dispatch
import FFCTensor
import Foundation
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
            let reference = run(
              operands, m: m, k: k, n: n, kind: kind, threads: 0, sharesA: false, isa: isa)
            for threads in [1, 2, 3] {
              for sharesA in [false, true] {
                let shared = run(
                  operands, m: m, k: k, n: n, kind: kind, threads: threads, sharesA: sharesA,
                  isa: isa)
                #expect(
                  reference.elementsEqual(shared) { $0 == $1 && $0.sign == $1.sign },
                  "\(isa) \(T.self) \(m)x\(k)x\(n) \(kind) threads \(threads) A \(sharesA)")
              }
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

  /// The product by `threads` threads sharing A's or B's panels, or by the one-thread loop (0).
  func run<T: KernelScalar>(
    _ x: Operands<T>, m: Int, k: Int, n: Int, kind: Kind, threads: Int, sharesA: Bool,
    isa: KernelISA
  ) -> [T] {
    let (mr, nr) = (isa.kernels.tileRows, T.tileColumns(isa.kernels))
    let (kc, nc, mc) = (16, 2 * nr, 2 * mr)
    let schedule =
      threads == 0
      ? nil
      : SharedPanels(
        m: m, k: k, n: n, kc: kc, nc: nc, sharesA: sharesA, threads: 2,
        minimumSlice: sharesA ? nr : mr, maximumSlice: sharesA ? 2 * nr : 4 * mr,
        packExtent: sharesA ? mr : nr, tile: (mr, nr))
    let aCount = mc * kc
    let scratchCount =
      schedule.map {
        SharedPanels.scratchCount(shared: $0.sharedCount, own: $0.ownCount, threads: threads)
      } ?? (aCount + kc * nc)
    var c = kind == .update ? x.start : [T](repeating: .nan, count: m * n)
    let guardCount = 64
    var scratch = [T](repeating: .nan, count: scratchCount + guardCount)
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
                  c: c.baseAddress!, ldc: n, m: m, k: k, n: n, mc: mc, kc: kc, nc: nc,
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
    #expect(
      scratch[scratchCount...].allSatisfy { $0.isNaN },
      "wrote past the scratch: \(isa) \(T.self) \(m)x\(k)x\(n) threads \(threads) A \(sharesA)")
    return c
  }

  struct UncheckedTask: @unchecked Sendable {
    let body: () -> Void
  }

  /// Only products split between threads and large enough share panels; the smaller operand is
  /// the shared one, the slices are several per thread and whole tiles, and the scratch holds
  /// both shared buffers and each thread's own.
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
      #expect(split.sharesPanels && split.sharesA == (m < n), "\(m)x\(k)x\(n)")
      let unit = split.sharesA ? split.nr : split.mr
      let starts = SharedPanels.sliceStarts(
        extent: split.sharesA ? Swift.min(n, split.nc) : m, unit: unit, threads: 2,
        sizes: split.slices)
      let sizes = zip(starts.dropFirst(), starts).map { $0 - $1 }
      // Whole tiles, shrinking, within the cache's block, the last few small.
      #expect(sizes.dropLast().allSatisfy { $0 % unit == 0 && split.slices.contains($0) })
      #expect(zip(sizes.dropFirst(), sizes).allSatisfy { $0 <= $1 })
      #expect(sizes.count >= 8 && sizes.last! <= 4 * unit, "\(sizes)")
      #expect(!split.sharesA || split.slices.upperBound <= split.mc * 64)
      #expect(split.sharesA || split.slices.upperBound <= split.mc)
    }
    // W4's forward product: A's 256 rows shared, B sliced from whole panels down to four
    // slivers.
    let w4 = blocking(256, 2048, 2048, threads: 2)
    #expect(w4.sharesA && w4.slices == 128...2048)
  }

  /// Through `Compute.matmul`: a product just large enough to share panels (B's, and A's when m
  /// < n) gives the bits of one thread, A and B plain or transposed, and touches nothing past its workspace.
  @Test(arguments: [(512, 512, 512), (256, 512, 1024)])
  func sharedProductsMatchOneThread(m: Int, k: Int, n: Int) {
    var rng = SplitMix64(seed: 5)
    let a = (0..<m * k).map { _ in Float(rng.uniform(-1, 1)) }
    let b = (0..<k * n).map { _ in Float(rng.uniform(-1, 1)) }
    for (ta, tb) in MatMulKernelTests.transposes {
      let results = [1, 2].map { threads in
        let layout = Compute.MatMulLayout(
          a: ta ? [k, m] : [m, k], b: tb ? [n, k] : [k, n], transposeA: ta, transposeB: tb,
          maxThreads: threads)
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

/// The schedule alone (`SharedPanels` without a product): six threads claiming with random
/// pauses run every item exactly once, and no item starts before the items it depends on are
/// finished: a slice after its panel's packs and after the same slice of the depth panel before,
/// a pack after the slices of the panel two before (which read the buffer it overwrites).
@Suite struct SharedScheduleTests {
  /// Fine slices (many items a panel) and coarse ones (three a panel, so that a pack is often
  /// claimed while a slice two panels back still runs).
  @Test(arguments: [false, true], [false, true])
  func everyItemRunsOnceAfterWhatItNeeds(sharesA: Bool, coarse: Bool) {
    let (m, k, n, kc, nc) = (50, 40, 70, 8, 32)
    let (slices, pack) =
      coarse ? (sharesA ? (16...16, 54) : (30...30, 32)) : sharesA ? (8...16, 12) : (6...12, 16)
    let schedule = SharedPanels(
      m: m, k: k, n: n, kc: kc, nc: nc, sharesA: sharesA, threads: 2,
      minimumSlice: slices.lowerBound, maximumSlice: slices.upperBound, packExtent: pack,
      tile: (6, 8))
    func count(_ extent: Int, _ step: Int) -> Int { (extent + step - 1) / step }
    func sliceCount(_ extent: Int) -> Int {
      SharedPanels.sliceStarts(extent: extent, unit: sharesA ? 8 : 6, threads: 2, sizes: slices)
        .count - 1
    }
    let log = ItemLog(
      packs: { count(sharesA ? m : $0.columns, pack) },
      slices: { sliceCount(sharesA ? $0.columns : m) })
    // Threads of their own: `concurrentPerform` runs no more at once than there are cores, and
    // a pack can overtake a slice two panels back only with three or more running.
    let done = DispatchGroup()
    for thread in 0..<6 {
      done.enter()
      Thread {
        var cursor = SharedPanels.Cursor()
        var rng = SplitMix64(seed: UInt64(thread + 1))
        while let item = schedule.claim(&cursor) {
          log.start(item)
          // Slices take longer than packs, as in a product, so that packs run ahead.
          let longest = item.work == .pack(part: 0) || !coarse ? 200.0 : 2000.0
          usleep(UInt32(rng.uniform(0, longest)))
          log.finish(item)
          schedule.finish(item)
        }
        done.leave()
      }.start()
    }
    done.wait()
    let (problems, runs) = log.result()
    #expect(problems.isEmpty, "\(problems.prefix(3))")
    var expected = 0
    for jc in 0..<count(n, nc) {
      let columns = Swift.min(nc, n - jc * nc)
      expected +=
        count(k, kc) * (sliceCount(sharesA ? columns : m) + count(sharesA ? m : columns, pack))
    }
    #expect(runs.count == expected && runs.values.allSatisfy { $0 == 1 })
  }

  /// What has started and finished, checked as each item starts.
  final class ItemLog: @unchecked Sendable {
    private let lock = NSLock()
    private let packs: (SharedPanels.Panel) -> Int
    private let slices: (SharedPanels.Panel) -> Int
    private var finished: Set<String> = []
    private var runs: [String: Int] = [:]
    private var problems: [String] = []
    private var panels: [Int: SharedPanels.Panel] = [:]
    private var finishedPacks: [Int: Int] = [:]
    private var finishedSlices: [Int: Int] = [:]

    init(
      packs: @escaping (SharedPanels.Panel) -> Int, slices: @escaping (SharedPanels.Panel) -> Int
    ) {
      (self.packs, self.slices) = (packs, slices)
    }

    static func key(_ panel: Int, _ work: SharedPanels.Work) -> String {
      switch work {
      case .pack(let part): "\(panel) pack \(part)"
      case .multiply(let slice): "\(panel) slice \(slice)"
      }
    }

    func start(_ item: SharedPanels.Item) {
      lock.lock()
      defer { lock.unlock() }
      let (panel, key) = (item.panel, Self.key(item.panel.index, item.work))
      runs[key, default: 0] += 1
      panels[panel.index] = panel
      switch item.work {
      case .pack:
        if panel.index >= 2, let before = panels[panel.index - 2],
          finishedSlices[before.index, default: 0] != slices(before)
        {
          problems.append("\(key) before the slices of panel \(before.index)")
        }
      case .multiply(let slice):
        if finishedPacks[panel.index, default: 0] != packs(panel) {
          problems.append("\(key) before its panel's packs")
        }
        if panel.p0 > 0, !finished.contains(Self.key(panel.index - 1, .multiply(slice: slice))) {
          problems.append("\(key) before the depth panel before")
        }
      }
    }

    func finish(_ item: SharedPanels.Item) {
      lock.lock()
      defer { lock.unlock() }
      finished.insert(Self.key(item.panel.index, item.work))
      switch item.work {
      case .pack: finishedPacks[item.panel.index, default: 0] += 1
      case .multiply: finishedSlices[item.panel.index, default: 0] += 1
      }
    }

    func result() -> (problems: [String], runs: [String: Int]) {
      lock.lock()
      defer { lock.unlock() }
      return (problems, runs)
    }
  }
}

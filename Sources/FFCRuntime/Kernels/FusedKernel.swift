import FFCIR
import FFCTensor

extension KernelTable {
  static let fusedKernels: [(Op, OpKernel)] = [
    (Op.fused, OpKernel(float: fusedKernel, double: fusedKernel, inPlace: true))
  ]
}

/// The `fused` kernel. It walks the output in blocks small enough that every step's block buffer
/// stays in L1, and applies each step's own vectorised loop (`KernelTable.loop`) to the block: the
/// intermediate values never go through memory, and the loops are the same ones the unfused ops
/// run. Operands of the output's size are read in place; smaller ones are read with their
/// strides into a block buffer (once per run when every block reads the same pattern: a bias
/// repeated over rows); scalars and literals are read as one value.
func fusedKernel<T: PlanScalar>(_ c: KernelCall<T>) -> Instruction {
  let layout = FusedLayout<T>.shared(c)
  let inputs = c.inputs.map { UnsafePointer($0) }
  let output = c.output
  let workspace = c.workspace
  // At least one element: a single step reading only in-place inputs and single values (x − m
  // with m of shape [N, 1] at N = 1) needs no scratch, but the workspace allocates nothing for
  // a reservation of 0, and the kernel would then skip its work.
  workspace.reserve(Swift.max(layout.scratchCount, 1))
  return {
    // The workspace is allocated once every kernel has reserved; a plan with a fused node
    // always reserves, so `base` exists when this runs.
    guard let scratch = workspace.base else { return }
    inputs.withUnsafeBufferPointer { inputs in layout.run(scratch, inputs, output) }
  }
}

/// What a fused node's layout depends on: its program, its shapes, and which inputs share the
/// output's buffer. Nodes alike share one layout (a deep network has thousands of them).
struct FusedLayoutKey: Hashable {
  let program: ElementwiseProgram
  let inputShapes: [[Int]]
  let outputShape: [Int]
  let inOutput: [Bool]
}

/// The fused layouts of one plan, by what they depend on.
final class FusedLayouts<T: PlanScalar> {
  var byKey: [FusedLayoutKey: FusedLayout<T>] = [:]
  /// The first few layouts made, compared before the dictionary is asked: a deep network's
  /// thousands of fused nodes have a handful of layouts, and hashing a key (its whole program)
  /// cost more than comparing it with each of those.
  var first: [(key: FusedLayoutKey, layout: FusedLayout<T>)] = []
}

/// Where each operand and step of a fused node lives, decided when the plan is built, with the
/// node's inputs named by their position (the node's own pointers are given to `run`).
struct FusedLayout<T: PlanScalar> {
  /// An operand of a step: an input read in place at the block's offset, or a value at a fixed
  /// place (a block buffer in the scratch memory, or a single value).
  struct Source {
    /// The node's input read, or -1 for the scratch memory at `scratchOffset`.
    var input = -1
    var scratchOffset = 0
    var advances = false
    var isScalar = false

    func resolve(
      _ scratch: UnsafeMutablePointer<T>, _ inputs: UnsafeBufferPointer<UnsafePointer<T>>,
      _ start: Int
    ) -> UnsafePointer<T> {
      let base = input >= 0 ? inputs[input] : UnsafePointer(scratch + scratchOffset)
      return advances ? base + start : base
    }
  }

  struct Step {
    let loop: ElementwiseLoop<T>
    let a: Source
    let b: Source
    /// Offset of the step's block buffer; nil for the last step, which writes the output.
    let target: Int?
  }

  /// An input read through its strides into a block buffer; `everyBlock` false when one gather
  /// before the first block serves every block.
  struct Gather {
    let source: Source
    let layout: Compute.StridedLayout
    let scratchOffset: Int
    let everyBlock: Bool
  }

  /// The layout of `c`'s node: one made for an earlier node alike (same program, shapes and
  /// inputs sharing the output's buffer) in the same plan, or a new one.
  static func shared(_ c: KernelCall<T>) -> FusedLayout<T> {
    let count = c.outputCount
    let outputRange = UnsafePointer(c.output)..<UnsafePointer(c.output + Swift.max(count, 1))
    var inOutput: [Bool] = []
    inOutput.reserveCapacity(c.inputs.count)
    for input in c.inputs { inOutput.append(outputRange.contains(UnsafePointer(input))) }
    let key = FusedLayoutKey(
      program: c.attributes.program("program"), inputShapes: c.inputShapes,
      outputShape: c.outputShape, inOutput: inOutput)
    // The plan's workspace holds this element type's layouts only.
    let layouts =
      c.workspace.fusedLayouts.map { unsafeDowncast($0, to: FusedLayouts<T>.self) }
      ?? FusedLayouts<T>()
    c.workspace.fusedLayouts = layouts
    if let known = layouts.first.first(where: { $0.key == key }) { return known.layout }
    if let layout = layouts.byKey[key] { return layout }
    let layout = FusedLayout(c, key)
    if layouts.first.count < 8 {
      layouts.first.append((key, layout))
    } else {
      layouts.byKey[key] = layout
    }
    return layout
  }

  let count: Int
  let block: Int
  /// Literals and small inputs that share the output's buffer, written into scratch memory
  /// before the first block (the output would overwrite them as the blocks go).
  let fixedValues: [(value: T, offset: Int)]
  let copies: [(input: Int, count: Int, offset: Int)]
  let gathers: [Gather]
  let steps: [Step]
  let scratchCount: Int

  static var defaultBlock: Int { 512 }

  private init(_ c: KernelCall<T>, _ key: FusedLayoutKey) {
    let program = key.program
    let count = c.outputCount
    var inputCounts: [Int] = []
    inputCounts.reserveCapacity(c.inputShapes.count)
    // Each input's strides over the output, made once (`blockSize` and `placeInputs` read them):
    // for the inputs smaller than the output and not single values.
    var layouts: [Compute.StridedLayout?] = []
    layouts.reserveCapacity(c.inputShapes.count)
    for shape in c.inputShapes {
      let n = shape.reduce(1, *)
      inputCounts.append(n)
      layouts.append(
        n != count && n != 1
          ? Compute.StridedLayout(broadcasting: shape, to: c.outputShape) : nil)
    }
    // A small output needs block buffers only as large as itself.
    let block = Swift.min(
      Self.blockSize(layouts.compactMap { $0 }, count: count), Swift.max(count, 1))
    var scratch = ScratchAllocator()
    let inputs = Self.placeInputs(
      c, inputCounts, layouts, inOutput: key.inOutput,
      spread: Self.spreadInputs(program, inputCounts, count: count), block: block, &scratch)
    let literals = Self.placeLiterals(program, &scratch)
    steps = Self.placeSteps(
      program, inputs: inputs.sources, literals: literals.sources, block: block, &scratch)
    (self.count, self.block) = (count, block)
    (copies, gathers, fixedValues) = (inputs.copies, inputs.gathers, literals.values)
    scratchCount = scratch.used
  }

  /// Offsets in the scratch memory, each rounded up to 16 elements.
  struct ScratchAllocator {
    var used = 0
    mutating func take(_ n: Int) -> Int {
      defer { used += (n + 15) / 16 * 16 }
      return used
    }
  }

  /// A loop takes at most one single value per step (and unary loops none): a step whose
  /// operands are all single values reads one of its inputs spread over a block buffer.
  static func spreadInputs(_ program: ElementwiseProgram, _ inputCounts: [Int], count: Int) -> Set<
    Int
  > {
    var spread = Set<Int>()
    for step in program.steps where count > 1 {
      let single = step.operands.allSatisfy { operand in
        switch operand {
        case .literal: true
        case .input(let i): inputCounts[i] == 1
        case .step: false
        }
      }
      guard single, !step.operands.contains(where: { spread.contains($0.inputIndex ?? -1) }) else {
        continue
      }
      if let first = step.operands.compactMap(\.inputIndex).first { spread.insert(first) }
    }
    return spread
  }

  /// Where each step finds each operand of the node: in place (the output's size), as a single
  /// value, or gathered through its strides into a block buffer. A small operand that shares the
  /// output's buffer (its last reader runs in place) is copied out first.
  static func placeInputs(
    _ c: KernelCall<T>, _ inputCounts: [Int], _ layouts: [Compute.StridedLayout?],
    inOutput: [Bool], spread: Set<Int>, block: Int, _ scratch: inout ScratchAllocator
  ) -> (
    sources: [Source], copies: [(input: Int, count: Int, offset: Int)], gathers: [Gather]
  ) {
    let count = c.outputCount
    var sources = [Source](repeating: Source(), count: c.inputs.count)
    var copies: [(input: Int, count: Int, offset: Int)] = []
    var gathers: [Gather] = []
    for i in c.inputs.indices {
      let n = inputCounts[i]
      if n == count {
        sources[i] = Source(input: i, advances: true)
        continue
      }
      var from = Source(input: i, isScalar: true)
      if inOutput[i] {
        let offset = scratch.take(n)
        copies.append((i, n, offset))
        from = Source(scratchOffset: offset, isScalar: true)
      }
      if n == 1 && !spread.contains(i) {
        sources[i] = from
        continue
      }
      let layout =
        layouts[i] ?? Compute.StridedLayout(broadcasting: c.inputShapes[i], to: c.outputShape)
      let offset = scratch.take(block)
      gathers.append(
        Gather(
          source: from, layout: layout, scratchOffset: offset,
          everyBlock: !repeatsEveryBlock(layout, block: block)))
      sources[i] = Source(scratchOffset: offset)
    }
    return (sources, copies, gathers)
  }

  /// Literals: one value each in scratch memory, shared by equal bit patterns (not by ==, which
  /// would give -0 the slot of 0).
  static func placeLiterals(
    _ program: ElementwiseProgram, _ scratch: inout ScratchAllocator
  ) -> (values: [(value: T, offset: Int)], sources: [UInt64: Source]) {
    var values: [(value: T, offset: Int)] = []
    var sources: [UInt64: Source] = [:]
    for step in program.steps {
      for case .literal(let x) in step.operands where sources[x.bitPattern] == nil {
        let offset = scratch.take(1)
        values.append((T(x), offset))
        sources[x.bitPattern] = Source(scratchOffset: offset, isScalar: true)
      }
    }
    return (values, sources)
  }

  /// Each step's loop, operands and block buffer; a buffer is reused once its last reader has
  /// run, and the last step writes the output.
  static func placeSteps(
    _ program: ElementwiseProgram, inputs: [Source], literals: [UInt64: Source], block: Int,
    _ scratch: inout ScratchAllocator
  ) -> [Step] {
    var lastReader = [Int](repeating: -1, count: program.steps.count)
    for (index, step) in program.steps.enumerated() {
      for case .step(let k) in step.operands { lastReader[k] = index }
    }
    var free: [Int] = []
    var offsets: [Int] = []
    var steps: [Step] = []
    offsets.reserveCapacity(program.steps.count)
    steps.reserveCapacity(program.steps.count)
    func source(_ operand: ElementwiseProgram.Operand, _ offsets: [Int]) -> Source {
      switch operand {
      case .input(let i): inputs[i]
      case .step(let k): Source(scratchOffset: offsets[k])
      case .literal(let x): literals[x.bitPattern] ?? Source()
      }
    }
    for (index, step) in program.steps.enumerated() {
      // A step reads one operand or two (a unary loop ignores `b`).
      let a = source(step.operands[0], offsets)
      let b = step.operands.count > 1 ? source(step.operands[1], offsets) : a
      for case .step(let k) in step.operands
      where lastReader[k] == index && !free.contains(offsets[k]) {
        free.append(offsets[k])
      }
      let target = index == program.steps.count - 1 ? nil : (free.popLast() ?? scratch.take(block))
      offsets.append(target ?? 0)
      guard let kernel = KernelTable.loop(for: step.op) else {
        preconditionFailure("'fused' step '\(step.op.name)' has no loop")
      }
      steps.append(
        Step(
          loop: T.loop(kernel, step.attributes), a: a, b: b, target: target))
    }
    return steps
  }

  /// 512 elements, or the largest multiple of a repeated row's length below that, so that every
  /// block starts at the start of a row and reads the same gathered values.
  static func blockSize(_ layouts: [Compute.StridedLayout], count: Int) -> Int {
    let periods = layouts.compactMap(period)
    guard let first = periods.first, periods.allSatisfy({ $0 == first }), first <= defaultBlock
    else {
      return defaultBlock
    }
    return defaultBlock / first * first
  }

  /// The row length of a layout that repeats one contiguous row (a bias over a batch).
  static func period(_ layout: Compute.StridedLayout) -> Int? {
    layout.shape.count == 2 && layout.strides == [0, 1] ? layout.shape[1] : nil
  }

  static func repeatsEveryBlock(_ layout: Compute.StridedLayout, block: Int) -> Bool {
    if layout.strides.allSatisfy({ $0 == 0 }) { return true }
    guard let p = period(layout) else { return false }
    return block % p == 0
  }

  func run(
    _ scratch: UnsafeMutablePointer<T>, _ inputs: UnsafeBufferPointer<UnsafePointer<T>>,
    _ output: UnsafeMutablePointer<T>
  ) {
    for copy in copies {
      (scratch + copy.offset).update(from: inputs[copy.input], count: copy.count)
    }
    for (value, offset) in fixedValues { scratch[offset] = value }
    for gather in gathers where !gather.everyBlock {
      Compute.gather(
        gather.source.resolve(scratch, inputs, 0), scratch + gather.scratchOffset, gather.layout,
        start: 0, count: Swift.min(block, count))
    }
    var start = 0
    while start < count {
      let n = Swift.min(block, count - start)
      for gather in gathers where gather.everyBlock {
        Compute.gather(
          gather.source.resolve(scratch, inputs, 0), scratch + gather.scratchOffset, gather.layout,
          start: start, count: n)
      }
      // Steps are read in place, not copied out (a copy retains each loop's closure: on a tiny
      // network that was most of a fused node's cost).
      steps.withUnsafeBufferPointer { steps in
        for i in steps.indices {
          let out = steps[i].target.map { scratch + $0 } ?? output + start
          steps[i].loop(
            steps[i].a.resolve(scratch, inputs, start), steps[i].a.isScalar ? 1 : n,
            steps[i].b.resolve(scratch, inputs, start),
            steps[i].b.isScalar ? 1 : n, out, n)
        }
      }
      start += n
    }
  }
}

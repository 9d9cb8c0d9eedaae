extension Compute {
  /// A reduction over sorted axes, described as loops: the input's axes merged into runs that are
  /// all reduced or all kept. `outer × reduced × inner` covers every case the language produces
  /// (all axes, rows, columns); other patterns fall back to a strided walk.
  public struct ReductionLayout: Sendable {
    public let outer: Int
    public let reduced: Int
    public let inner: Int
    /// For patterns that are not outer × reduced × inner: the input shape and which axes reduce.
    public let general: (shape: [Int], axes: [Int])?

    public init(shape: [Int], axes: [Int]) {
      var runs: [(size: Int, reduced: Bool)] = []
      for (axis, size) in shape.enumerated() where size != 1 {
        let isReduced = axes.contains(axis)
        if let last = runs.last, last.reduced == isReduced {
          runs[runs.count - 1].size *= size
        } else {
          runs.append((size, isReduced))
        }
      }
      let flags = runs.map(\.reduced)
      switch flags {
      case []: (outer, reduced, inner, general) = (1, 1, 1, nil)
      case [true]: (outer, reduced, inner, general) = (1, runs[0].size, 1, nil)
      case [false]: (outer, reduced, inner, general) = (runs[0].size, 1, 1, nil)
      case [false, true]: (outer, reduced, inner, general) = (runs[0].size, runs[1].size, 1, nil)
      case [true, false]: (outer, reduced, inner, general) = (1, runs[0].size, runs[1].size, nil)
      case [false, true, false]:
        (outer, reduced, inner, general) = (runs[0].size, runs[1].size, runs[2].size, nil)
      default: (outer, reduced, inner, general) = (0, 0, 0, (shape, axes))
      }
    }

    public var outputCount: Int {
      general.map { g in
        g.shape.enumerated().reduce(1) { g.axes.contains($1.offset) ? $0 : $0 * $1.element }
      } ?? outer * inner
    }
  }

  /// Σ over the reduced axes, on the path's vector loop (FFCKernels' Reduction.swift: columns
  /// are summed in order, rows in 32 (f32) or 16 (f64) interleaved partial sums, the same bits
  /// on every path); a pattern that is not `outer × reduced × inner` by the scalar walk.
  @inlinable
  public static func sum<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: ReductionLayout,
    isa: KernelISA = Compute.isa
  ) {
    guard layout.general == nil else { return scalarSum(x, out, layout) }
    T.reduce(
      isa.kernels, .sum, x, out, outer: layout.outer, reduced: layout.reduced,
      inner: layout.inner)
  }

  /// The maximum over the reduced axes; NaN if any element is NaN (the first met, lane by lane).
  @inlinable
  public static func max<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: ReductionLayout,
    isa: KernelISA = Compute.isa
  ) {
    guard layout.general == nil else { return scalarMax(x, out, layout) }
    T.reduce(
      isa.kernels, .max, x, out, outer: layout.outer, reduced: layout.reduced,
      inner: layout.inner)
  }

  /// Σ in element order, one scalar at a time: the loop the vector paths replace.
  @inlinable
  public static func scalarSum<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: ReductionLayout
  ) {
    reduce(x, out, layout, initial: 0) { $0 + $1 }
  }

  @inlinable
  public static func scalarMax<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: ReductionLayout
  ) {
    reduce(x, out, layout, initial: -.infinity) { a, b in
      (a.isNaN || b > a) ? (a.isNaN ? a : b) : (b.isNaN ? b : a)
    }
  }

  @inlinable
  public static func reduce<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ layout: ReductionLayout, initial: T,
    _ combine: (T, T) -> T
  ) {
    if let general = layout.general {
      reduceGeneral(x, out, shape: general.shape, axes: general.axes, initial: initial, combine)
      return
    }
    let (outer, reduced, inner) = (layout.outer, layout.reduced, layout.inner)
    for o in 0..<outer {
      let row = out + o * inner
      for i in 0..<inner { row[i] = initial }
      var source = x + o * reduced * inner
      for _ in 0..<reduced {
        for i in 0..<inner { row[i] = combine(row[i], source[i]) }
        source += inner
      }
    }
  }

  @usableFromInline
  static func reduceGeneral<T: KernelScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, shape: [Int], axes: [Int], initial: T,
    _ combine: (T, T) -> T
  ) {
    var keptStrides = [Int](repeating: 0, count: shape.count)
    var step = 1
    for axis in shape.indices.reversed() where !axes.contains(axis) {
      keptStrides[axis] = step
      step *= shape[axis]
    }
    for i in 0..<step { out[i] = initial }
    var index = [Int](repeating: 0, count: shape.count)
    let total = shape.reduce(1, *)
    var target = 0
    for flat in 0..<total {
      out[target] = combine(out[target], x[flat])
      var axis = shape.count - 1
      while axis >= 0 {
        index[axis] += 1
        target += keptStrides[axis]
        if index[axis] < shape[axis] { break }
        target -= keptStrides[axis] * index[axis]
        index[axis] = 0
        axis -= 1
      }
    }
  }
}

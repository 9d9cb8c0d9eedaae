/// One dimension of a shape: a number, or a symbol such as `N` bound at run time to the number of
/// data rows.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
  case fixed(Int)
  case symbol(String)

  public var description: String {
    switch self {
    case .fixed(let n): String(n)
    case .symbol(let s): s
    }
  }

  public var value: Int? {
    if case .fixed(let n) = self { return n }
    return nil
  }
}

extension Dim: ExpressibleByIntegerLiteral {
  public init(integerLiteral value: Int) { self = .fixed(value) }
}

/// The shape of a value: `[]` for a scalar, `[3]` for a vector, `[N, 3]` for a batch matrix.
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
  public var dims: [Dim]

  public init(_ dims: [Dim]) { self.dims = dims }
  public init(_ sizes: [Int]) { self.dims = sizes.map(Dim.fixed) }
  public init(arrayLiteral elements: Dim...) { self.dims = elements }

  public static let scalar = Shape([Dim]())

  /// Equal dimensions. Inlinable, with the very same storage (a shape copied from a node it was
  /// checked against) found equal without a call: the compiler-made `==` was a call into this
  /// module at every shape compared, around which callers retained what they held.
  @inlinable public static func == (a: Shape, b: Shape) -> Bool {
    let same = a.dims.withUnsafeBufferPointer { x in
      b.dims.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress && x.count == y.count }
    }
    if same { return true }
    guard a.dims.count == b.dims.count else { return false }
    for axis in a.dims.indices {
      switch (a.dims[axis], b.dims[axis]) {
      case (.fixed(let m), .fixed(let n)): if m != n { return false }
      case (.symbol(let s), .symbol(let t)): if s != t { return false }
      default: return false
      }
    }
    return true
  }

  public var rank: Int { dims.count }
  public subscript(axis: Int) -> Dim { dims[axis] }
  public var description: String { "[" + dims.map(\.description).joined(separator: ", ") + "]" }

  /// The sizes, when no dimension is symbolic.
  public var concrete: [Int]? {
    var sizes: [Int] = []
    sizes.reserveCapacity(dims.count)
    for dim in dims {
      guard let n = dim.value else { return nil }
      sizes.append(n)
    }
    return sizes
  }

  public var symbols: [String] {
    dims.compactMap { if case .symbol(let s) = $0 { s } else { nil } }
  }

  /// Number of elements when concrete; Int.max when the count would overflow.
  public var elementCount: Int? {
    guard let sizes = concrete else { return nil }
    var count = 1
    for size in sizes {
      let (product, overflow) = count.multipliedReportingOverflow(by: size)
      if overflow { return Int.max }
      count = product
    }
    return count
  }

  /// Replaces symbols by their bound sizes; nil if a symbol is unbound.
  public func bound(_ bindings: [String: Int]) -> [Int]? {
    var sizes: [Int] = []
    for dim in dims {
      switch dim {
      case .fixed(let n): sizes.append(n)
      case .symbol(let s):
        guard let n = bindings[s] else { return nil }
        sizes.append(n)
      }
    }
    return sizes
  }

  /// numpy broadcasting of two shapes (trailing axes aligned, 1 stretches); nil when incompatible.
  public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
    // Equal shapes, or a scalar with anything: the other shape itself (no new dimensions array).
    if a.rank == 0 { return b }
    if b.rank == 0 || a == b { return a }
    let rank = max(a.rank, b.rank)
    var result: [Dim] = []
    for i in 0..<rank {
      let x: Dim = i < rank - a.rank ? 1 : a.dims[i - (rank - a.rank)]
      let y: Dim = i < rank - b.rank ? 1 : b.dims[i - (rank - b.rank)]
      if x == y || y == 1 {
        result.append(x)
      } else if x == 1 {
        result.append(y)
      } else {
        return nil
      }
    }
    return Shape(result)
  }

  /// Normalises a possibly negative axis; nil when out of range.
  public func axis(_ axis: Int) -> Int? {
    let a = axis < 0 ? axis + rank : axis
    return (0..<rank).contains(a) ? a : nil
  }
}

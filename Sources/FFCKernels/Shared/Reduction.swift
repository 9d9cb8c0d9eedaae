// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func reduce(
    _ op: ReductionOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    outer: Int, reduced: Int, inner: Int
  ) {
    Reduction.run(op, x, out, outer, reduced, inner, Float.Block.self)
  }

  public static func reduce(
    _ op: ReductionOp, _ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>,
    outer: Int, reduced: Int, inner: Int
  ) {
    Reduction.run(op, x, out, outer, reduced, inner, Double.Block.self)
  }
}

#if FFC_AVX512
  extension Float: BlockScalar { typealias Block = Pair<Vector<SIMD16<Float>>> }
  extension Double: BlockScalar { typealias Block = Pair<Vector<SIMD8<Double>>> }
#elseif FFC_AVX2
  extension Float: BlockScalar { typealias Block = Pair<Pair<Vector<SIMD8<Float>>>> }
  extension Double: BlockScalar { typealias Block = Pair<Pair<Vector<SIMD4<Double>>>> }
#else
  extension Float: BlockScalar { typealias Block = Pair<Pair<Pair<Vector<SIMD4<Float>>>>> }
  extension Double: BlockScalar { typealias Block = Pair<Pair<Pair<Vector<SIMD2<Double>>>>> }
#endif

/// A row reduction's accumulators: 32 lanes in f32 and 16 in f64 on every path (two, four or
/// eight registers), so that every path adds in the same order and gives the same bits.
protocol BlockScalar: LaneScalar {
  associatedtype Block: LaneBlock where Block.Element == Self
}

/// Reductions over `outer × reduced × inner`, as `Compute.reduce` walks them.
///
/// - Along columns (`inner > 1`, the bias gradient's column sums): each output element folds its
///   column in order from the initial value, as the scalar loop does, so vectorising across the
///   columns (four registers of columns kept in registers down the whole column) changes no bit.
/// - Along rows (`inner == 1`): element j goes to accumulator j mod L (L = 32 in f32, 16 in
///   f64, the same on every path), the accumulators are folded pairwise (lane l with lane l + L/2,
///   then L/4, ...), and the last `reduced mod L` elements are folded in order after that. A row
///   shorter than L is therefore folded exactly in order, as before.
/// The sum starts from 0 and the maximum from -inf and keeps the first NaN it meets, lane by lane.
enum Reduction {
  static func run<B: LaneBlock>(
    _ op: ReductionOp, _ x: UnsafePointer<B.Element>, _ out: UnsafeMutablePointer<B.Element>,
    _ outer: Int, _ reduced: Int, _ inner: Int, _: B.Type
  ) where B.Element: LaneScalar {
    switch op {
    case .sum:
      if inner == 1 {
        for o in 0..<outer {
          out[o] = row(x + o * reduced, reduced, B.self, 0, { $0 + $1 }, { $0 + $1 })
        }
      } else {
        columns(x, out, outer, reduced, inner, 0, { $0 + $1 }, { $0 + $1 })
      }
    case .max:
      if inner == 1 {
        for o in 0..<outer {
          out[o] = row(
            x + o * reduced, reduced, B.self, -.infinity, maximum, { $0.maximum($1) })
        }
      } else {
        columns(x, out, outer, reduced, inner, -.infinity, maximum, vectorMaximum)
      }
    }
  }

  /// The maximum that keeps the first NaN: `Compute.max`'s combine.
  @inline(__always)
  static func maximum<T: FloatingPoint>(_ a: T, _ b: T) -> T {
    (a.isNaN || b > a) ? (a.isNaN ? a : b) : (b.isNaN ? b : a)
  }

  @inline(__always)
  static func vectorMaximum<V: SIMD>(_ a: V, _ b: V) -> V where V.Scalar: FloatingPoint {
    var result = a
    result.replace(with: b, where: (b .> a) .| (b .!= b))
    result.replace(with: a, where: a .!= a)
    return result
  }

  @inline(__always)
  static func row<B: LaneBlock>(
    _ x: UnsafePointer<B.Element>, _ count: Int, _: B.Type, _ initial: B.Element,
    _ f: (B.Element, B.Element) -> B.Element, _ lanes: (B, B) -> B
  ) -> B.Element {
    let width = B.laneCount
    var total = initial
    var j = 0
    if count >= width {
      var block = B(repeating: initial)
      while j + width <= count {
        block = lanes(block, B(loading: x + j))
        j += width
      }
      total = withUnsafeTemporaryAllocation(of: B.Element.self, capacity: width) { buffer in
        let lanes = buffer.baseAddress!
        block.store(to: lanes)
        var half = width / 2
        while half > 0 {
          for l in 0..<half { lanes[l] = f(lanes[l], lanes[l + half]) }
          half /= 2
        }
        return lanes[0]
      }
    }
    while j < count {
      total = f(total, x[j])
      j += 1
    }
    return total
  }

  /// Columns in strips of four registers, then one register, then one column at a time; each
  /// strip's accumulators stay in registers down the whole column.
  @inline(__always)
  static func columns<T: LaneScalar>(
    _ x: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ outer: Int, _ reduced: Int,
    _ inner: Int, _ initial: T, _ f: (T, T) -> T, _ lanes: (T.Lane, T.Lane) -> T.Lane
  ) {
    let width = T.Lane.scalarCount
    func load(_ p: UnsafePointer<T>) -> T.Lane {
      UnsafeRawPointer(p).loadUnaligned(as: T.Lane.self)
    }
    func store(_ v: T.Lane, _ p: UnsafeMutablePointer<T>) {
      UnsafeMutableRawPointer(p).storeBytes(of: v, as: T.Lane.self)
    }
    for o in 0..<outer {
      let (source, target) = (x + o * reduced * inner, out + o * inner)
      var i = 0
      while i + 4 * width <= inner {
        var (a, b, c, d) = (
          T.Lane(repeating: initial), T.Lane(repeating: initial), T.Lane(repeating: initial),
          T.Lane(repeating: initial)
        )
        var p = source + i
        for _ in 0..<reduced {
          a = lanes(a, load(p))
          b = lanes(b, load(p + width))
          c = lanes(c, load(p + 2 * width))
          d = lanes(d, load(p + 3 * width))
          p += inner
        }
        store(a, target + i)
        store(b, target + i + width)
        store(c, target + i + 2 * width)
        store(d, target + i + 3 * width)
        i += 4 * width
      }
      while i + width <= inner {
        var a = T.Lane(repeating: initial)
        var p = source + i
        for _ in 0..<reduced {
          a = lanes(a, load(p))
          p += inner
        }
        store(a, target + i)
        i += width
      }
      while i < inner {
        var a = initial
        var p = source + i
        for _ in 0..<reduced {
          a = f(a, p[0])
          p += inner
        }
        target[i] = a
        i += 1
      }
    }
  }
}

/// A fixed number of lanes in one or more vector registers: a register (`Vector`) or two blocks
/// side by side (`Pair`, lanes of `low` first).
protocol LaneBlock {
  associatedtype Element: BinaryFloatingPoint & SIMDScalar
  static var laneCount: Int { get }
  init(repeating value: Element)
  init(loading p: UnsafePointer<Element>)
  func store(to p: UnsafeMutablePointer<Element>)
  static func + (a: Self, b: Self) -> Self
  func maximum(_ b: Self) -> Self
}

struct Vector<V: SIMD>: LaneBlock where V.Scalar: BinaryFloatingPoint & SIMDScalar {
  typealias Element = V.Scalar
  var v: V
  static var laneCount: Int { V.scalarCount }
  @inline(__always) init(_ v: V) { self.v = v }
  @inline(__always) init(repeating value: V.Scalar) { v = V(repeating: value) }
  @inline(__always) init(loading p: UnsafePointer<V.Scalar>) {
    v = UnsafeRawPointer(p).loadUnaligned(as: V.self)
  }
  @inline(__always) func store(to p: UnsafeMutablePointer<V.Scalar>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
  }
  @inline(__always) static func + (a: Self, b: Self) -> Self { Vector(a.v + b.v) }
  @inline(__always) func maximum(_ b: Self) -> Self { Vector(Reduction.vectorMaximum(v, b.v)) }
}

struct Pair<Half: LaneBlock>: LaneBlock {
  typealias Element = Half.Element
  var low: Half
  var high: Half
  static var laneCount: Int { 2 * Half.laneCount }
  @inline(__always) init(low: Half, high: Half) { (self.low, self.high) = (low, high) }
  @inline(__always) init(repeating value: Half.Element) {
    (low, high) = (Half(repeating: value), Half(repeating: value))
  }
  @inline(__always) init(loading p: UnsafePointer<Half.Element>) {
    (low, high) = (Half(loading: p), Half(loading: p + Half.laneCount))
  }
  @inline(__always) func store(to p: UnsafeMutablePointer<Half.Element>) {
    low.store(to: p)
    high.store(to: p + Half.laneCount)
  }
  @inline(__always) static func + (a: Self, b: Self) -> Self {
    Pair(low: a.low + b.low, high: a.high + b.high)
  }
  @inline(__always) func maximum(_ b: Self) -> Self {
    Pair(low: low.maximum(b.low), high: high.maximum(b.high))
  }
}

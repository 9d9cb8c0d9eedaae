// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

extension Kernels {
  public static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Float>, aCount: Int, _ b: UnsafePointer<Float>,
    bCount: Int, _ out: UnsafeMutablePointer<Float>, count: Int
  ) {
    Arithmetic.zip(op, a, aCount, b, bCount, out, count)
  }
  public static func arithmetic(
    _ op: ArithmeticOp, _ a: UnsafePointer<Double>, aCount: Int, _ b: UnsafePointer<Double>,
    bCount: Int, _ out: UnsafeMutablePointer<Double>, count: Int
  ) {
    Arithmetic.zip(op, a, aCount, b, bCount, out, count)
  }
}

/// `out[i] = a[i] ∘ b[i]` (either operand may be one scalar repeated), one vector register of
/// this module's width at a time. Each is one IEEE operation per element, so every path gives the
/// same bits as the baseline loop. The vectors are spelled out: the plain loop compiled to scalar
/// `vaddss` (the compiler did not vectorise it, for the possible overlap of `out` and an operand).
enum Arithmetic {
  static func zip<T: LaneScalar>(
    _ op: ArithmeticOp, _ a: UnsafePointer<T>, _ aCount: Int, _ b: UnsafePointer<T>,
    _ bCount: Int, _ out: UnsafeMutablePointer<T>, _ count: Int
  ) {
    switch op {
    case .add: loop(a, aCount, b, bCount, out, count, { $0 + $1 }, { $0 + $1 })
    case .subtract: loop(a, aCount, b, bCount, out, count, { $0 - $1 }, { $0 - $1 })
    case .multiply: loop(a, aCount, b, bCount, out, count, { $0 * $1 }, { $0 * $1 })
    case .divide: loop(a, aCount, b, bCount, out, count, { $0 / $1 }, { $0 / $1 })
    }
  }

  /// The three shapes of a binary elementwise loop, as `Compute.zip` has them: equal lengths, or
  /// one operand a scalar, read once before the loop (the output may be that scalar's buffer).
  /// Outputs may alias an input exactly: each register of the output is written after the same
  /// register of the inputs is read.
  @inline(__always)
  static func loop<T: LaneScalar>(
    _ a: UnsafePointer<T>, _ aCount: Int, _ b: UnsafePointer<T>, _ bCount: Int,
    _ out: UnsafeMutablePointer<T>, _ count: Int, _ f: (T, T) -> T,
    _ lanes: (T.Lane, T.Lane) -> T.Lane
  ) {
    let width = T.Lane.scalarCount
    let vectorEnd = count - count % width
    func vector(_ p: UnsafePointer<T>, _ i: Int) -> T.Lane {
      UnsafeRawPointer(p + i).loadUnaligned(as: T.Lane.self)
    }
    func store(_ value: T.Lane, _ i: Int) {
      UnsafeMutableRawPointer(out + i).storeBytes(of: value, as: T.Lane.self)
    }
    var i = 0
    if aCount == count && bCount == count {
      while i < vectorEnd {
        store(lanes(vector(a, i), vector(b, i)), i)
        i += width
      }
      while i < count {
        out[i] = f(a[i], b[i])
        i += 1
      }
    } else if bCount == 1 {
      let (y, ys) = (b[0], T.Lane(repeating: b[0]))
      while i < vectorEnd {
        store(lanes(vector(a, i), ys), i)
        i += width
      }
      while i < count {
        out[i] = f(a[i], y)
        i += 1
      }
    } else {
      let (x, xs) = (a[0], T.Lane(repeating: a[0]))
      while i < vectorEnd {
        store(lanes(xs, vector(b, i)), i)
        i += width
      }
      while i < count {
        out[i] = f(x, b[i])
        i += 1
      }
    }
  }
}

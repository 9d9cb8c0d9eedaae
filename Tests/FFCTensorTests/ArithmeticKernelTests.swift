import FFCTensor
import Testing

/// The ISA modules' add, subtract, multiply and divide give the bits of the plain scalar
/// operation on every path the machine supports: at every tail length, with either operand a
/// scalar, in place, and through NaN, infinities, signed zeros and subnormals (the same value
/// and sign; any NaN for NaN).
@Suite struct ArithmeticKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)

  static func scalar<T: BinaryFloatingPoint>(_ op: ArithmeticOp, _ x: T, _ y: T) -> T {
    switch op {
    case .add: x + y
    case .subtract: x - y
    case .multiply: x * y
    case .divide: x / y
    }
  }

  /// Values with every special case, cycled to `count`.
  static func values<T: BinaryFloatingPoint>(_ count: Int, shift: Int) -> [T] {
    let specials: [T] = [
      1.5, -0.0, 0, .infinity, -.infinity, .nan, T.leastNonzeroMagnitude, -3.25, 7e-3,
      T.greatestFiniteMagnitude, 0.1, -2,
    ]
    return (0..<count).map { specials[($0 + shift) % specials.count] * T(1 + $0 % 5) }
  }

  func check<T: BinaryFloatingPoint & KernelScalar>(
    _: T.Type, _ op: ArithmeticOp, isa: KernelISA, count: Int, aCount: Int, bCount: Int,
    inPlace: Bool
  ) {
    let a: [T] = Self.values(aCount, shift: 0)
    let b: [T] = Self.values(bCount, shift: 5)
    let expected = (0..<count).map {
      Self.scalar(op, a[aCount == 1 ? 0 : $0], b[bCount == 1 ? 0 : $0])
    }
    var out =
      inPlace ? a + [T](repeating: 0, count: count - aCount) : [T](repeating: 0, count: count)
    a.withUnsafeBufferPointer { x in
      b.withUnsafeBufferPointer { y in
        out.withUnsafeMutableBufferPointer { o in
          let source = inPlace ? UnsafePointer(o.baseAddress!) : x.baseAddress!
          run(op, source, aCount, y.baseAddress!, bCount, o.baseAddress!, count, isa)
        }
      }
    }
    let same = zip(out, expected).allSatisfy {
      ($0 == $1 && $0.sign == $1.sign) || ($0.isNaN && $1.isNaN)
    }
    #expect(
      same, "\(isa) \(op) \(T.self) count \(count) a \(aCount) b \(bCount) in place \(inPlace)")
  }

  func run<T: KernelScalar>(
    _ op: ArithmeticOp, _ a: UnsafePointer<T>, _ aCount: Int, _ b: UnsafePointer<T>,
    _ bCount: Int, _ out: UnsafeMutablePointer<T>, _ count: Int, _ isa: KernelISA
  ) {
    if let a = a as? UnsafePointer<Float>, let b = b as? UnsafePointer<Float>,
      let out = out as? UnsafeMutablePointer<Float>
    {
      Compute.arithmetic(op, a, aCount: aCount, b, bCount: bCount, out, count: count, isa: isa)
    } else if let a = a as? UnsafePointer<Double>, let b = b as? UnsafePointer<Double>,
      let out = out as? UnsafeMutablePointer<Double>
    {
      Compute.arithmetic(op, a, aCount: aCount, b, bCount: bCount, out, count: count, isa: isa)
    }
  }

  @Test(arguments: ArithmeticOp.allCases)
  func sameBitsAsTheScalarOperation(op: ArithmeticOp) {
    for isa in Self.paths {
      for count in [1, 3, 7, 15, 16, 17, 31, 33, 64, 100, 515] {
        for (aCount, bCount) in [(count, count), (count, 1), (1, count)] {
          check(
            Float.self, op, isa: isa, count: count, aCount: aCount, bCount: bCount, inPlace: false)
          check(
            Double.self, op, isa: isa, count: count, aCount: aCount, bCount: bCount, inPlace: false)
        }
        check(Float.self, op, isa: isa, count: count, aCount: count, bCount: count, inPlace: true)
        check(Double.self, op, isa: isa, count: count, aCount: count, bCount: 1, inPlace: true)
        // The output is the scalar operand's buffer (a fused node writes in place over its
        // first operand, which may be a one-element value broadcast).
        check(Float.self, op, isa: isa, count: count, aCount: 1, bCount: count, inPlace: true)
      }
    }
  }
}

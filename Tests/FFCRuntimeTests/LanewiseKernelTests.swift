import FFCIR
import FFCRuntime
import Testing

/// relu, step, sign and hard_tanh run the ISA modules' lane-wise loops (Compute.lanewise): on
/// every path the machine supports, at every tail length, in place and out of place, through NaN,
/// infinities, signed zeros and subnormals, they give the bits of the op's own scalar function
/// (the reference evaluator's), and the runtime's block loop for each op is that loop.
@Suite struct LanewiseKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)
  static let ops: [(Op, LanewiseOp)] = [
    (Op.relu, .relu), (Op.step, .step), (Op.sign, .sign), (Op.hardTanh, .hardTanh),
  ]
  static let counts = [0, 1, 7, 33, 1000]

  /// Values with every special case, cycled to `count`.
  static func values<T: BinaryFloatingPoint>(_ count: Int) -> [T] {
    let specials: [T] = [
      1.5, -0.0, 0, .infinity, -.infinity, .nan, T.leastNonzeroMagnitude,
      -T.leastNonzeroMagnitude, -3.25, 7e-3, T.greatestFiniteMagnitude, 1, -1, 0.999, -1.001,
      -0.5,
    ]
    return (0..<count).map { specials[$0 % specials.count] * T(1 + $0 % 3) }
  }

  static func same<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> Bool {
    a.count == b.count
      && zip(a, b).allSatisfy { ($0 == $1 && $0.sign == $1.sign) || ($0.isNaN && $1.isNaN) }
  }

  static func function(_ op: Op) throws -> any UnaryFunction.Type {
    guard case .unary(let f) = op.scalarFunction else {
      throw TestFailure("'\(op.name)' has no unary scalar function")
    }
    return f
  }

  struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  @Test(arguments: KernelISA.allCases.filter(\.isSupported))
  func singlePrecisionOnEveryPath(isa: KernelISA) throws {
    for (op, kind) in Self.ops {
      let f = try Self.function(op)
      for count in Self.counts {
        let x: [Float] = Self.values(count)
        let expected = x.map { f.apply($0) }
        var out = [Float](repeating: 7, count: count)
        x.withUnsafeBufferPointer { x in
          out.withUnsafeMutableBufferPointer { o in
            guard let xs = x.baseAddress, let os = o.baseAddress else { return }
            Compute.lanewise(kind, xs, os, count: count, isa: isa)
          }
        }
        #expect(Self.same(out, expected), "\(isa) \(op.name) f32 count \(count)")
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { o in
          guard let os = o.baseAddress else { return }
          Compute.lanewise(kind, os, os, count: count, isa: isa)
        }
        #expect(Self.same(inPlace, expected), "\(isa) \(op.name) f32 in place count \(count)")
      }
    }
  }

  @Test(arguments: KernelISA.allCases.filter(\.isSupported))
  func doublePrecisionOnEveryPath(isa: KernelISA) throws {
    for (op, kind) in Self.ops {
      let f = try Self.function(op)
      for count in Self.counts {
        let x: [Double] = Self.values(count)
        let expected = x.map { f.apply($0) }
        var out = [Double](repeating: 7, count: count)
        x.withUnsafeBufferPointer { x in
          out.withUnsafeMutableBufferPointer { o in
            guard let xs = x.baseAddress, let os = o.baseAddress else { return }
            Compute.lanewise(kind, xs, os, count: count, isa: isa)
          }
        }
        #expect(Self.same(out, expected), "\(isa) \(op.name) f64 count \(count)")
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { o in
          guard let os = o.baseAddress else { return }
          Compute.lanewise(kind, os, os, count: count, isa: isa)
        }
        #expect(Self.same(inPlace, expected), "\(isa) \(op.name) f64 in place count \(count)")
      }
    }
  }

  /// The runtime's block loop for each op (alone and fused) is the lane-wise loop on the
  /// process's path: the same bits as the scalar function.
  @Test func theRuntimeRunsTheLanewiseLoops() throws {
    for (op, _) in Self.ops {
      let f = try Self.function(op)
      let x: [Float] = Self.values(45)
      let xd: [Double] = Self.values(45)
      let floatLoop = try #require(KernelTable.loop(for: op)).float(.none)
      let doubleLoop = try #require(KernelTable.loop(for: op)).double(.none)
      var out = [Float](repeating: 0, count: x.count)
      var outd = [Double](repeating: 0, count: xd.count)
      x.withUnsafeBufferPointer { x in
        out.withUnsafeMutableBufferPointer { o in
          floatLoop(x.baseAddress!, x.count, x.baseAddress!, x.count, o.baseAddress!, x.count)
        }
      }
      xd.withUnsafeBufferPointer { x in
        outd.withUnsafeMutableBufferPointer { o in
          doubleLoop(x.baseAddress!, x.count, x.baseAddress!, x.count, o.baseAddress!, x.count)
        }
      }
      #expect(Self.same(out, x.map { f.apply($0) }), "\(op.name) f32 block loop")
      #expect(Self.same(outd, xd.map { f.apply($0) }), "\(op.name) f64 block loop")
    }
  }
}

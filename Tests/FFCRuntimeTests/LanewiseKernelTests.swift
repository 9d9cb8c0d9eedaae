import FFCIR
import FFCRuntime
import FFCTestSupport
import Foundation
import Testing

/// relu, step, sign, hard_tanh, abs, neg, leaky_relu, leaky_step, where and sigmoid
/// cross-entropy run the ISA modules' lane-wise loops (Compute.lanewise, Compute.select,
/// Compute.vectorSigmoidCrossEntropy): on every path the machine supports, at every tail length,
/// in place and out of place, through NaN, infinities, signed zeros and subnormals, the choices
/// give the bits of the op's own scalar function (the reference evaluator's), the loss the same
/// bits on every path, and plans using them agree with the reference evaluator on odd shapes.
@Suite struct LanewiseKernelTests {
  static let paths = KernelISA.allCases.filter(\.isSupported)
  static let ops: [(Op, LanewiseOp)] = [
    (Op.relu, .relu), (Op.step, .step), (Op.sign, .sign), (Op.hardTanh, .hardTanh),
    (Op.abs, .abs), (Op.neg, .negate), (Op.sqrt, .squareRoot), (Op.square, .square),
  ]
  static let counts = [0, 1, 3, 7, 15, 17, 33, 1000]

  /// Values with every special case, cycled to `count`.
  static func values<T: BinaryFloatingPoint>(_ count: Int, offset: Int = 0) -> [T] {
    let specials: [T] = [
      1.5, -0.0, 0, .infinity, -.infinity, .nan, T.leastNonzeroMagnitude,
      -T.leastNonzeroMagnitude, -3.25, 7e-3, T.greatestFiniteMagnitude, 1, -1, 0.999, -1.001,
      -0.5, -.nan, -T.leastNormalMagnitude,
    ]
    return (0..<count).map { specials[($0 + offset) % specials.count] * T(1 + $0 % 3) }
  }

  /// The same value bit for bit, any NaN matching any NaN.
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

  /// One precision's loop, out of place and in place, against the scalar function.
  static func check<T: KernelScalar>(
    _: T.Type, _ label: String, expected: (T) -> T,
    run: (UnsafePointer<T>, UnsafeMutablePointer<T>, Int) -> Void
  ) {
    for count in counts {
      let x: [T] = values(count)
      let want = x.map(expected)
      var out = [T](repeating: 7, count: count)
      x.withUnsafeBufferPointer { x in
        out.withUnsafeMutableBufferPointer { o in
          guard let xs = x.baseAddress, let os = o.baseAddress else { return }
          run(xs, os, count)
        }
      }
      #expect(same(out, want), "\(label) count \(count)")
      var inPlace = x
      inPlace.withUnsafeMutableBufferPointer { o in
        guard let os = o.baseAddress else { return }
        run(os, os, count)
      }
      #expect(same(inPlace, want), "\(label) in place count \(count)")
    }
  }

  @Test(arguments: KernelISA.allCases.filter(\.isSupported))
  func unaryOpsOnEveryPath(isa: KernelISA) throws {
    for (op, kind) in Self.ops {
      let f = try Self.function(op)
      Self.check(
        Float.self, "\(isa) \(op.name) f32", expected: { f.apply($0) },
        run: { Compute.lanewise(kind, $0, $1, count: $2, isa: isa) })
      Self.check(
        Double.self, "\(isa) \(op.name) f64", expected: { f.apply($0) },
        run: { Compute.lanewise(kind, $0, $1, count: $2, isa: isa) })
    }
  }

  static let parametricOps: [(Op, ParametricLanewiseOp)] = [
    (Op.leakyRelu, .leakyRelu), (Op.leakyStep, .leakyStep),
  ]
  static let slopes: [Double] = [0.01, 0.2, -1, 0, 1.5, .infinity]

  static func parametricFunction(_ op: Op) throws -> any ParametricFunction.Type {
    guard case .parametric(let f, _, _) = op.scalarFunction else {
      throw TestFailure("'\(op.name)' has no parametric scalar function")
    }
    return f
  }

  /// leaky_relu and leaky_step with several slopes (0, negative, above 1, infinite).
  @Test(arguments: KernelISA.allCases.filter(\.isSupported))
  func parametricOpsOnEveryPath(isa: KernelISA) throws {
    for (op, kind) in Self.parametricOps {
      let f = try Self.parametricFunction(op)
      for alpha in Self.slopes {
        let a = Float(alpha)
        Self.check(
          Float.self, "\(isa) \(op.name) α \(alpha) f32", expected: { f.apply($0, a) },
          run: { Compute.lanewise(kind, $0, parameter: a, $1, count: $2, isa: isa) })
        Self.check(
          Double.self, "\(isa) \(op.name) α \(alpha) f64", expected: { f.apply($0, alpha) },
          run: { Compute.lanewise(kind, $0, parameter: alpha, $1, count: $2, isa: isa) })
      }
    }
  }

  /// where(c, a, b) with every operand full or one value, the output in place over each full
  /// operand, against the reference's choice.
  static func checkSelect<T: KernelScalar>(
    _ label: String,
    _ select: (
      UnsafePointer<T>, Int, UnsafePointer<T>, Int, UnsafePointer<T>, Int,
      UnsafeMutablePointer<T>, Int
    ) -> Void
  ) {
    for count in counts where count > 0 {
      for shape in 0..<8 {
        let full = [shape & 1 == 0, shape & 2 == 0, shape & 4 == 0]
        let operands: [[T]] = (0..<3).map { k in values(full[k] ? count : 1, offset: 5 * k) }
        func at(_ k: Int, _ i: Int) -> T { operands[k][full[k] ? i : 0] }
        let want = (0..<count).map { i in at(0, i) > 0 ? at(1, i) : at(2, i) }
        for target in [-1, 0, 1, 2] where target < 0 || full[target] {
          var (cs, xs, ys) = (operands[0], operands[1], operands[2])
          var out = [T](repeating: 7, count: count)
          let got: [T] = cs.withUnsafeMutableBufferPointer { c in
            xs.withUnsafeMutableBufferPointer { a in
              ys.withUnsafeMutableBufferPointer { b in
                out.withUnsafeMutableBufferPointer { o in
                  let pointers = [c, a, b].map { $0.baseAddress! }
                  let destination = target < 0 ? o.baseAddress! : pointers[target]
                  select(
                    pointers[0], c.count, pointers[1], a.count, pointers[2], b.count,
                    destination, count)
                  return Array(UnsafeBufferPointer(start: destination, count: count))
                }
              }
            }
          }
          #expect(same(got, want), "\(label) count \(count) full \(full) \(target)")
        }
      }
    }
  }

  @Test(arguments: KernelISA.allCases.filter(\.isSupported))
  func selectOnEveryPath(isa: KernelISA) {
    Self.checkSelect("\(isa) where f32") { (c: UnsafePointer<Float>, cn, a, an, b, bn, o, n) in
      Compute.select(c, cCount: cn, a, aCount: an, b, bCount: bn, o, count: n, isa: isa)
    }
    Self.checkSelect("\(isa) where f64") { (c: UnsafePointer<Double>, cn, a, an, b, bn, o, n) in
      Compute.select(c, cCount: cn, a, aCount: an, b, bCount: bn, o, count: n, isa: isa)
    }
  }

  static let binaryOps: [(Op, BinaryLanewiseOp)] = [(Op.equal, .equal), (Op.prelu, .prelu)]

  static func binaryFunction(_ op: Op) throws -> any BinaryFunction.Type {
    guard case .binary(let f) = op.scalarFunction else {
      throw TestFailure("'\(op.name)' has no binary scalar function")
    }
    return f
  }

  /// equal and prelu (and the runtime's block loops for them) with either operand full or one
  /// value, the output in place over each full operand, against the scalar function's bits.
  static func checkBinary<T: KernelScalar>(
    _ label: String, expected: (T, T) -> T,
    _ zip: (UnsafePointer<T>, Int, UnsafePointer<T>, Int, UnsafeMutablePointer<T>, Int) -> Void
  ) {
    for count in counts where count > 0 {
      // At most one operand is one value (as Compute.zip and the fused kernel have them).
      for shape in 0..<3 {
        let full = [shape & 1 == 0, shape & 2 == 0]
        // The second operand's values are the first's, shifted: equal pairs and unequal ones.
        let operands: [[T]] = (0..<2).map { k in
          values(full[k] ? count : 1, offset: k * (count % 3))
        }
        func at(_ k: Int, _ i: Int) -> T { operands[k][full[k] ? i : 0] }
        let want = (0..<count).map { i in expected(at(0, i), at(1, i)) }
        for target in [-1, 0, 1] where target < 0 || full[target] {
          var (xs, ys) = (operands[0], operands[1])
          var out = [T](repeating: 7, count: count)
          let got: [T] = xs.withUnsafeMutableBufferPointer { a in
            ys.withUnsafeMutableBufferPointer { b in
              out.withUnsafeMutableBufferPointer { o in
                let pointers = [a.baseAddress!, b.baseAddress!]
                let destination = target < 0 ? o.baseAddress! : pointers[target]
                zip(pointers[0], a.count, pointers[1], b.count, destination, count)
                return Array(UnsafeBufferPointer(start: destination, count: count))
              }
            }
          }
          #expect(same(got, want), "\(label) count \(count) full \(full) into \(target)")
        }
      }
    }
  }

  @Test(arguments: KernelISA.allCases.filter(\.isSupported))
  func binaryOpsOnEveryPath(isa: KernelISA) throws {
    for (op, kind) in Self.binaryOps {
      let f = try Self.binaryFunction(op)
      let (floatF, doubleF) = (
        { (a: Float, b: Float) in f.apply(a, b) }, { (a: Double, b: Double) in f.apply(a, b) }
      )
      Self.checkBinary("\(isa) \(op.name) f32", expected: floatF) {
        Compute.lanewise(kind, $0, aCount: $1, $2, bCount: $3, $4, count: $5, isa: isa)
      }
      Self.checkBinary("\(isa) \(op.name) f64", expected: doubleF) {
        Compute.lanewise(kind, $0, aCount: $1, $2, bCount: $3, $4, count: $5, isa: isa)
      }
    }
  }

  /// The runtime's block loops for equal and prelu are these; log1p, expm1, sin, cos and pow
  /// stay libm's (Elementwise+Kernels.swift says why), not the vector forms (Compute.math).
  @Test func theRuntimeRunsTheseLoops() throws {
    for (op, _) in Self.binaryOps {
      let f = try Self.binaryFunction(op)
      let kernel = try #require(KernelTable.loop(for: op))
      let (floatLoop, doubleLoop) = (kernel.float(.none), kernel.double(.none))
      let (floatF, doubleF) = (
        { (a: Float, b: Float) in f.apply(a, b) }, { (a: Double, b: Double) in f.apply(a, b) }
      )
      Self.checkBinary("\(op.name) f32 block loop", expected: floatF) {
        floatLoop($0, $1, $2, $3, $4, $5)
      }
      Self.checkBinary("\(op.name) f64 block loop", expected: doubleF) {
        doubleLoop($0, $1, $2, $3, $4, $5)
      }
    }
    // The transcendental ops' loops give libm's bits.
    let x = (0..<37).map { Double($0) * 0.31 - 0.97 }
    let xf = x.map { Float($0) }
    let libm: [(Op, (Double) -> Double, (Float) -> Float)] = [
      (Op.log1p, { Foundation.log1p($0) }, { Foundation.log1pf($0) }),
      (Op.expm1, { Foundation.expm1($0) }, { Foundation.expm1f($0) }),
      (Op.sin, { Foundation.sin($0) }, { Foundation.sinf($0) }),
      (Op.cos, { Foundation.cos($0) }, { Foundation.cosf($0) }),
    ]
    for (op, double, float) in libm {
      let kernel = try #require(KernelTable.loop(for: op))
      var got = [Double](repeating: 0, count: 37)
      kernel.double(.none)(x, 37, x, 37, &got, 37)
      #expect(Self.same(got, x.map(double)), "\(op.name) f64")
      var gotF = [Float](repeating: 0, count: 37)
      kernel.float(.none)(xf, 37, xf, 37, &gotF, 37)
      #expect(Self.same(gotF, xf.map(float)), "\(op.name) f32")
    }
    let kernel = try #require(KernelTable.loop(for: Op.pow))
    let p = xf.map { $0 * 3 }
    var gotP = [Float](repeating: 0, count: 37)
    kernel.float(.none)(xf, 37, p, 37, &gotP, 37)
    #expect(Self.same(gotP, zip(xf, p).map { Foundation.powf($0, $1) }), "pow f32 is libm's")
    let pd = x.map { $0 * 3 }
    var gotD = [Double](repeating: 0, count: 37)
    kernel.double(.none)(x, 37, pd, 37, &gotD, 37)
    #expect(Self.same(gotD, zip(x, pd).map { Foundation.pow($0, $1) }), "pow f64 is libm's")
  }

  /// A network of sqrt, square, log1p, expm1, sin, cos, pow, equal and prelu, fused as `ffc`
  /// runs it, on odd shapes: outputs, loss and gradients on every path in f32 and f64 against
  /// the reference evaluator.
  @Test(arguments: [37, 5])
  func aNetworkOfTheVectorFormsOnEveryPath(batch: Int) throws {
    let text = """
      input X[N, 13]
      target t[N, 7]
      param W[13, 7] = uniform(-1, 1)
      param b[7] = 0.1
      param a[7] = 0.25
      param V[7, 7] = uniform(-1, 1)
      Z = X @ W + b
      A = sqrt(square(Z) + 1) + log1p(square(Z)) - expm1(Z * 0.5) + sin(Z * 3) * cos(Z)
      B = pow(square(Z) + 0.5, 1.5) + prelu(Z, a) + equal(relu(Z), Z)
      O = (A * B) @ V
      output A
      loss L = mean(square(O - t))
      """
    let graph = try Programs.compile(text, differentiate: true)
    var rng = SplitMix64(seed: UInt64(batch))
    let feeds: [String: Tensor] = [
      "X": Tensor(shape: [batch, 13], scalars: (0..<batch * 13).map { _ in rng.uniform(-2, 2) }),
      "t": Tensor(shape: [batch, 7], scalars: (0..<batch * 7).map { _ in rng.uniform(0, 1) }),
    ]
    try KernelPathTests.compare(graph, feeds: feeds, "vector forms batch \(batch)")
  }

  /// Sigmoid cross-entropy's mean: the same bits on every path, at every tail length, close to
  /// the f64 reference's, and NaN or inf carried through.
  @Test func sigmoidCrossEntropySameBitsOnEveryPath() {
    var rng = SplitMix64(seed: 13)
    for count in Self.counts + [4099] {
      let z = (0..<count).map { _ in rng.uniform(-30, 30) }
      let t = (0..<count).map { _ in rng.uniform(0, 1) }
      let exact =
        zip(z, t).map { z, t in
          Swift.max(z, 0) - z * t + Foundation.log1p(Foundation.exp(-Swift.abs(z)))
        }
        .reduce(0, +) / Double(Swift.max(1, count))
      let zf = z.map { Float($0) }
      let tf = t.map { Float($0) }
      let floats = Self.paths.map { isa in
        Compute.vectorSigmoidCrossEntropy(zf, tf, count: count, isa: isa)
      }
      let doubles = Self.paths.map { isa in
        Compute.vectorSigmoidCrossEntropy(z, t, count: count, isa: isa)
      }
      #expect(Set(floats.map(\.bitPattern)).count == 1, "f32 count \(count): \(floats)")
      #expect(Set(doubles.map(\.bitPattern)).count == 1, "f64 count \(count): \(doubles)")
      #expect(abs(Double(floats[0]) - exact) <= 1e-5 * Swift.max(1, abs(exact)), "f32 \(count)")
      #expect(abs(doubles[0] - exact) <= 1e-13 * Swift.max(1, abs(exact)), "f64 \(count)")
    }
    for isa in Self.paths {
      let z: [Float] = [1, .nan, 2]
      let t: [Float] = [0, 0, 1]
      #expect(Compute.vectorSigmoidCrossEntropy(z, t, count: 3, isa: isa).isNaN, "\(isa) NaN")
      let big: [Double] = [1e300, -1e300, 0]
      let targets: [Double] = [1, 0, 0.5]
      let loss = Compute.vectorSigmoidCrossEntropy(big, targets, count: 3, isa: isa)
      #expect(abs(loss - Foundation.log(2) / 3) < 1e-15, "\(isa) large logits: \(loss)")
    }
  }

  /// The runtime's block loop for each op is the lane-wise loop on the process's path.
  @Test func theRuntimeRunsTheLanewiseLoops() throws {
    for (op, _) in Self.ops {
      let f = try Self.function(op)
      let kernel = try #require(KernelTable.loop(for: op))
      let (floatLoop, doubleLoop) = (kernel.float(.none), kernel.double(.none))
      Self.check(
        Float.self, "\(op.name) f32 block loop", expected: { f.apply($0) },
        run: { floatLoop($0, $2, $0, $2, $1, $2) })
      Self.check(
        Double.self, "\(op.name) f64 block loop", expected: { f.apply($0) },
        run: { doubleLoop($0, $2, $0, $2, $1, $2) })
    }
    for (op, _) in Self.parametricOps {
      let f = try Self.parametricFunction(op)
      let kernel = try #require(KernelTable.loop(for: op))
      for attributes in [Attributes([("alpha", .double(0.3))]), Attributes.none] {
        let alpha = op.scalarFunction?.parameter(attributes) ?? 0
        let loop = kernel.float(attributes)
        Self.check(
          Float.self, "\(op.name) α \(alpha)", expected: { f.apply($0, Float(alpha)) },
          run: { loop($0, $2, $0, $2, $1, $2) })
      }
    }
  }

  /// A network using every one of these ops, fused as `ffc` runs it, on odd shapes: its outputs,
  /// loss and gradients on every path in f32 and f64 against the reference evaluator.
  @Test(arguments: [37, 5])
  func aNetworkOfThemOnEveryPath(batch: Int) throws {
    let text = """
      input X[N, 13]
      target t[N, 7]
      param W[13, 7] = uniform(-1, 1)
      param b[7] = 0.1
      param V[7, 7] = uniform(-1, 1)
      Z = X @ W + b
      A = relu(Z) + leaky_relu(Z, alpha=0.2) - hard_tanh(Z * 2) + abs(Z - 0.3)
      B = where(Z, A, -Z) + sign(Z) * 0.5 + leaky_step(Z, alpha=0.05)
      O = (A * B) @ V
      output A
      loss L = sigmoid_cross_entropy(O, t) + mean(where(O, O, 0.25))
      """
    let graph = try Programs.compile(text, differentiate: true)
    var rng = SplitMix64(seed: UInt64(batch))
    let feeds: [String: Tensor] = [
      "X": Tensor(shape: [batch, 13], scalars: (0..<batch * 13).map { _ in rng.uniform(-2, 2) }),
      "t": Tensor(shape: [batch, 7], scalars: (0..<batch * 7).map { _ in rng.uniform(0, 1) }),
    ]
    try KernelPathTests.compare(graph, feeds: feeds, "lane-wise batch \(batch)")
  }
}

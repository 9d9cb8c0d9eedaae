import FFCTensor
import Foundation
import Testing

@Suite struct ShapeTests {
  @Test func broadcastingFollowsNumpy() {
    #expect(Shape.broadcast([2, 3], [3]) == [2, 3])
    #expect(Shape.broadcast([2, 1], [1, 4]) == [2, 4])
    #expect(Shape.broadcast([.symbol("N"), 3], [3]) == [.symbol("N"), 3])
    #expect(Shape.broadcast([2, 3], [2]) == nil)
    #expect(Shape.broadcast([.symbol("N")], [.symbol("M")]) == nil)
    #expect(Shape([2, 3]).description == "[2, 3]" && Shape.scalar.description == "[]")
  }

  @Test func elementCountsSaturateInsteadOfOverflowing() {
    #expect(Shape([Dim.fixed(1 << 31), .fixed(1 << 31), .fixed(1 << 31)]).elementCount == Int.max)
    #expect(Shape([2, 3]).elementCount == 6)
  }
}

@Suite struct KernelTests {
  /// The reference matrix product against a naive triple loop, for every transpose combination
  /// and for odd shapes.
  @Test(arguments: [(1, 1, 1), (2, 3, 4), (5, 7, 3), (13, 1, 11)])
  func matmulMatchesTheDefinition(m: Int, k: Int, n: Int) {
    var rng = SplitMix64(seed: 3)
    let a = Tensor(shape: [m, k], scalars: (0..<m * k).map { _ in rng.uniform(-1, 1) })
    let b = Tensor(shape: [k, n], scalars: (0..<k * n).map { _ in rng.uniform(-1, 1) })
    var expected = [Double](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        for p in 0..<k { expected[i * n + j] += a.scalars[i * k + p] * b.scalars[p * n + j] }
      }
    }
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let lhs = ta ? Kernels.transpose(a) : a
      let rhs = tb ? Kernels.transpose(b) : b
      let product = Kernels.matmul(lhs, rhs, transposeA: ta, transposeB: tb)
      #expect(product.shape == [m, n])
      #expect(zip(product.scalars, expected).allSatisfy { abs($0 - $1) < 1e-12 })
    }
  }

  @Test func reductionsOverAxes() {
    let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(Kernels.sum(x, axes: [0], keepDims: false).scalars == [5, 7, 9])
    #expect(Kernels.sum(x, axes: [1], keepDims: true).shape == [2, 1])
    #expect(Kernels.sum(x, axes: [1], keepDims: true).scalars == [6, 15])
    #expect(Kernels.max(x, axes: [0, 1], keepDims: false).scalars == [6])
    #expect(
      Kernels.max(Tensor(shape: [2], scalars: [1, .nan]), axes: [0], keepDims: false).scalars[0]
        .isNaN)
  }

  @Test func broadcastAndIndex() {
    let row = Tensor(shape: [3], scalars: [1, 2, 3])
    #expect(Kernels.broadcast(row, to: [2, 3]).scalars == [1, 2, 3, 1, 2, 3])
    let column = Tensor(shape: [2, 1], scalars: [1, 2])
    #expect(Kernels.broadcast(column, to: [2, 3]).scalars == [1, 1, 1, 2, 2, 2])
    let m = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(Kernels.index(m, [1]).scalars == [4, 5, 6])
    #expect(Kernels.embed(Tensor(7), at: [1, 2], in: [2, 3]).scalars == [0, 0, 0, 0, 0, 7])
  }

  /// log-softmax stays finite for logits of ±1000.
  @Test func softmaxIsStable() {
    let z = Tensor(shape: [3], scalars: [1000, -1000, 0])
    let logP = Kernels.logSoftmax(z, axis: 0)
    #expect(logP.scalars.allSatisfy { $0.isFinite })
    #expect(abs(logP.scalars[0]) < 1e-12)
    #expect(abs(Kernels.softmax(z, axis: 0).scalars.reduce(0, +) - 1) < 1e-12)
  }

  @Test func badLabelsGiveNaNRowsNotWrongAnswers() {
    let oneHot = Kernels.oneHot(Tensor(shape: [3], scalars: [0, 2, 5]), classes: 3)
    #expect(Array(oneHot.scalars[0..<6]) == [1, 0, 0, 0, 0, 1])
    #expect(oneHot.scalars[6...].allSatisfy { $0.isNaN })
  }
}

@Suite struct InitializerTests {
  @Test func sameSeedSameValuesAndNamesAreIndependent() {
    let a = Initializer.he.materialize(shape: [64, 32], name: "W1", seed: 1)
    #expect(a == Initializer.he.materialize(shape: [64, 32], name: "W1", seed: 1))
    #expect(a != Initializer.he.materialize(shape: [64, 32], name: "W2", seed: 1))
    #expect(a != Initializer.he.materialize(shape: [64, 32], name: "W1", seed: 2))
  }

  @Test func heAndGlorotHaveTheirScales() {
    let he = Initializer.he.materialize(shape: [400, 100], name: "W", seed: 0, fanInAxis: 0)
    let variance = he.scalars.reduce(0) { $0 + $1 * $1 } / Double(he.count)
    #expect(abs(variance - 2.0 / 400) < 0.1 * 2.0 / 400)
    let glorot = Initializer.glorot.materialize(shape: [30, 20], name: "W", seed: 0)
    let limit = (6.0 / 50).squareRoot()
    #expect(glorot.scalars.allSatisfy { abs($0) <= limit })
    let heColumn = Initializer.he.materialize(shape: [100, 400], name: "W", seed: 0, fanInAxis: 1)
    let columnVariance = heColumn.scalars.reduce(0) { $0 + $1 * $1 } / Double(heColumn.count)
    #expect(abs(columnVariance - 2.0 / 400) < 0.1 * 2.0 / 400)
  }

  @Test func numbersPrintShortestAndExact() {
    #expect(TensorFormat.number(2) == "2" && TensorFormat.number(-0.5) == "-0.5")
    #expect(TensorFormat.number(.nan) == "nan" && TensorFormat.number(-.infinity) == "-inf")
    #expect(
      TensorFormat.literal(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])) == "[[1, 2], [3, 4]]")
    #expect(TensorFormat.summary(Tensor(repeating: 0.5, shape: [100])) == "fill(0.5, [100])")
  }
}

import FFCTensor
import FFCTestSupport
import Foundation
import Testing

/// Every textbook number, through `ffc run` on the samples (in f64, parsed from its JSON output).
@Suite struct SampleRunTests {
  func expect(_ value: Tensor?, _ expected: [Double], tolerance: Double = 1e-12, _ what: String) {
    guard let value else {
      Issue.record("\(what): missing")
      return
    }
    #expect(value.scalars.count == expected.count, "\(what): \(value)")
    for (x, y) in zip(value.scalars, expected) {
      #expect(abs(x - y) <= tolerance * max(1, abs(y)), "\(what): \(value.scalars) vs \(expected)")
    }
  }

  @Test func figure11_1() throws {
    let run = try RunOutput.run([
      "samples/fig11_1.ffn", "--set", "x=1,1,1", "--set", "y=0", "--trace",
    ])
    expect(run["h1"], [0, 2], "h1")
    expect(run["h2"], [4, 0], "h2")
    expect(run["o"], [-4], "o")
    expect(run["L"], [16], "squared error")
    expect(run["dL/do"], [-8], "dL/do")
    expect(run["dL/dwo"], [-32, 0], "dL/dwo")
    expect(run["dL/dW2"], [0, 16, 0, 0], "dL/dW2")
    expect(run["dL/dW1"], [0, 0, 0, 16, 16, 16], "dL/dW1")
  }

  @Test func figure11_2SoftmaxAndCrossEntropy() throws {
    let run = try RunOutput.run(["samples/fig11_2.ffn", "--grads"])
    expect(run["o"], [-4, 8, 4], "logits")
    let z = [-4.0, 8, 4]
    let total = z.map { Foundation.exp($0) }.reduce(0, +)
    expect(run["p"], z.map { Foundation.exp($0) / total }, tolerance: 1e-15, "softmax")
    #expect(
      abs((run["p"]?.scalars[1] ?? 0) - 0.98) < 0.005
        && abs((run["p"]?.scalars[2] ?? 0) - 0.02) < 0.005)
    expect(run["L"], [Foundation.log(total) - 4], "cross-entropy")
    #expect(abs((run["L"]?.scalars[0] ?? 0) - 4.02) < 0.005)
  }

  @Test func deltaMethodExample() throws {
    let run = try RunOutput.run(["samples/fig11_2_delta.ffn", "--grads"])
    expect(run["o1"], [-3], "o1")
    #expect(run["do1/dW1"]?.scalars[4] == -6, "d o1 / d W1[1, 1] (the text's w22)")
  }

  @Test func computationalGraphs() throws {
    let chain = try RunOutput.run(["samples/chain.ffn", "--trace"])
    expect(chain["de/dc"], [2], "de/dc = d")
    expect(chain["de/dd"], [3], "de/dd = c")
    expect(chain["e"], [6], "e")
    expect(chain["de/da"], [2], "de/da")
    expect(chain["de/db"], [5], "de/db")
    let composite = try RunOutput.run(["samples/composite.ffn", "--grads"])
    expect(composite["f"], [Foundation.exp(Foundation.sin(1))], "f")
    expect(composite["df/dx"], [Foundation.exp(Foundation.sin(1)) * Foundation.cos(1) * 2], "df/dx")
  }

  @Test func xorSolution() throws {
    let run = try RunOutput.run([
      "samples/xor_solution.ffn", "--data", "samples/data/xor_solution.csv", "--grads",
    ])
    expect(run["f"], [0, 1, 1, 0], "XOR")
    expect(run["J"], [0], "J")
    #expect(run.rows == 4)
  }

  @Test func sigmoidNeuronAndLinearRegression() throws {
    let neuron = try RunOutput.run(["samples/sigmoid_neuron.ffn", "--grads"])
    let a = 1 / (1 + Foundation.exp(-(2 * 1.5 - 1)))
    expect(neuron["C"], [0.5 * (a - 1) * (a - 1)], "C")
    expect(neuron["dC/db"], [(a - 1) * a * (1 - a)], "dC/db")
    expect(neuron["dC/dw"], [(a - 1) * a * (1 - a) * 1.5], "dC/dw")
    let linreg = try RunOutput.run(["samples/linreg.ffn", "--trace"])
    // Example 6 of the notes, every node of the backward pass.
    for name in ["dJ/de", "dJ/dy_hat", "dJ/du"] { expect(linreg[name], [8], name) }
    expect(linreg["u"], [5], "u")
    expect(linreg["e"], [4], "e")
    expect(linreg["J"], [16], "J")
    expect(linreg["dJ/dw"], [8], "dJ/dw")
    expect(linreg["dJ/db"], [8], "dJ/db")
  }

  /// A per-example program over a file: outputs per row, loss and gradients averaged (or summed).
  @Test func perExampleRowsAreAveraged() throws {
    let rows = [(1.0, 2.0), (2, 3), (-1, 0.5)]
    let run = try RunOutput.run([
      "samples/linreg.ffn", "--data", "samples/data/linreg.csv", "--grads",
    ])
    let errors = rows.map { 5 * $0.0 + 1 - $0.1 }
    expect(run["y_hat"], rows.map { 5 * $0.0 + 1 }, "y_hat per row")
    expect(run["J"], [errors.map { $0 * $0 }.reduce(0, +) / 3], "mean J")
    expect(run["dJ/dw"], [zip(errors, rows).map { 2 * $0 * $1.0 }.reduce(0, +) / 3], "mean dJ/dw")
    let summed = try RunOutput.run([
      "samples/linreg.ffn", "--data", "samples/data/linreg.csv", "--grads", "--reduce", "sum",
    ])
    expect(summed["dJ/db"], [errors.map { 2 * $0 }.reduce(0, +)], "summed dJ/db")
  }

  /// The blog post's hand-derived backward pass, recomputed here from the run's own weights.
  @Test func twoLayerMatchesTheBlogsBackwardPass() throws {
    let run = try RunOutput.run([
      "samples/two_layer.ffn", "--data", "samples/data/two_layer.csv", "--trace",
    ])
    let (X, y, W1, b1, W2, b2) = try (
      #require(run["X"]), #require(run["y"]), #require(run["W1"]), #require(run["b1"]),
      #require(run["W2"]), #require(run["b2"])
    )
    let n = Double(X.shape[0])
    let Y1 = Matrix(X).times(Matrix(W1)).plusRow(b1.scalars)
    let H1 = Y1.map { max($0, 0) }
    let yHat = H1.times(Matrix(W2)).plusRow(b2.scalars)
    let dyHat = yHat.minus(Matrix(y)).map { 2 / n * $0 }
    let dH1 = dyHat.times(Matrix(W2).transposed)
    let dY1 = dH1.zip(Y1) { g, z in z > 0 ? g : 0 }
    expect(run["y_hat"], yHat.values, "y_hat")
    expect(run["dL/dW2"], H1.transposed.times(dyHat).values, "dW2 = H1^T dy_hat")
    expect(run["dL/db2"], dyHat.columnSums, "db2 = column sums of dy_hat")
    expect(run["dL/dW1"], Matrix(X).transposed.times(dY1).values, "dW1 = X^T dY1")
    expect(run["dL/db1"], dY1.columnSums, "db1 = column sums of dY1")
  }

  /// The lecture notes' δ recursion for the sigmoid MLP, from the run's own weights.
  @Test func sigmoidMLPMatchesTheDeltaRecursion() throws {
    let run = try RunOutput.run([
      "samples/sigmoid_mlp.ffn", "--set", "x=0.1,0.5,-0.3,0.8", "--set", "y=1,0", "--trace",
    ])
    var a = [try #require(run["x"]).scalars]
    var weights: [Matrix] = []
    for layer in 1...3 {
      let W = Matrix(try #require(run["W\(layer)"]))
      let b = try #require(run["b\(layer)"]).scalars
      weights.append(W)
      a.append(zip(W.times(column: a[layer - 1]), b).map { 1 / (1 + Foundation.exp(-($0 + $1))) })
    }
    var delta = zip(a[3], [1.0, 0]).map { $0 - $1 }.enumerated().map {
      $1 * a[3][$0] * (1 - a[3][$0])
    }
    for layer in stride(from: 3, through: 1, by: -1) {
      expect(run["dC/db\(layer)"], delta, "delta^\(layer) = dC/db\(layer)")
      expect(
        run["dC/dW\(layer)"], delta.flatMap { d in a[layer - 1].map { d * $0 } },
        "dC/dW\(layer) = delta a^T")
      if layer > 1 {
        let back = weights[layer - 1].transposed.times(column: delta)
        delta = back.enumerated().map { $1 * a[layer - 1][$0] * (1 - a[layer - 1][$0]) }
      }
    }
  }

  /// Examples as columns (X[4, N]): the file's rows become X's columns.
  @Test func columnConventionReadsRowsAsColumns() throws {
    let fromFile = try RunOutput.run([
      "samples/columns.ffn", "--data", "samples/data/columns.csv", "--grads",
    ])
    let inline = try RunOutput.run([
      "samples/columns.ffn", "--set", "X=0.1,-0.6,0.4,0.5,0.2,-0.7,-0.3,0.9,0.3,0.8,-0.1,0.5",
      "--set", "Y=1,0,1,0,1,1", "--grads",
    ])
    #expect(fromFile.values.count == inline.values.count && fromFile.values.count > 3)
    for (name, value) in fromFile.values { #expect(inline[name] == value, "\(name)") }
    #expect(fromFile["A2"]?.shape == [2, 3])
  }

  @Test func irisRunsOnTheWholeFile() throws {
    let run = try RunOutput.run(["samples/iris.ffn", "--data", "samples/data/iris.csv"])
    #expect(run.rows == 150)
    let p = try #require(run["p"])
    #expect(p.shape == [150, 3])
    for row in 0..<150 {
      #expect(abs(p.scalars[row * 3..<row * 3 + 3].reduce(0, +) - 1) < 1e-12)
    }
    let loss = run["L"]?.scalars[0] ?? .nan
    #expect(loss.isFinite && loss > 0)
  }
}

/// A small dense matrix for recomputing textbook formulas in tests.
struct Matrix {
  let rows: Int
  let columns: Int
  let values: [Double]

  init(rows: Int, columns: Int, values: [Double]) {
    (self.rows, self.columns, self.values) = (rows, columns, values)
  }
  init(_ t: Tensor) {
    self.init(rows: t.shape[0], columns: t.rank > 1 ? t.shape[1] : 1, values: t.scalars)
  }

  subscript(i: Int, j: Int) -> Double { values[i * columns + j] }
  var transposed: Matrix {
    Matrix(
      rows: columns, columns: rows, values: (0..<rows * columns).map { self[$0 % rows, $0 / rows] })
  }
  func times(_ b: Matrix) -> Matrix {
    Matrix(
      rows: rows, columns: b.columns,
      values: (0..<rows * b.columns).map { index in
        (0..<columns).reduce(0) { $0 + self[index / b.columns, $1] * b[$1, index % b.columns] }
      })
  }
  func times(column x: [Double]) -> [Double] {
    (0..<rows).map { i in (0..<columns).reduce(0) { $0 + self[i, $1] * x[$1] } }
  }
  func map(_ f: (Double) -> Double) -> Matrix {
    Matrix(rows: rows, columns: columns, values: values.map(f))
  }
  func zip(_ other: Matrix, _ f: (Double, Double) -> Double) -> Matrix {
    Matrix(rows: rows, columns: columns, values: Swift.zip(values, other.values).map(f))
  }
  func minus(_ other: Matrix) -> Matrix { zip(other, -) }
  func plusRow(_ row: [Double]) -> Matrix {
    Matrix(rows: rows, columns: columns, values: values.enumerated().map { $1 + row[$0 % columns] })
  }
  var columnSums: [Double] { (0..<columns).map { j in (0..<rows).reduce(0) { $0 + self[$1, j] } } }
}

import FFCIR
import FFCTensor
import FFCTestSupport
import Foundation
import Testing

/// The differentiation transformations (stop_gradient, grad of any value, jvp, jacobian, hessian)
/// against values JAX computed in float64 (Fixtures/transforms/generate.py wrote cases.json from a
/// JAX transcription of each program), at -O0 and -O1, so neither the transformation nor the
/// optimiser's work on its graph can drift.
@Suite struct TransformCorpusTests {
  struct Expected {
    let shape: [Int]
    let values: [Double]
  }

  struct Case: CustomStringConvertible {
    let name: String
    let program: String
    let outputs: [(String, Expected)]
    var description: String { name }
  }

  static let cases: [Case] = {
    let text = Repository.read("Tests/FFCPassesTests/Fixtures/transforms/cases.json")
    guard let root = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
      let list = root["cases"] as? [[String: Any]]
    else { return [] }
    return list.compactMap { entry in
      guard let name = entry["name"] as? String, let program = entry["program"] as? String,
        let outputs = entry["outputs"] as? [String: [String: Any]]
      else { return nil }
      let expected = outputs.keys.sorted().compactMap { key -> (String, Expected)? in
        guard let shape = outputs[key]?["shape"] as? [Int],
          let values = outputs[key]?["values"] as? [Double]
        else { return nil }
        return (key, Expected(shape: shape, values: values))
      }
      return Case(name: name, program: program, outputs: expected)
    }
  }()

  @Test func theCorpusIsRead() {
    #expect(Self.cases.count >= 5)
  }

  @Test(arguments: cases)
  func valuesMatchJAX(_ testCase: Case) throws {
    for optimize in [false, true] {
      let graph = try Programs.compile(testCase.program, differentiate: false, optimize: optimize)
      let values = try Programs.evaluate(graph)
      for (name, expected) in testCase.outputs {
        let value: Tensor
        if let index = graph.outputs.firstIndex(where: { $0.name == name }) {
          value = values.outputs[index]
        } else if graph.loss?.name == name, let loss = values.loss {
          value = loss
        } else {
          Issue.record("\(testCase.name): no output '\(name)'")
          continue
        }
        #expect(value.shape == expected.shape, "\(testCase.name) '\(name)' -O\(optimize ? 1 : 0)")
        let error =
          zip(value.scalars, expected.values).map { abs($0 - $1) / max(1, abs($1)) }
          .max() ?? 0
        #expect(
          error < 1e-10, "\(testCase.name) '\(name)' -O\(optimize ? 1 : 0): \(value.scalars)")
      }
    }
  }
}

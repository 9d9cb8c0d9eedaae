import FFCFrontend
import FFCIR
import FFCTestSupport
import Testing

/// `dense(..., W=..., b=...)`: the layer's parameters start at the given literals.
@Suite struct DenseValueTests {
  func starts(_ program: String) throws -> [String: Initializer] {
    let graph = try Programs.lower(program)
    return Dictionary(
      uniqueKeysWithValues: graph.parameters.map { ($0.name, $0.initializer ?? .zeros) })
  }

  @Test func literalsGiveTheStartingValues() throws {
    let program =
      "input x[3]\nh = dense(x, 2, relu,\n  W=[[1, 2],\n     [3, 4],\n     [5, 6]], b=[-1, 0.5])\nloss L = sum(h)\n"
    let found = try starts(program)
    #expect(found["h.W"] == .literal(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])))
    #expect(found["h.b"] == .literal(Tensor(shape: [2], scalars: [-1, 0.5])))
  }

  @Test func aNumberFillsTheShape() throws {
    let found = try starts(
      "input X[N, 2]\nh = dense(X, 3, W=0.5, b=0.1, bias=1)\nloss L = sum(h)\n")
    #expect(found["h.W"] == .literal(Tensor(repeating: 0.5, shape: [2, 3])))
    #expect(found["h.b"] == .literal(Tensor(repeating: 0.1, shape: [3])))
  }

  @Test func theOtherParameterKeepsItsDefault() throws {
    let found = try starts(
      "input x[2]\nh = dense(x, 1, relu, b=[3])\no = dense(h, 1, W=[[2]], bias=0)\nloss L = sum(o)\n"
    )
    #expect(found["h.W"] == .he)
    #expect(found["h.b"] == .literal(Tensor(shape: [1], scalars: [3])))
    #expect(found["o.W"] == .literal(Tensor(shape: [1, 1], scalars: [2])))
    #expect(found["o.b"] == nil)
  }
}

import FFCTensor

extension Op {
  /// Data fed at run time (`input`, `target` and `label` declarations). Attributes: name, shape.
  public static let input: Op = leaf("input")
  /// A trainable parameter. Attributes: name, shape.
  public static let param: Op = leaf("param")

  /// A literal. Attribute: value.
  public static let const: Op = Op(
    name: "const", arity: 0, traits: [.leaf],
    inferShape: { _, attributes in Shape(attributes.tensor("value")?.shape ?? []) },
    evaluate: { _, attributes, _ in attributes.tensor("value") ?? Tensor(0) },
    vjp: { _ in [] })

  static let leafOps: [Op] = [input, param, const]

  private static func leaf(_ name: String) -> Op {
    Op(
      name: name, arity: 0, traits: [.leaf],
      inferShape: { _, attributes in attributes.shape("shape") },
      // Leaves are fed by the evaluator; evaluating one directly yields zeros of its shape.
      evaluate: { _, _, shape in Tensor(repeating: 0, shape: shape) },
      vjp: { _ in [] })
  }
}

import FFCTensor

/// A numeric option of a call: `axis` in `sum(x, axis=0)`, `alpha` in `leaky_relu(x, 0.1)`.
public struct CallOption: Sendable {
  public let name: String
  /// nil: the option may be left out (its absence means something, like "all axes").
  public let defaultValue: Double?
  public let isRequired: Bool

  public init(_ name: String, default defaultValue: Double? = nil, required: Bool = false) {
    self.name = name
    self.defaultValue = defaultValue
    self.isRequired = required
  }
}

/// How the language spells a call: the leading tensor arguments, then numeric options given by
/// position or keyword, turned into the node's attributes.
public struct CallSignature: Sendable {
  public let spellings: [String]
  public let tensorCount: Int
  public let options: [CallOption]
  public let makeAttributes:
    @Sendable (_ options: [String: Double], _ inputs: [Shape]) throws -> Attributes

  public init(
    _ spellings: [String], tensors: Int, options: [CallOption] = [],
    makeAttributes: @escaping @Sendable ([String: Double], [Shape]) throws -> Attributes = { _, _ in
      .none
    }
  ) {
    self.spellings = spellings
    self.tensorCount = tensors
    self.options = options
    self.makeAttributes = makeAttributes
  }

  /// An axis option, normalised against the first input's rank (negative counts from the end).
  public static func axis(_ value: Double, of shape: Shape, op: String) throws -> Int {
    // Bounded before the conversion: Int(1e400) and Int(1e19) trap (a fuzzed `axis=1e400`).
    guard value == value.rounded(), Swift.abs(value) <= 1e9, let axis = shape.axis(Int(value))
    else {
      throw ShapeError(
        "'\(op)' has no axis \(TensorFormat.number(value)) for a value of shape \(shape)")
    }
    return axis
  }
}

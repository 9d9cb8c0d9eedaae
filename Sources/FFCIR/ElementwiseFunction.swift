import FFCTensor

/// What an elementwise op computes on one element: the scalar function (written once, generic
/// over the precision, in FFCTensor's protocols) that its reference evaluation applies and from
/// which the runtime derives its loops. Ops without one run kernels written for them.
public enum ElementwiseFunction: Sendable {
  case unary(any UnaryFunction.Type)
  /// With one numeric option, read from the attribute `key` (`defaultValue` when absent).
  case parametric(any ParametricFunction.Type, key: String, defaultValue: Double)
  case binary(any BinaryFunction.Type)

  /// The option's value on a node with `attributes` (0 for functions without one).
  public func parameter(_ attributes: Attributes) -> Double {
    guard case .parametric(_, let key, let defaultValue) = self else { return 0 }
    return attributes.double(key, default: defaultValue)
  }
}

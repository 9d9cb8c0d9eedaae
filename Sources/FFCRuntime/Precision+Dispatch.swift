import FFCIR
import FFCTensor

/// A computation written once for every element type a plan runs in. Swift has no generic
/// closures, so it is a value with a generic method, run by `Precision.dispatch` in the precision
/// chosen at run time.
public protocol PrecisionGeneric {
  associatedtype Output
  associatedtype Failure: Error
  /// The computation with `T` as the element type.
  mutating func callAsFunction<T: PlanScalar>(_ type: T.Type) throws(Failure) -> Output
}

extension Precision {
  /// Runs `body` with the element type of this precision: the one place a precision chosen at run
  /// time becomes `Float` or `Double` (each specialised where `body`'s type is known).
  @inlinable
  public func dispatch<Body: PrecisionGeneric>(_ body: inout Body) throws(Body.Failure)
    -> Body.Output
  {
    switch self {
    case .f32: try body(Float.self)
    case .f64: try body(Double.self)
    }
  }

  /// `dispatch` for a body that keeps no state.
  @inlinable
  public func dispatch<Body: PrecisionGeneric>(_ body: Body) throws(Body.Failure) -> Body.Output {
    var body = body
    return try dispatch(&body)
  }
}

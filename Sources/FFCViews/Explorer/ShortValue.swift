import FFCTensor
import Foundation

/// A value as a node's box shows it, in about 30 characters: a small tensor written out with four
/// significant digits (`[0.1192, 0.8808]`), a larger one as its shape and range.
enum ShortValue {
  static func text(_ t: Tensor) -> String {
    let numbers = t.scalars.map(number)
    if t.rank == 0, let only = numbers.first { return only }
    if t.count <= 6 && t.rank == 1 { return "[" + numbers.joined(separator: ", ") + "]" }
    if t.count <= 6 && t.rank == 2 && t.shape[1] > 0 {
      let rows = stride(from: 0, to: numbers.count, by: t.shape[1]).map {
        "[" + numbers[$0..<($0 + t.shape[1])].joined(separator: ", ") + "]"
      }
      return "[" + rows.joined(separator: ", ") + "]"
    }
    let finite = t.scalars.filter(\.isFinite)
    let shape = "[" + t.shape.map(String.init).joined(separator: "×") + "]"
    guard let low = finite.min(), let high = finite.max() else { return "\(shape) no finite value" }
    let marks = finite.count < t.count ? " nan/inf" : ""
    return "\(shape) \(number(low))…\(number(high))\(marks)"
  }

  /// A value as the details show it: written out up to 64 elements, otherwise its shape and range
  /// and its first elements.
  static func full(_ t: Tensor) -> String {
    if t.count <= 64 { return TensorFormat.literal(t) }
    let head = t.scalars.prefix(8).map(number).joined(separator: ", ")
    return text(t) + "; first: " + head + ", …"
  }

  static func number(_ x: Double) -> String {
    guard x.isFinite, x != x.rounded() || abs(x) >= 1e6 else { return TensorFormat.number(x) }
    return String(format: "%.4g", x)
  }
}

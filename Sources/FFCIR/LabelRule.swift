import FFCTensor

/// What values a declaration that holds class labels accepts. Labels that an op reads as class
/// indices (`softmax_cross_entropy`, `one_hot`) must be whole numbers in 0..K-1, K being the op's
/// class count (the smallest, if several read them); any other `label` declaration must hold whole
/// numbers ≥ 0. Checked when data arrives, so a bad label points at its field, not at a NaN loss.
public struct LabelRule: Sendable {
  /// nil: only "whole and not negative".
  public let classes: Int?

  public init(classes: Int?) { self.classes = classes }

  /// The rule for a declaration, or nil when its values are not labels.
  public static func rule(for declaration: Declaration, classes: [(name: String, classes: Int)])
    -> LabelRule?
  {
    if let entry = classes.first(where: { $0.name == declaration.name }) {
      return LabelRule(classes: entry.classes)
    }
    return declaration.kind == .label ? LabelRule(classes: nil) : nil
  }

  public enum Problem: Sendable {
    case notWhole(String)
    case outOfRange(String)
  }

  /// The problem with one value, worded for `subject` (`'y'`, `'species' → 'y'`).
  public func check(_ value: Double, subject: @autoclosure () -> String) -> Problem? {
    guard value == value.rounded() else {
      let hint = classes.map { " in 0..\($0 - 1)" } ?? ""
      return .notWhole(
        "label \(TensorFormat.number(value)) for \(subject()) is not a whole number; labels are class indices\(hint)"
      )
    }
    if let classes {
      guard value >= 0, value < Double(classes) else {
        return .outOfRange(
          "label \(TensorFormat.number(value)) is out of range for \(subject()): classes are 0..\(classes - 1)"
        )
      }
    } else if value < 0 {
      return .outOfRange(
        "label \(TensorFormat.number(value)) for \(subject()) is negative; labels are class indices from 0"
      )
    }
    return nil
  }

  /// `'y'`, or `'species' → 'y'` when a CSV column of another name feeds it.
  public static func subject(column: String?, name: String) -> String {
    guard let column, column != name else { return "'\(name)'" }
    return "'\(column)' → '\(name)'"
  }
}

extension LabelRule.Problem {
  public var message: String {
    switch self {
    case .notWhole(let text), .outOfRange(let text): text
    }
  }
}

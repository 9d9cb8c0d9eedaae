import FFCDiagnostics
import FFCIR

// The message of a loss whose operands broadcast to a shape larger than both (see
// `Composite.broadcastGrowth`), with the change that makes them one shape.

extension Diagnostic {
  /// `names`: each operand's name, if it has one; `declared`: whether it is a declaration (an
  /// input or a target), which the fix-it then changes ("declare 'y' as [N, 1]").
  static func lossBroadcast(
    _ loss: String, shapes: [Shape], joint: Shape, names: [String?], declared: [Bool],
    at range: SourceRange, focus: SourceLocation?
  ) -> Diagnostic {
    let described = zip(["the prediction", "the target"], names).map { role, name in
      name.map { "'\($0)'" } ?? role
    }
    // The operand to change: the one of lower rank, or the target; it takes the other's shape.
    let change = shapes[0].rank < shapes[1].rank ? 0 : 1
    let wanted = shapes[1 - change]
    let fix =
      declared[change]
      ? "declare \(described[change]) as \(wanted)"
      : "give \(described[change]) the shape \(wanted)"
    return Diagnostic(
      .error, id: "shape.loss-broadcast",
      "'\(loss)' compares its operands element by element, but \(described[0]) has shape \(shapes[0]) and \(described[1]) \(shapes[1]): they would broadcast to \(joint), every element against every other",
      at: range, focus: focus,
      notes: [
        Note(
          "\(fix); a loss accepts equal shapes, a scalar against any shape, or one row [K] against [N, K]",
          at: nil)
      ])
  }
}

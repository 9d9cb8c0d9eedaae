import FFCDiagnostics
import FFCIR

/// One parameter value to write: where (a `ValueSite`) and what. `plan` checks every value first,
/// so that a value the language cannot write is reported before any text is made.
struct SaveEdit {
  let range: Range<Int>
  let prefix: String
  /// See `ValueSite.alignedWith`.
  let alignedWith: Int?
  /// See `ValueSite.startsLine`.
  let startsLine: Bool
  /// The value, read chunk by chunk when it goes to the weights file (a trained model's buffers
  /// are never copied whole), whole when it is written as a literal.
  let value: StoredTensor
  /// `load("out.safetensors")` when the value goes to the weights file, nil for a literal
  /// (`ProgramWriter` adds the weights' digest once it knows them all).
  var load: String?
  /// The parameter's place among the declarations, which orders edits at the same offset
  /// (`h.W` before `h.b`).
  let order: Int

  /// Values named by a caller, by their parameters' indices among `declarations`.
  static func resolve(_ values: [(name: String, value: Tensor)], _ declarations: [Declaration])
    throws(Diagnostic) -> [(declaration: Int, value: Tensor)]
  {
    let parameters = declarations.indices.filter { declarations[$0].kind == .param }
    var resolved: [(declaration: Int, value: Tensor)] = []
    for (name, value) in values {
      guard let index = parameters.first(where: { declarations[$0].name == name }) else {
        let names = parameters.map { declarations[$0].name }
        throw .saveUnknown(name, suggestion: EditDistance.closest(to: name, in: names), at: nil)
      }
      resolved.append((index, value))
    }
    return resolved
  }

  static func plan(
    _ values: [(declaration: Int, value: StoredTensor)], _ declarations: [Declaration],
    _ sites: [Int: ValueSite], precision: Precision, weights: ProgramWriter.WeightsFile? = nil
  ) throws(Diagnostic) -> [SaveEdit] {
    var edits: [SaveEdit] = []
    var seen = Set<Int>()
    for (order, value) in values {
      guard declarations.indices.contains(order), declarations[order].kind == .param else {
        throw .saveInternal(
          "ffc tried to save a value of declaration \(order), not a parameter", at: nil)
      }
      let declaration = declarations[order]
      guard seen.insert(order).inserted else { throw .saveTwice(declaration.name) }
      try check(value, declaration, precision: precision)
      guard let site = sites[order] else {
        throw .saveInternal(
          "ffc does not know where the value of '\(declaration.name)' is written",
          at: declaration.location)
      }
      let load = weights.flatMap { $0.holds(elementCount: value.count) ? $0.loadCall : nil }
      edits.append(
        SaveEdit(
          range: site.range, prefix: site.prefix, alignedWith: site.alignedWith,
          startsLine: site.startsLine, value: value, load: load, order: order))
    }
    // An override line goes after any other edit at its offset (a value added to the last line).
    let sorted = edits.sorted {
      ($0.range.lowerBound, $0.startsLine ? 1 : 0, $0.order)
        < ($1.range.lowerBound, $1.startsLine ? 1 : 0, $1.order)
    }
    // Sites never overlap; if two did, copying the text between them would go backwards.
    for (a, b) in zip(sorted, sorted.dropFirst()) where b.range.lowerBound < a.range.upperBound {
      throw .saveInternal(
        "ffc found two parameter values written in the same place",
        at: declarations[b.order].location
      )
    }
    return sorted
  }

  /// The value has the declared shape and only numbers a literal can hold.
  private static func check(
    _ value: StoredTensor, _ declaration: Declaration, precision: Precision
  ) throws(Diagnostic) {
    let name = declaration.name
    guard declaration.shape.concrete == value.shape else {
      throw .saveShape(
        name, declared: declaration.shape.description, found: Shape(value.shape).description,
        at: declaration.location)
    }
    struct Found: Error {
      let index: Int
      let value: Double
    }
    do throws(Found) {
      try value.forEachChunk { (start, chunk) throws(Found) in
        for (i, x) in chunk.enumerated()
        where !x.isFinite || (precision == .f32 && !Float(x).isFinite) {
          throw Found(index: start + i, value: x)
        }
      }
      return
    } catch {
      try nonFinite(error.value, at: error.index, value.shape, declaration)
    }
  }

  private static func nonFinite(
    _ x: Double, at bad: Int, _ shape: [Int], _ declaration: Declaration
  ) throws(Diagnostic) {
    let name = declaration.name
    let element = shape.isEmpty ? "its value" : "its element \(index(bad, shape))"
    throw .saveNonFinite(
      name, element: element, value: TensorFormat.number(x),
      limit: x.isFinite ? "32-bit float" : nil,
      at: declaration.location)
  }

  /// `[2]` or `[1, 3]`: the position of flat element `i` in `shape`.
  private static func index(_ i: Int, _ shape: [Int]) -> String {
    var rest = i
    var digits = [Int](repeating: 0, count: shape.count)
    for axis in shape.indices.reversed() where shape[axis] > 0 {
      digits[axis] = rest % shape[axis]
      rest /= shape[axis]
    }
    return "[\(digits.map(String.init).joined(separator: ", "))]"
  }
}

/// How a header name can refer to one value of a declaration `x` whose example has w values:
/// `x` (when w is 1), `x1` ... `xw` (numbered from 1, row-major, as the textbook's x_1..x_n), or
/// `x[0]`, `x[i, j]` (0-based indices, as in the language, one per axis of the example).
enum ColumnForm { case bare, numbered, indexed }

/// A header name resolved to element `element` (row-major) of `slots[slot]`.
struct ColumnRef {
  let slot: Int
  let element: Int
  let form: ColumnForm
}

enum ColumnNames {
  /// The value a header name refers to. When two declarations could claim a name, the bare name
  /// wins over an indexed one, which wins over a numbered one; then declaration order decides.
  static func resolve(_ header: String, in slots: [DataSlot]) -> ColumnRef? {
    for (index, slot) in slots.enumerated() where slot.name == header && slot.width == 1 {
      return ColumnRef(slot: index, element: 0, form: .bare)
    }
    if let open = header.firstIndex(of: "["), header.last == "]" {
      let name = String(header[..<open])
      let inside = header[header.index(after: open)..<header.index(before: header.endIndex)]
      for (index, slot) in slots.enumerated() where slot.name == name && !slot.exampleShape.isEmpty
      {
        if let element = flatIndex(inside, slot.exampleShape) {
          return ColumnRef(slot: index, element: element, form: .indexed)
        }
      }
    }
    for (index, slot) in slots.enumerated()
    where !slot.exampleShape.isEmpty && header.hasPrefix(slot.name) {
      let suffix = header.dropFirst(slot.name.count)
      guard suffix.first != "0", let number = wholeNumber(suffix), number >= 1, number <= slot.width
      else { continue }
      return ColumnRef(slot: index, element: number - 1, form: .numbered)
    }
    return nil
  }

  /// The name of one element in a given form: `x`, `x3`, `x[0, 2]`.
  static func name(of element: Int, in slot: DataSlot, form: ColumnForm) -> String {
    switch form {
    case .bare: return slot.name
    case .numbered: return slot.name + String(element + 1)
    case .indexed:
      return slot.name + "["
        + indices(of: element, slot.exampleShape).map(String.init).joined(separator: ", ") + "]"
    }
  }

  /// How a message names one value: `'y'`, `'x[0, 2]'`.
  static func valueText(_ element: Int, in slot: DataSlot) -> String {
    slot.exampleShape.isEmpty
      ? "'\(slot.name)'" : "'\(name(of: element, in: slot, form: .indexed))'"
  }

  /// The names a user most likely meant, for "did you mean": bare names, then numbered ones.
  static func candidates(_ slots: [DataSlot]) -> [String] {
    var names: [String] = []
    for slot in slots {
      if slot.width == 1 { names.append(slot.name) }
      if !slot.exampleShape.isEmpty {
        for element in 0..<min(slot.width, 100) {
          names.append(name(of: element, in: slot, form: .numbered))
        }
      }
    }
    return names
  }

  /// Whether a header name looks like a column of `name` in any form, in range or not.
  static func mentions(_ header: String, _ name: String) -> Bool {
    guard header.hasPrefix(name) else { return false }
    let rest = header.dropFirst(name.count)
    return rest.isEmpty || rest.first == "[" || wholeNumber(rest) != nil
  }

  /// `'x' takes 3 columns, 'x1' to 'x3'` for a header that names a column of a declaration but
  /// out of its range (`x4`, `x[3]`).
  static func outOfRangeHint(_ header: String, _ slots: [DataSlot]) -> String? {
    for slot in slots
    where !slot.exampleShape.isEmpty && header != slot.name && mentions(header, slot.name) {
      return
        "'\(slot.name)' takes \(slot.width) column\(slot.width == 1 ? "" : "s"), \(rangeText(slot))"
    }
    return nil
  }

  /// `'y'`, `'x1' to 'x3'` or `'x1' to 'x6' or 'x[0, 0]' to 'x[1, 2]'`: the columns a declaration
  /// takes, for messages.
  static func rangeText(_ slot: DataSlot) -> String {
    if slot.exampleShape.isEmpty { return "'\(slot.name)'" }
    if slot.width == 1 { return "'\(slot.name)' or '\(slot.name)1'" }
    let numbered = "'\(slot.name)1' to '\(slot.name)\(slot.width)'"
    guard slot.exampleShape.count > 1, slot.width < Int.max else { return numbered }
    let first = name(of: 0, in: slot, form: .indexed)
    let last = name(of: slot.width - 1, in: slot, form: .indexed)
    return numbered + " or '\(first)' to '\(last)'"
  }

  private static func wholeNumber(_ text: Substring) -> Int? {
    guard !text.isEmpty, text.count <= 18, text.allSatisfy({ $0 >= "0" && $0 <= "9" }) else {
      return nil
    }
    return Int(text)
  }

  /// `0, 2` inside `x[0, 2]` as a row-major index into `shape`, if every index is in range.
  private static func flatIndex(_ inside: Substring, _ shape: [Int]) -> Int? {
    let parts = inside.split(separator: ",", omittingEmptySubsequences: false)
    guard parts.count == shape.count else { return nil }
    var flat = 0
    for (axis, part) in parts.enumerated() {
      var text = part
      while text.first == " " { text.removeFirst() }
      while text.last == " " { text.removeLast() }
      guard let index = wholeNumber(text), index < shape[axis] else { return nil }
      let (scaled, overflow) = flat.multipliedReportingOverflow(by: shape[axis])
      let (sum, carry) = scaled.addingReportingOverflow(index)
      guard !overflow, !carry else { return nil }
      flat = sum
    }
    return flat
  }

  private static func indices(of element: Int, _ shape: [Int]) -> [Int] {
    var rest = element
    var result = [Int](repeating: 0, count: shape.count)
    for axis in shape.indices.reversed() where shape[axis] > 0 {
      result[axis] = rest % shape[axis]
      rest /= shape[axis]
    }
    return result
  }
}

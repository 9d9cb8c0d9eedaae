import FFCIR

/// Decides which CSV columns feed which declaration: `result[i]` lists, for every value of one
/// example of `slots[i]` in row-major order, the CSV column it comes from; nil when the slot takes
/// no columns (it then has a default: a slot without one is an error here).
struct ColumnMapping {
  let table: CSVTable
  let slots: [DataSlot]
  /// Data declarations that never take columns: given by --set, or (batch layout) without the
  /// batch axis. A header naming one is an error rather than an unknown column.
  let others: [(declaration: Declaration, isSet: Bool)]

  func assign() throws(Diagnostic) -> [[Int]?] {
    guard let header = table.header else { return try positional() }
    var refs: [ColumnRef?] = []
    for field in header {
      let ref = ColumnNames.resolve(field.name, in: slots)
      if ref == nil { try rejectOther(field) }
      refs.append(ref)
    }
    if refs.allSatisfy({ $0 == nil }) { return try positional() }
    return try byName(header, refs)
  }

  /// No header, or no header name matches: the slots take the columns in declaration order, and
  /// their widths must add up to the number of columns exactly.
  private func positional() throws(Diagnostic) -> [[Int]?] {
    let expected = saturatingSum(slots.map(\.width))
    let found = table.columnCount
    guard expected == found else {
      let hint: String?
      if slots.isEmpty {
        hint = "no data declaration takes columns"
      } else if table.header != nil {
        hint =
          "no header name matches a declaration, so the columns go to the declarations in order"
      } else {
        hint = nil
      }
      let range = expected < found ? table.firstLineFieldRange(expected) : table.firstLineEnd
      throw .dataColumnCount(
        expected, breakdown: slots.map(\.widthText).joined(separator: ", "), found: found,
        hint: hint, at: range)
    }
    return inOrder(slots.indices.map { $0 }, columns: Array(0..<found))
  }

  /// Consecutive runs of `columns` for the given slots, whose widths add up to `columns.count`.
  private func inOrder(_ taking: [Int], columns: [Int]) -> [[Int]?] {
    var result: [[Int]?] = slots.map { _ in nil }
    var next = 0
    for index in taking {
      result[index] = Array(columns[next..<(next + slots[index].width)])
      next += slots[index].width
    }
    return result
  }

  /// Some header names match: a slot named by any column must have all its columns. The columns
  /// that match nothing then go, in order, to the slots that no column names (as by position),
  /// so `digit` plus 64 pixel columns `p0`..`p63` fills `label digit[N]` and `input X[N, 64]`.
  private func byName(_ header: [CSVTable.HeaderField], _ refs: [ColumnRef?]) throws(Diagnostic)
    -> [[Int]?]
  {
    var sources: [[Int?]?] = slots.map { _ in nil }
    var forms: [ColumnForm] = slots.map { _ in .bare }
    var unmatched: [Int] = []
    for (column, ref) in refs.enumerated() {
      guard let ref else {
        unmatched.append(column)
        continue
      }
      let slot = slots[ref.slot]
      if sources[ref.slot] == nil {
        guard slot.width <= table.columnCount else {
          throw .dataMissingColumn(
            "'\(slot.name)' takes \(slot.width) columns (\(ColumnNames.rangeText(slot))), but the file has \(table.columnCount)",
            at: table.firstLineRange)
        }
        sources[ref.slot] = [Int?](repeating: nil, count: slot.width)
        forms[ref.slot] = ref.form
      }
      if let previous = sources[ref.slot]?[ref.element] ?? nil {
        let message =
          header[previous].name == header[column].name
          ? "column '\(header[column].name)' appears twice"
          : "columns '\(header[previous].name)' and '\(header[column].name)' both feed \(ColumnNames.valueText(ref.element, in: slot))"
        throw .dataDuplicateColumn(message, at: header[column].range)
      }
      sources[ref.slot]?[ref.element] = column
    }

    var result: [[Int]?] = slots.map { _ in nil }
    for (index, elements) in sources.enumerated() {
      guard let elements else { continue }
      var columns: [Int] = []
      var missing: [String] = []
      for (element, column) in elements.enumerated() {
        if let column {
          columns.append(column)
        } else {
          missing.append(ColumnNames.name(of: element, in: slots[index], form: forms[index]))
        }
      }
      guard missing.isEmpty else {
        throw .dataMissingColumn(
          "the header names some columns of '\(slots[index].name)' but not \(quotedList(missing))",
          at: table.firstLineRange)
      }
      result[index] = columns
    }

    let unnamed = slots.indices.filter { sources[$0] == nil }
    if unmatched.isEmpty {
      for index in unnamed where slots[index].declaration.defaultValue == nil {
        throw .dataMissingColumn(noColumnMessage(slots[index]), at: table.firstLineRange)
      }
      return result
    }
    guard saturatingSum(unnamed.map { slots[$0].width }) == unmatched.count else {
      throw unknownColumn(header[unmatched[0]], unmatchedCount: unmatched.count, unnamed: unnamed)
    }
    let rest = inOrder(unnamed, columns: unmatched)
    for index in unnamed { result[index] = rest[index] }
    return result
  }

  /// `no column for target 'y' and it has no default; name a column 'y' or give --set y=...`
  private func noColumnMessage(_ slot: DataSlot) -> String {
    let d = slot.declaration
    let columns = slot.width == 1 ? "a column" : "columns"
    return
      "no column for \(d.kind.rawValue) '\(d.name)' and it has no default; name \(columns) \(ColumnNames.rangeText(slot)) or give --set \(d.name)=..."
  }

  private func unknownColumn(_ field: CSVTable.HeaderField, unmatchedCount: Int, unnamed: [Int])
    -> Diagnostic
  {
    var message = "column '\(field.name)' names no data declaration"
    if let hint = ColumnNames.outOfRangeHint(field.name, slots) {
      message += "; \(hint)"
    } else if let suggestion = EditDistance.closest(
      to: field.name, in: ColumnNames.candidates(slots))
    {
      message += "; did you mean '\(suggestion)'?"
    } else if !unnamed.isEmpty {
      let widths = unnamed.map { slots[$0].widthText }.joined(separator: ", ")
      message +=
        ", and the \(unmatchedCount) columns that name none do not fit, in order, the declarations no column names (\(widths))"
    }
    return .dataUnknownColumn(message, at: field.range)
  }

  /// A header naming a declaration that cannot take columns says so, instead of being mapped by
  /// position to something else.
  private func rejectOther(_ field: CSVTable.HeaderField) throws(Diagnostic) {
    for other in others where ColumnNames.mentions(field.name, other.declaration.name) {
      let name = other.declaration.name
      if other.isSet { throw .dataSetColumn(field.name, name, at: field.range) }
      throw .dataUnknownColumn(
        "column '\(field.name)' cannot feed '\(name)': it is declared \(other.declaration.shape), without a batch dimension first, so it does not come from the rows of a CSV",
        at: field.range)
    }
  }
}

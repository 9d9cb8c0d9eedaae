import FFCDiagnostics

/// Reads a CSV file of numbers in one pass over its bytes.
///
/// - Fields are separated by ','; lines end in "\n" or "\r\n". Spaces and tabs around a field are
///   ignored, and lines that are empty or only blanks are skipped.
/// - A field may be double-quoted (`"x[0,1]"`; `""` inside quotes is a quote). A quote must be
///   closed on its line.
/// - The first non-blank line is a header when any of its fields is not a number; header names
///   must not be empty.
/// - Every other field is a finite number as Swift's `Double` reads it (`3`, `-0.5`, `1e-3`);
///   empty fields, `nan` and `inf` are errors.
/// - Every row has as many fields as the header (or as the first row when there is no header),
///   and there is at least one row.
public enum CSVReader {
  public static func read(_ file: SourceFile) throws(Diagnostic) -> CSVTable {
    let bytes = file.bytes  // shared, not copied
    var fields: [CSVField] = []
    var header: [CSVTable.HeaderField]?
    var columnCount: Int?
    var firstLineRange: SourceRange?
    var values: [Double] = []
    // At most one value per separator, reserved once: growing by doubling would briefly hold the
    // values one and a half times over. Pages never written are never resident.
    values.reserveCapacity(
      bytes.reduce(1) { $0 + ($1 == CSVLineScanner.comma || $1 == CSVLineScanner.newline ? 1 : 0) })
    var rowOffsets: [Int] = []

    var lineStart = 0
    while lineStart <= bytes.count {
      var lineEnd = lineStart
      while lineEnd < bytes.count, bytes[lineEnd] != CSVLineScanner.newline { lineEnd += 1 }
      defer { lineStart = lineEnd + 1 }
      let start = CSVLineScanner.contentStart(bytes, lineStart: lineStart, base: 0)
      if CSVLineScanner.isBlankLine(bytes, start, lineEnd) { continue }
      if let problem = CSVLineScanner.split(bytes, start, lineEnd, base: 0, into: &fields) {
        throw .dataQuote(problem.message, at: file.range(problem.start, problem.end))
      }
      guard let expected = columnCount else {
        // The first non-blank line: a header, or the first row, which sets the width.
        firstLineRange = file.range(fields.first?.start ?? start, fields.last?.end ?? lineEnd)
        columnCount = fields.count
        if isHeader(fields, bytes) {
          header = try headerFields(fields, bytes, file)
          continue
        }
        try appendRow(fields, bytes, file, to: &values)
        rowOffsets.append(lineStart)
        continue
      }
      if fields.count != expected {
        throw fieldCountError(fields, expected: expected, header: header, file)
      }
      try appendRow(fields, bytes, file, to: &values)
      rowOffsets.append(lineStart)
    }

    guard let columnCount, let firstLineRange, !rowOffsets.isEmpty else {
      throw .dataEmpty(file.path, at: firstLineRange ?? file.range(0, 0))
    }
    return CSVTable(
      file: file, header: header, columnCount: columnCount, values: values, rowOffsets: rowOffsets,
      firstLineRange: firstLineRange)
  }

  /// A header has a field that is neither empty nor a number (a row with an empty field or `nan`
  /// is a row, reported as such), and no field that is a number: a first line that mixes the two
  /// is a row with a typo, which would otherwise be dropped silently as a header.
  private static func isHeader(_ fields: [CSVField], _ bytes: [UInt8]) -> Bool {
    fields.contains {
      !$0.isEmpty && DecimalNumber.parse(CSVLineScanner.text(of: $0, in: bytes, base: 0)) == nil
    }
      && !fields.contains {
        DecimalNumber.parse(CSVLineScanner.text(of: $0, in: bytes, base: 0)) != nil
      }
  }

  private static func headerFields(
    _ fields: [CSVField], _ bytes: [UInt8], _ file: SourceFile
  ) throws(Diagnostic) -> [CSVTable.HeaderField] {
    var header: [CSVTable.HeaderField] = []
    for field in fields {
      let range = file.range(field.start, field.end)
      let name = CSVLineScanner.text(of: field, in: bytes, base: 0)
      if name.allSatisfy({ $0 == " " || $0 == "\t" }) {
        throw .dataEmptyField(inHeader: true, at: range)
      }
      header.append(CSVTable.HeaderField(name: name, range: range))
    }
    return header
  }

  private static func appendRow(
    _ fields: [CSVField], _ bytes: [UInt8], _ file: SourceFile, to values: inout [Double]
  ) throws(Diagnostic) {
    for field in fields {
      // The range is made only for an error: most files have no error and many fields.
      if field.isEmpty {
        throw .dataEmptyField(inHeader: false, at: file.range(field.start, field.end))
      }
      let text = CSVLineScanner.text(of: field, in: bytes, base: 0)
      guard let value = DecimalNumber.parse(text) else {
        throw .dataNotANumber(text, at: file.range(field.start, field.end))
      }
      guard value.isFinite else {
        throw .dataNotFinite(text, at: file.range(field.start, field.end))
      }
      values.append(value)
    }
  }

  /// Points at the first extra field, or just after the last field when some are missing.
  private static func fieldCountError(
    _ fields: [CSVField], expected: Int, header: [CSVTable.HeaderField]?, _ file: SourceFile
  ) -> Diagnostic {
    if fields.count > expected {
      let extra = fields[expected]
      return .dataFieldCount(
        expected: expected, found: fields.count, missing: [], at: file.range(extra.start, extra.end)
      )
    }
    let end = fields.last?.end ?? 0
    let missing = header.map { Array($0[fields.count..<expected].map(\.name)) } ?? []
    return .dataFieldCount(
      expected: expected, found: fields.count, missing: missing, at: file.range(end, end))
  }
}

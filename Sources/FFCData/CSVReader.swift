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
  /// A file held in memory (tests, small files).
  public static func read(_ file: SourceFile) throws(Diagnostic) -> CSVTable {
    let bytes = file.bytes  // shared, not copied
    return try read(file, sizeHint: bytes.count, buffer: bytes, checkingUTF8: false) {
      _ throws(Diagnostic) in false
    }
  }

  /// A file read block by block: `next` appends the next block to its buffer and says whether
  /// it added anything (false at the end). Only the line being parsed and the values are kept;
  /// `file` (typically `SourceFile(path:loading:)`) reads the text again only if a diagnostic
  /// quotes it. `sizeHint` (the file's size, or 0) bounds the values reserved. Text that is not
  /// UTF-8 is an error naming the file.
  public static func read(
    _ file: SourceFile, sizeHint: Int,
    next: (inout [UInt8]) throws(Diagnostic) -> Bool
  ) throws(Diagnostic) -> CSVTable {
    try read(file, sizeHint: sizeHint, buffer: [], checkingUTF8: true, next: next)
  }

  private static func read(
    _ file: SourceFile, sizeHint: Int, buffer initial: [UInt8], checkingUTF8: Bool,
    next: (inout [UInt8]) throws(Diagnostic) -> Bool
  ) throws(Diagnostic) -> CSVTable {
    var bytes = initial
    /// The file offset of `bytes[0]`.
    var base = 0
    var atEnd = !checkingUTF8
    var fields: [CSVField] = []
    var header: [CSVTable.HeaderField]?
    var columnCount: Int?
    var firstLine: Range<Int>?
    var values: [Double] = []
    // Reserved once (a number takes at least two bytes with its separator): growing by doubling
    // would briefly hold the values one and a half times over. Pages never written are never
    // resident. Beyond the hint (a pipe) the array grows.
    values.reserveCapacity(sizeHint / 2 + 1)
    var rowOffsets: [Int] = []

    var lineStart = 0  // in `bytes`
    var scanned = 0  // bytes before this are known not to hold the line's '\n'
    while true {
      var lineEnd = scanned
      while lineEnd < bytes.count, bytes[lineEnd] != CSVLineScanner.newline { lineEnd += 1 }
      if lineEnd == bytes.count && !atEnd {
        // The line goes on in the next block: drop what is parsed, then read more.
        if lineStart > 0 {
          bytes.removeSubrange(0..<lineStart)
          base += lineStart
          lineEnd -= lineStart
          lineStart = 0
        }
        scanned = lineEnd
        atEnd = try !next(&bytes)
        continue
      }
      if lineStart > bytes.count { break }
      defer {
        lineStart = lineEnd + 1
        scanned = lineStart
      }
      if checkingUTF8, invalidUTF8(bytes, lineStart, lineEnd) {
        throw Diagnostic(
          .error, id: "data.unreadable", "cannot read '\(file.path)': it is not UTF-8 text", at: nil
        )
      }
      let start = CSVLineScanner.contentStart(bytes, lineStart: lineStart, base: base)
      if CSVLineScanner.isBlankLine(bytes, start, lineEnd) {
        if lineEnd == bytes.count { break }
        continue
      }
      if let problem = CSVLineScanner.split(bytes, start, lineEnd, base: base, into: &fields) {
        throw .dataQuote(problem.message, at: file.range(problem.start, problem.end))
      }
      guard let expected = columnCount else {
        // The first non-blank line: a header, or the first row, which sets the width.
        let first = fields.first?.start ?? base + start
        firstLine = first..<max(first, fields.last?.end ?? base + lineEnd)
        columnCount = fields.count
        if isHeader(fields, bytes, base) {
          header = try headerFields(fields, bytes, base, file)
        } else {
          try appendRow(fields, bytes, base, file, to: &values)
          rowOffsets.append(base + lineStart)
        }
        if lineEnd == bytes.count { break }
        continue
      }
      if fields.count != expected {
        throw fieldCountError(fields, expected: expected, header: header, file)
      }
      try appendRow(fields, bytes, base, file, to: &values)
      rowOffsets.append(base + lineStart)
      if lineEnd == bytes.count { break }
    }

    guard let columnCount, let firstLine, !rowOffsets.isEmpty else {
      let line = firstLine ?? 0..<0
      throw .dataEmpty(file.path, at: file.range(line.lowerBound, line.upperBound))
    }
    return CSVTable(
      file: file, header: header, columnCount: columnCount, values: values, rowOffsets: rowOffsets,
      firstLine: firstLine)
  }

  /// Whether `bytes[start..<end]` is not valid UTF-8 (a line of ASCII, the usual case, is one
  /// pass over its bytes).
  private static func invalidUTF8(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Bool {
    var i = start
    while i < end, bytes[i] < 0x80 { i += 1 }
    if i == end { return false }
    return transcode(
      bytes[i..<end].makeIterator(), from: UTF8.self, to: UTF32.self, stoppingOnError: true,
      into: { _ in })
  }

  /// A header has a field that is neither empty nor a number (a row with an empty field or `nan`
  /// is a row, reported as such), and no field that is a number: a first line that mixes the two
  /// is a row with a typo, which would otherwise be dropped silently as a header.
  private static func isHeader(_ fields: [CSVField], _ bytes: [UInt8], _ base: Int) -> Bool {
    fields.contains {
      !$0.isEmpty && DecimalNumber.parse(CSVLineScanner.text(of: $0, in: bytes, base: base)) == nil
    }
      && !fields.contains {
        DecimalNumber.parse(CSVLineScanner.text(of: $0, in: bytes, base: base)) != nil
      }
  }

  private static func headerFields(
    _ fields: [CSVField], _ bytes: [UInt8], _ base: Int, _ file: SourceFile
  ) throws(Diagnostic) -> [CSVTable.HeaderField] {
    var header: [CSVTable.HeaderField] = []
    for field in fields {
      let name = CSVLineScanner.text(of: field, in: bytes, base: base)
      if name.allSatisfy({ $0 == " " || $0 == "\t" }) {
        throw .dataEmptyField(inHeader: true, at: file.range(field.start, field.end))
      }
      header.append(CSVTable.HeaderField(name: name, file: file, offsets: field.start..<field.end))
    }
    return header
  }

  private static func appendRow(
    _ fields: [CSVField], _ bytes: [UInt8], _ base: Int, _ file: SourceFile,
    to values: inout [Double]
  ) throws(Diagnostic) {
    for field in fields {
      // The range is made only for an error: most files have no error and many fields.
      if field.isEmpty {
        throw .dataEmptyField(inHeader: false, at: file.range(field.start, field.end))
      }
      let text = CSVLineScanner.text(of: field, in: bytes, base: base)
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

import FFCDiagnostics
import FFCTensor

/// A CSV file read into numbers: an optional header and rows of equally many finite values.
/// Values are stored flat (one Double each); where a field was written is found again on demand by
/// re-reading its line, so a 1797 x 65 file costs its values and one offset per row.
public struct CSVTable: Sendable {
  public struct HeaderField: Sendable, Equatable {
    public let name: String
    let file: SourceFile
    let offsets: Range<Int>
    /// Where the name was written; made on demand (a file read block by block is read again).
    public var range: SourceRange { file.range(offsets.lowerBound, offsets.upperBound) }

    public static func == (a: HeaderField, b: HeaderField) -> Bool {
      a.name == b.name && a.offsets == b.offsets && a.file.path == b.file.path
    }
  }

  public let file: SourceFile
  public let header: [HeaderField]?
  public let columnCount: Int
  /// Row r, column c is `values[r * columnCount + c]` (until `groupColumns`).
  public private(set) var values: [Double]
  /// The UTF-8 offset where each data row's line starts.
  let rowOffsets: [Int]
  /// The first non-blank line (the header, or the first row), where table-wide errors point.
  public var firstLineRange: SourceRange { file.range(firstLine.lowerBound, firstLine.upperBound) }
  let firstLine: Range<Int>

  init(
    file: SourceFile, header: [HeaderField]?, columnCount: Int, values: [Double], rowOffsets: [Int],
    firstLine: Range<Int>
  ) {
    self.file = file
    self.header = header
    self.columnCount = columnCount
    self.values = values
    self.rowOffsets = rowOffsets
    self.firstLine = firstLine
  }

  public var rowCount: Int { rowOffsets.count }

  public func value(row: Int, column: Int) -> Double {
    values[row * columnCount + column]
  }

  /// The first value that is not 0 but becomes 0 or a subnormal in `precision`, where it was
  /// written, and how many such values the file holds.
  public func underflows(in precision: Precision) -> (first: (Double, SourceRange), count: Int)? {
    var first: Int?
    var count = 0
    for (index, x) in values.enumerated() where precision.underflows(x) {
      if first == nil { first = index }
      count += 1
    }
    guard let first else { return nil }
    let range = fieldRange(row: first / columnCount, column: first % columnCount)
    return ((values[first], range), count)
  }

  /// Reorders the values in place (no second copy when the table holds the only reference to
  /// them) so that each group of columns is one block: every row's values of the group's columns,
  /// in the group's order, row after row; the block of group k starts at the k-th offset
  /// returned. `groups` lists every column exactly once. Afterwards `values` is no longer in the
  /// file's layout: only the binder does this, last, so each declaration's columns can be its
  /// buffer.
  mutating func groupColumns(_ groups: [[Int]]) -> [Int] {
    var place = [(group: Int, position: Int)](repeating: (0, 0), count: columnCount)
    var offsets: [Int] = []
    var total = 0
    for (k, group) in groups.enumerated() {
      for (j, column) in group.enumerated() { place[column] = (k, j) }
      offsets.append(total)
      total += group.count * rowCount
    }
    let width = groups.map(\.count)
    let columns = columnCount
    let count = values.count
    func destination(_ s: Int) -> Int {
      let (k, j) = place[s % columns]
      return offsets[k] + s / columns * width[k] + j
    }
    // Each cycle of the permutation is followed once, carrying one value; a bit per element
    // marks those already moved.
    var moved = [UInt64](repeating: 0, count: (count + 63) / 64)
    values.withUnsafeMutableBufferPointer { a in
      for i in 0..<count where moved[i >> 6] & (1 << UInt64(i & 63)) == 0 {
        var carried = a[i]
        var s = i
        while true {
          let d = destination(s)
          moved[d >> 6] |= 1 << UInt64(d & 63)
          swap(&carried, &a[d])
          s = d
          if d == i { break }
        }
      }
    }
    return offsets
  }

  /// Narrows the values in place to Floats (value `i` in bytes `4 i ..< 4 i + 4` of `values`, the
  /// rest of the array unused; no second copy when the table holds the only reference to them),
  /// for an f32 run to use as its buffers: each value becomes `Float(x)`, as filling an f32
  /// buffer converts it. Refused (false, nothing changed) when a finite value is too large for
  /// f32, which the run reports from the Doubles. Afterwards `values` holds no Doubles: only the
  /// binder does this, last, after the labels are checked (and the caller has taken what it
  /// needs, such as the underflow warnings).
  mutating func narrowToFloats() -> Bool {
    guard !values.contains(where: { $0.isFinite && !Float($0).isFinite }) else { return false }
    let count = values.count
    values.withUnsafeMutableBytes { bytes in
      // Float i overwrites bytes of Doubles before i only (4 i + 4 <= 8 i from i = 1; Double 0 is
      // read first), which were read already.
      for i in 0..<count {
        let x = bytes.load(fromByteOffset: i * 8, as: Double.self)
        bytes.storeBytes(of: Float(x), toByteOffset: i * 4, as: Float.self)
      }
    }
    return true
  }

  /// The header's name for a column, if there is a header.
  public func columnName(_ column: Int) -> String? {
    guard let header, header.indices.contains(column) else { return nil }
    return header[column].name
  }

  /// The 1-based line of a data row.
  public func line(ofRow row: Int) -> Int {
    guard rowOffsets.indices.contains(row) else { return 1 }
    return file.line(containing: rowOffsets[row])
  }

  /// Where a data field was written (quotes included). Out-of-range indices give the row's line,
  /// or the file's start.
  public func fieldRange(row: Int, column: Int) -> SourceRange {
    guard rowOffsets.indices.contains(row) else { return file.range(0, 0) }
    let fields = fieldsOfRow(row)
    guard fields.indices.contains(column) else {
      return lineRange(fields) ?? file.range(rowOffsets[row], rowOffsets[row])
    }
    return file.range(fields[column].start, fields[column].end)
  }

  /// A field of the first non-blank line: a header name, or a field of the first row.
  func firstLineFieldRange(_ column: Int) -> SourceRange {
    if let header { return header.indices.contains(column) ? header[column].range : firstLineRange }
    return fieldRange(row: 0, column: column)
  }

  /// The empty range just after the first line's last field: where a missing column would go.
  var firstLineEnd: SourceRange {
    let last = firstLineFieldRange(columnCount - 1)
    return SourceRange(file: last.file, start: last.end, end: last.end)
  }

  private func fieldsOfRow(_ row: Int) -> [CSVField] {
    let lineStart = rowOffsets[row]
    let bytes = Array(file.lineText(file.line(containing: lineStart)).utf8)
    var fields: [CSVField] = []
    let start = CSVLineScanner.contentStart(bytes, lineStart: 0, base: lineStart)
    _ = CSVLineScanner.split(bytes, start, bytes.count, base: lineStart, into: &fields)
    return fields
  }

  private func lineRange(_ fields: [CSVField]) -> SourceRange? {
    guard let first = fields.first, let last = fields.last else { return nil }
    return file.range(first.start, last.end)
  }
}

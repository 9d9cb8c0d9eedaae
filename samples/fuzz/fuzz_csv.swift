import FFCData
import FFCDiagnostics

/// libFuzzer's entry: any bytes, read as a CSV file, give a table or one located diagnostic,
/// which is rendered. The same bytes are read again block by block (`CSVReader.read(_:sizeHint:
/// next:)`, as `--data` reads a file in 1 MB blocks) with a block size of 1 to 64 bytes chosen
/// from the input, and both reads must agree: the same header, widths, row lines and values bit
/// for bit, or the same error (id, message and location). A crash, a hang (-timeout), a leak or
/// a disagreement (a trap) is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  let file = SourceFile(path: "fuzz.csv", text: text)
  var whole: Result<CSVTable, Diagnostic>
  do throws(Diagnostic) {
    whole = .success(try CSVReader.read(file))
  } catch {
    _ = DiagnosticRenderer(files: [file]).render(error)
    whole = .failure(error)
  }

  // The block path, on the same (UTF-8) bytes.
  let bytes = Array(text.utf8)
  let size = 1 + Int(bytes.reduce(UInt8(0), &+) % 64)
  let lazy = SourceFile(path: "fuzz.csv") { bytes }
  var position = 0
  var blocks: Result<CSVTable, Diagnostic>
  do throws(Diagnostic) {
    blocks = .success(
      try CSVReader.read(lazy, sizeHint: bytes.count) { buffer throws(Diagnostic) in
        guard position < bytes.count else { return false }
        let end = min(bytes.count, position + size)
        buffer += bytes[position..<end]
        position = end
        return true
      })
  } catch {
    _ = DiagnosticRenderer(files: [lazy]).render(error)
    blocks = .failure(error)
  }

  switch (whole, blocks) {
  case (.success(let a), .success(let b)):
    precondition(a.header?.map(\.name) == b.header?.map(\.name), "headers differ (block \(size))")
    precondition(
      a.columnCount == b.columnCount && a.rowCount == b.rowCount,
      "shapes differ (block \(size))")
    precondition(
      a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "values differ (block \(size))")
    precondition(a.firstLineRange == b.firstLineRange, "first lines differ (block \(size))")
    for row in 0..<a.rowCount {
      precondition(a.line(ofRow: row) == b.line(ofRow: row), "row \(row)'s line differs")
    }
  case (.failure(let a), .failure(let b)):
    precondition(
      a.id == b.id && a.message == b.message && a.range == b.range,
      "errors differ (block \(size)): \(a.id) \(a.message) \(String(describing: a.range)) "
        + "against \(b.id) \(b.message) \(String(describing: b.range))")
  case (.success, .failure(let b)):
    preconditionFailure("only the block read failed (block \(size)): \(b.id) \(b.message)")
  case (.failure(let a), .success):
    preconditionFailure("only the whole read failed (block \(size)): \(a.id) \(a.message)")
  }
  return 0
}

import FFCData
import FFCDiagnostics

/// libFuzzer's entry: any bytes, read as a CSV file, give a table or one located diagnostic,
/// which is rendered. A crash, a hang (-timeout) or a leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
  let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  let file = SourceFile(path: "fuzz.csv", text: text)
  do {
    let table = try CSVReader.read(file)
    _ = table.rowCount
  } catch {
    _ = DiagnosticRenderer(files: [file]).render(error)
  }
  return 0
}

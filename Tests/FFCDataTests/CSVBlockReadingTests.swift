import FFCData
import FFCIR
import Foundation
import Testing

/// A CSV file parsed block by block (`CSVReader.read(_:sizeHint:next:)`, as `--data` reads one):
/// the same table as the whole text gives, whatever the block size, with the text read again
/// only when a diagnostic quotes it.
@Suite struct CSVBlockReadingTests {
  /// Records whether the text was read again.
  final class Reads: @unchecked Sendable {
    var count = 0
  }

  /// `text` read `size` bytes at a time, with a lazy file that counts its reads.
  func blockTable(_ text: String, size: Int, path: String = "data.csv", reads: Reads = Reads())
    throws(Diagnostic) -> CSVTable
  {
    let bytes = Array(text.utf8)
    let file = SourceFile(path: path) {
      reads.count += 1
      return bytes
    }
    var position = 0
    return try CSVReader.read(file, sizeHint: bytes.count) { buffer throws(Diagnostic) in
      guard position < bytes.count else { return false }
      let end = min(bytes.count, position + size)
      buffer += bytes[position..<end]
      position = end
      return true
    }
  }

  func blockError(_ text: String, size: Int) -> Diagnostic? {
    do throws(Diagnostic) {
      _ = try blockTable(text, size: size)
      return nil
    } catch {
      return error
    }
  }

  static let samples: [String] = {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../samples/data").standardized
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".csv") }.sorted().map {
      directory.appendingPathComponent($0).path
    }
  }()

  /// Every sample's data: the values (bit for bit), header, widths and row lines are those of the
  /// whole-text read, for blocks of 1, 7 and 4096 bytes, and equal a plain split of each line.
  @Test(arguments: samples)
  func everySampleReadsAsTheWholeTextDoes(path: String) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let whole = try CSVReader.read(SourceFile(path: "data.csv", text: text))
    for size in [1, 7, 4096] {
      let reads = Reads()
      let blocks = try blockTable(text, size: size, reads: reads)
      #expect(blocks.values.map(\.bitPattern) == whole.values.map(\.bitPattern))
      #expect(blocks.header?.map(\.name) == whole.header?.map(\.name))
      #expect(blocks.columnCount == whole.columnCount && blocks.rowCount == whole.rowCount)
      #expect(reads.count == 0, "the text was read again though nothing was wrong")
      #expect(blocks.line(ofRow: blocks.rowCount - 1) == whole.line(ofRow: whole.rowCount - 1))
      #expect(reads.count == 1)
    }
    let plain = text.split(whereSeparator: \.isNewline).dropFirst(whole.header == nil ? 0 : 1)
      .flatMap { $0.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces))! } }
    #expect(plain.map(\.bitPattern) == whole.values.map(\.bitPattern))
  }

  /// The errors of `CSVReaderTests.errorsPointAtTheField`, read in blocks: the same id, line and
  /// column (the text is read again to place them).
  @Test(arguments: [1, 3, 4096])
  func errorsPointAtTheFieldInBlocks(size: Int) {
    let cases: [(String, String)] = [
      ("a,b\n1,2\n3,abc\n", "data.not-a-number 3:3"), ("1,2\n3,nan\n", "data.not-finite 2:3"),
      ("1,,2\n", "data.empty-field 1:3"), ("a,,b\n1,2,3\n", "data.empty-field 1:3"),
      ("a,b\n1,\"2\n", "data.quote 2:3"), ("a,b,c\n1,2,3\n1,2,3,4\n", "data.field-count 3:7"),
      ("a,b,c\n1,2,3\n1,2", "data.field-count 3:4"), ("", "data.empty 1:1"),
      ("a,b\n", "data.empty 1:1"), ("\u{FEFF}x,y\r\n1,2\r\n3,zz\r\n", "data.not-a-number 3:3"),
    ]
    for (text, expected) in cases {
      #expect(summary(blockError(text, size: size)) == expected, "\(text.debugDescription)")
    }
  }

  /// The fuzz target's property (samples/fuzz/fuzz_csv.swift) for every block size it picks,
  /// 1 to 64 bytes: a CRLF, a quote, a BOM or a multi-byte character split between blocks gives
  /// the whole read's table bit for bit, or its error at the same place.
  @Test func everyFuzzBlockSizeAgreesWithTheWholeRead() {
    let texts = [
      "\u{FEFF}\"x[0,1]\",y\r\n 1.5e-3 ,\t-2\r\n\r\n3,4\r\n", "é,b\n1,2\n3,\"4\"\"\"\n",
      "a,b\n1,2\n3,4,5\n", "1,2\n  \n3,inf\n", "x\n1\n2\n3", "\"a\",\"\"\n1,2\n",
    ]
    for text in texts {
      let file = SourceFile(path: "data.csv", text: text)
      let whole: Result<CSVTable, Diagnostic>
      do throws(Diagnostic) { whole = .success(try CSVReader.read(file)) } catch {
        whole = .failure(error)
      }
      for size in 1...64 {
        let blocks: Result<CSVTable, Diagnostic>
        do throws(Diagnostic) { blocks = .success(try blockTable(text, size: size)) } catch {
          blocks = .failure(error)
        }
        switch (whole, blocks) {
        case (.success(let a), .success(let b)):
          #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
          #expect(a.header?.map(\.name) == b.header?.map(\.name))
          #expect(a.columnCount == b.columnCount && a.rowCount == b.rowCount)
          #expect((0..<a.rowCount).allSatisfy { a.line(ofRow: $0) == b.line(ofRow: $0) })
        case (.failure(let a), .failure(let b)):
          #expect(a.id == b.id && a.message == b.message && a.range == b.range, "\(size)")
        default:
          Issue.record("\(text.debugDescription) in blocks of \(size): \(whole) against \(blocks)")
        }
      }
    }
  }

  /// Text that is not UTF-8 is refused by name, as reading the whole file refused it.
  @Test func textThatIsNotUTF8IsAnError() throws {
    let bytes: [UInt8] = Array("a,b\n1,2\n".utf8) + [0xFF, 0x2C, 0x31, 0x0A]
    let file = SourceFile(path: "bad.csv") { bytes }
    var given = false
    do {
      _ = try CSVReader.read(file, sizeHint: 0) { buffer throws(Diagnostic) in
        defer { given = true }
        if !given { buffer += bytes }
        return !given
      }
      Issue.record("read")
    } catch {
      #expect(error.id == "data.unreadable")
      #expect(error.message == "cannot read 'bad.csv': it is not UTF-8 text")
    }
  }

  /// Binding a table read in blocks to a program does not read the text again.
  @Test func bindingDoesNotReadTheTextAgain() throws {
    let reads = Reads()
    let t = try blockTable("x1,x2,y\n1,2,3\n4,5,6\n", size: 5, reads: reads)
    let graph = program([
      declaration("X", .input, Shape([.symbol("N"), .fixed(2)])),
      declaration("y", .target, Shape([.symbol("N")])),
    ])
    let data = try DataBinder.bind(t, graph: graph)
    #expect(data.rowCount == 2)
    #expect(reads.count == 0)
  }
}

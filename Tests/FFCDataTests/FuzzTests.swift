import FFCData
import FFCIR
import Testing

/// Random edits of a valid file never crash the reader or the binder: each either succeeds or
/// fails with a located diagnostic.
@Suite struct DataFuzzTests {
  @Test func mutatedFilesNeverCrash() throws {
    let valid = "\"x[0]\",x2, x3 ,species\r\n1,2,3,0\n\n4.5,-5,6e1,2\n7,8,9,1\n"
    let alphabet = Array("0123456789,.-+e\"\n\r \tx[]abnifσ")
    let graphs = [
      try classifier(classes: 3, batch: true),
      try classifier(classes: 3, batch: false),
      program([
        declaration("x", .input, [3]), declaration("species", .label, .scalar, default: Tensor(0)),
      ]),
    ]
    var random = SplitMix64(seed: 2024)
    var outcomes = (read: 0, bound: 0, failed: 0)
    for _ in 0..<1000 {
      var text = Array(valid)
      for _ in 0..<(1 + Int(random.next() % 4)) {
        let position = Int(random.next() % UInt64(text.count + 1))
        let character = alphabet[Int(random.next() % UInt64(alphabet.count))]
        switch random.next() % 3 {
        case 0 where position < text.count: text.remove(at: position)
        case 1 where position < text.count: text[position] = character
        default: text.insert(character, at: position)
        }
      }
      let file = SourceFile(path: "fuzz.csv", text: String(text))
      do {
        let table = try CSVReader.read(file)
        outcomes.read += 1
        for graph in graphs {
          do {
            let data = try DataBinder.bind(table, graph: graph)
            #expect(data.rowCount == table.rowCount)
            _ = data.row(0)
            outcomes.bound += 1
          } catch {
            #expect(error.range != nil, "\(error.id): \(error.message)")
            _ = DiagnosticRenderer(files: [file]).render(error)
          }
        }
      } catch {
        outcomes.failed += 1
        #expect(error.range?.file == "fuzz.csv", "\(error.id): \(error.message)")
        _ = DiagnosticRenderer(files: [file]).render(error)
      }
    }
    // Both paths are exercised, not just the error path.
    #expect(outcomes.read > 100 && outcomes.bound > 100 && outcomes.failed > 100)
  }
}

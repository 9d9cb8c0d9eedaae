import FFCData
import FFCIR
import Testing

/// Kept in place, a batch table whose columns all go to declarations with their examples first is
/// reordered into a block per declaration (`CSVTable.groupColumns`), each declaration's values
/// shared from it: the values are those the binder stacks when it copies, whatever the order of
/// the columns, and the blocks tile the table's one array.
@Suite struct ColumnGroupingTests {
  func declarations(_ widths: [(String, Int)]) -> Graph {
    program(
      widths.map { name, width in
        declaration(
          name, name == "y" ? .target : .input,
          width == 0 ? Shape([.symbol("N")]) : Shape([.symbol("N"), .fixed(width)]))
      })
  }

  @Test(arguments: [
    "y,X3,X1,X2", "X1,X2,X3,y", "X2,Z2,y,X3,Z1,X1", "Z1,Z2,X1,X2,X3,y",
  ])
  func blocksHoldTheValuesTheBinderStacks(header: String) throws {
    let names = header.split(separator: ",")
    let widths: [(String, Int)] =
      [("X", 3), ("y", 0)] + (names.contains("Z1") ? [("Z", 2)] : [])
    let graph = declarations(widths)
    var lines = [header]
    for row in 0..<7 {
      lines.append(names.indices.map { "\(row * 10 + $0).5" }.joined(separator: ","))
    }
    let text = lines.joined(separator: "\n") + "\n"
    let copied = try DataBinder.bind(table(text), graph: graph)
    let kept = try DataBinder.bind(table(text), graph: graph, keepingStored: true)
    #expect(kept.columns.isEmpty && kept.stored.count == widths.count)
    var offsets: [Int] = []
    for (name, value) in kept.stored {
      let expected = try #require(copied.columns.first { $0.name == name }?.value)
      #expect(value.tensor() == expected, "\(header): \(name)")
      let shared = try #require(value.shared, "\(header): \(name) is not a block of the table")
      #expect(shared.scalars.count == 7 * names.count)
      offsets.append(shared.offset)
    }
    // The blocks follow each other in declaration order.
    var start = 0
    for ((_, width), offset) in zip(widths, offsets) {
      #expect(offset == start)
      start += 7 * max(width, 1)
    }
  }

  /// A per-example program's declarations are grouped too, and read one row at a time.
  @Test func perExampleRowsReadFromTheBlocks() throws {
    let graph = program([
      declaration("x", .input, Shape([.fixed(2)])), declaration("t", .target, Shape([Dim]())),
    ])
    let text = "t,x2,x1\n1,2,3\n4,5,6\n"
    let copied = try DataBinder.bind(table(text), graph: graph)
    let kept = try DataBinder.bind(table(text), graph: graph, keepingStored: true)
    for row in 0..<2 {
      let a = kept.row(row).map { $0.value }
      let b = copied.row(row).map { $0.value }
      #expect(a == b)
    }
  }

  /// For an f32 run the blocks are narrowed in place to Floats (`StoredTensor.sharedFloats`): each
  /// value is `Float(x)` of the Double the binder stacks, in the table's one array, the blocks at
  /// the same offsets; one declaration fed every column is one block. A value too large for f32
  /// leaves the table as Doubles (the run reports it), and so does f64.
  @Test(arguments: ["y,X3,X1,X2", "X1,X2,X3"])
  func f32BlocksAreTheTablesNumbersAsFloats(header: String) throws {
    let names = header.split(separator: ",")
    let widths: [(String, Int)] = [("X", 3)] + (names.contains("y") ? [("y", 0)] : [])
    let graph = declarations(widths)
    var lines = [header]
    for row in 0..<7 {
      lines.append(names.indices.map { "\(row * 10 + $0).1234567891" }.joined(separator: ","))
    }
    let text = lines.joined(separator: "\n") + "\n"
    let copied = try DataBinder.bind(table(text), graph: graph)
    let narrowed = try DataBinder.bind(
      table(text), graph: graph, keepingStored: true, narrowingTo: .f32)
    var start = 0
    for ((name, width), (storedName, value)) in zip(widths, narrowed.stored) {
      #expect(name == storedName)
      let expected = try #require(copied.columns.first { $0.name == name }?.value)
      #expect(value.tensor().scalars == expected.scalars.map { Double(Float($0)) })
      let floats = try #require(value.sharedFloats, "\(header): \(name) is not narrowed")
      #expect(value.shared == nil && floats.offset == start)
      floats.storage.withUnsafeBytes { bytes in
        for (i, x) in expected.scalars.enumerated() {
          let f = bytes.loadUnaligned(fromByteOffset: (start + i) * 4, as: Float.self)
          #expect(f.bitPattern == Float(x).bitPattern)
        }
      }
      start += 7 * max(width, 1)
    }
    for (refused, precision) in [
      (text + "1e39" + String(repeating: ",1", count: names.count - 1) + "\n", Precision.f32),
      (text, .f64),
    ] {
      let kept = try DataBinder.bind(
        table(refused), graph: graph, keepingStored: true, narrowingTo: precision)
      #expect(kept.stored.allSatisfy { $0.value.sharedFloats == nil && $0.value.shared != nil })
    }
  }
}

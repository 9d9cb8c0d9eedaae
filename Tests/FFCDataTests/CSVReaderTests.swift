import FFCData
import Testing

@Suite struct CSVReaderTests {
  @Test func aHeaderIsALineWithAFieldThatIsNotANumber() throws {
    let withHeader = try table("a,b\n1,2\n3,4\n")
    #expect(withHeader.header?.map(\.name) == ["a", "b"])
    #expect(withHeader.rowCount == 2 && withHeader.columnCount == 2)
    #expect(withHeader.values == [1, 2, 3, 4])

    let without = try table("1,2\n3,4")
    #expect(without.header == nil)
    #expect(without.values == [1, 2, 3, 4])

    // One name among numbers is enough; exponents and signs are numbers.
    // A first line mixing names and numbers is a row with a typo, not a header.
    #expect(throws: Diagnostic.self) { try table("1,2,abc\n1,2,3\n") }
    #expect(throws: Diagnostic.self) { try table("x,2\n1,2\n") }
    #expect(try table("1e3,-2.5,+4\n").header == nil)
  }

  @Test func quotedFieldsMayHoldCommasAndQuotes() throws {
    let t = try table("\"x[0,1]\", \"say \"\"hi\"\"\" ,y\n\"1\",2,3\n")
    #expect(t.header?.map(\.name) == ["x[0,1]", "say \"hi\"", "y"])
    #expect(t.values == [1, 2, 3])
    #expect(t.header?[1].range.start.column == 11)
  }

  @Test func crlfBlankLinesAndBlanksAroundFieldsAreIgnored() throws {
    let t = try table("\r\n  a ,\tb\r\n\r\n   \n 1 , 2 \r\n3,4\r\n\r\n")
    #expect(t.header?.map(\.name) == ["a", "b"])
    #expect(t.values == [1, 2, 3, 4])
    #expect(t.line(ofRow: 0) == 5 && t.line(ofRow: 1) == 6)
    #expect(t.fieldRange(row: 0, column: 1).description == "data.csv:5:6")
  }

  @Test func aByteOrderMarkIsSkipped() throws {
    #expect(try table("\u{FEFF}a,b\n1,2\n").header?.first?.name == "a")
  }

  @Test func fieldRangesAreFoundAgainOnDemand() throws {
    let t = try table("a,b,c\n10, 20 ,\"30\"\n")
    let range = t.fieldRange(row: 0, column: 2)
    #expect(range.start.line == 2 && range.start.column == 9 && range.end.column == 13)
    #expect(t.fieldRange(row: 0, column: 1).start.column == 5)
    #expect(t.fieldRange(row: 5, column: 0).start.offset == 0)  // out of range: never a crash
  }

  @Test func errorsPointAtTheField() {
    #expect(summary(readError("a,b\n1,2\n3,abc\n")) == "data.not-a-number 3:3")
    #expect(summary(readError("1,2\n3,nan\n")) == "data.not-finite 2:3")
    #expect(summary(readError("1,2\n3,1e999\n")) == "data.not-finite 2:3")
    #expect(summary(readError("1,,2\n")) == "data.empty-field 1:3")
    #expect(summary(readError("1,2,\n")) == "data.empty-field 1:5")
    #expect(summary(readError("a,,b\n1,2,3\n")) == "data.empty-field 1:3")
    #expect(summary(readError("a,b\n1,\"2\n")) == "data.quote 2:3")
    #expect(summary(readError("a,b\n1,\"2\"x\n")) == "data.quote 2:6")
    #expect(summary(readError("a,b,c\n1,2,3\n1,2,3,4\n")) == "data.field-count 3:7")
    #expect(summary(readError("a,b,c\n1,2,3\n1,2\n")) == "data.field-count 3:4")
    #expect(summary(readError("")) == "data.empty 1:1")
    #expect(summary(readError("\n  \n")) == "data.empty 1:1")
    #expect(summary(readError("a,b\n")) == "data.empty 1:1")
  }

  @Test func messagesSayWhatWasExpectedAndFound() {
    #expect(readError("a,b,c\n1,2\n")?.message == "expected 3 fields, found 2; missing 'c'")
    #expect(readError("1,2,3\n1\n")?.message == "expected 3 fields, found 1")
    #expect(readError("1,2\n1,2,3\n")?.message == "expected 2 fields, found 3")
    #expect(readError("x\n1\nnan\n")?.message == "'nan' is not a finite number")
    #expect(readError("h\n", path: "x.csv")?.message == "'x.csv' has no data rows")
  }

  @Test func rendersWithLineAndCaret() {
    let text = "a,b\n1,2\n3,abc\n"
    #expect(
      render(readError(text, path: "bad.csv"), text, path: "bad.csv") == """
        bad.csv:3:3: error: 'abc' is not a number
         3 | 3,abc
           |   ^~~

        """)
    let short = "a, b, c\r\n1, 2\r\n"
    #expect(
      render(readError(short), short) == """
        data.csv:2:5: error: expected 3 fields, found 2; missing 'c'
         2 | 1, 2
           |     ^

        """)
  }

  @Test func readsTheDigitsSizedFileInOnePass() throws {
    let header = (0..<64).map { "p\($0)" }.joined(separator: ",") + ",digit\n"
    let row = (0..<64).map { String($0 % 17) }.joined(separator: ",") + ",7\n"
    let t = try table(header + String(repeating: row, count: 1797))
    #expect(t.rowCount == 1797 && t.columnCount == 65)
    #expect(t.value(row: 1796, column: 64) == 7)
  }
}

import FFCDiagnostics
import Testing

@Suite struct SourceFileTests {
  @Test func offsetsBecomeOneBasedLinesAndColumns() {
    let file = SourceFile(path: "a.ffn", text: "ab\ncd\n\nef")
    #expect(file.location(of: 0) == SourceLocation(offset: 0, line: 1, column: 1))
    #expect(file.location(of: 4).line == 2 && file.location(of: 4).column == 2)
    #expect(file.location(of: 7).line == 4 && file.location(of: 7).column == 1)
    #expect(file.lineText(2) == "cd" && file.lineText(3) == "" && file.lineText(9) == "")
  }

  /// Columns count Characters, not bytes, on lines that are not ASCII.
  @Test func columnsCountCharacters() {
    let file = SourceFile(path: "a.ffn", text: "σ = x\n")
    let offsetOfEquals = "σ ".utf8.count
    #expect(file.location(of: offsetOfEquals).column == 3)
  }

  @Test func windowsLineEndingsAreNotShown() {
    #expect(SourceFile(path: "a", text: "ab\r\ncd").lineText(1) == "ab")
  }
}

@Suite struct DiagnosticRendererTests {
  let file = SourceFile(path: "net.ffn", text: "input x[3]\nh = relu(W1 @ x)\n")

  @Test func rendersLocationMessageLineAndCaret() {
    let range = file.range(20, 26)  // "W1 @ x"
    let focus = file.location(of: 23)  // "@"
    let text = DiagnosticRenderer(files: [file]).render(
      Diagnostic(.error, id: "t", "cannot multiply", at: range, focus: focus))
    #expect(
      text == "net.ffn:2:13: error: cannot multiply\n 2 | h = relu(W1 @ x)\n   |          ~~~^~~\n")
  }

  /// An error about a whole file names it, as swiftc and rustc do when no line applies; one about
  /// no file (the command line) names ffc.
  @Test func aWholeFileErrorNamesTheFile() {
    let renderer = DiagnosticRenderer(files: [file])
    #expect(
      renderer.render(Diagnostic(.error, id: "t", "no loss", file: "net.ffn"))
        == "net.ffn: error: no loss\n")
    #expect(
      renderer.render(Diagnostic(.error, id: "t", "bad flag", at: nil)) == "ffc: error: bad flag\n")
    let placed = Diagnostic(.error, id: "t", "no loss", at: nil).inFile("net.ffn")
    #expect(placed.file == "net.ffn" && placed.locationText == "net.ffn")
    let located = Diagnostic(.error, id: "t", "x", at: file.range(20, 22)).inFile("other.ffn")
    #expect(located.locationText == "net.ffn:2:10")
  }

  /// A bug in ffc is labelled an internal error and asks for a report; it is not blamed on the
  /// user's file.
  @Test func anInternalErrorAsksForAReport() {
    let bug = Diagnostic.internalError(in: "pass", "in pass 'cse': broken", at: nil)
    #expect(bug.isInternal && bug.inFile("net.ffn").file == nil)
    #expect(
      DiagnosticRenderer(files: [file]).render(bug)
        == "ffc: internal error: in pass 'cse': broken\n"
        + "  this is a bug in ffc; please report it with the program that caused it\n")
  }

  @Test func notesFollowWithTheirOwnLocation() {
    let diagnostic = Diagnostic(
      .error, id: "t", "bad", at: file.range(11, 12),
      notes: [Note("declared here", at: file.range(6, 7))])
    let text = DiagnosticRenderer(files: [file]).render(diagnostic)
    #expect(text.contains("net.ffn:1:7: note: declared here\n 1 | input x[3]\n   |       ^\n"))
  }

  @Test func withoutALocationTheToolNamesItself() {
    #expect(
      DiagnosticRenderer(files: []).render(Diagnostic(.error, id: "t", "no loss", at: nil))
        == "ffc: error: no loss\n")
  }

  @Test func colourOnlyWhenAsked() {
    let diagnostic = Diagnostic(.warning, id: "t", "w", at: nil)
    #expect(!DiagnosticRenderer(files: []).render(diagnostic).contains("\u{1B}"))
    #expect(
      DiagnosticRenderer(files: [], useColor: true).render(diagnostic).contains("\u{1B}[1;35m"))
  }

  @Test func diagnosticsSortByLocationAndKeepTheirOrderOtherwise() {
    var bag = DiagnosticBag()
    bag.add(Diagnostic(.error, id: "b", "second", at: file.range(11, 12)))
    bag.add(Diagnostic(.error, id: "a", "first", at: file.range(0, 1)))
    bag.add(Diagnostic(.warning, id: "c", "third", at: file.range(11, 12)))
    #expect(bag.sorted.map(\.id) == ["a", "b", "c"])
    #expect(bag.hasErrors)
  }
}

@Suite struct EditDistanceTests {
  @Test func suggestsTheClosestName() {
    #expect(EditDistance.closest(to: "tnah", in: ["exp", "tanh", "than"]) == "tanh")
    #expect(EditDistance.closest(to: "inptu1", in: ["input1", "x"]) == "input1")
    #expect(EditDistance.closest(to: "zzzzzz", in: ["tanh"]) == nil)
    #expect(EditDistance.distance("kitten", "sitting") == 3)
  }
}

import FFCTensor
import Testing

@testable import FFCViews

@Test func jsonStringsCannotEndTheScriptThatHoldsThem() {
  #expect(JSONText.string("</script>") == #""\u003c/script\u003e""#)
  #expect(JSONText.string("a & \"b\"\n\u{1}") == #""a \u0026 \"b\"\n\u0001""#)
  #expect(JSONText.string("\u{2028}") == #""\u2028""#)
  #expect(JSONText.number(12.345) == "12.3")
  #expect(JSONText.number(Double.nan) == "null")
  #expect(
    JSONText.object([("a", "1"), ("b", JSONText.array(["2", "3"]))]) == #"{"a":1,"b":[2,3]}"#)
}

@Test func htmlTextIsEscaped() {
  #expect(Markup.escaped("<a href=\"x\">&") == "&lt;a href=&quot;x&quot;&gt;&amp;")
}

@Test func shortValuesFitABox() {
  func short(_ t: Tensor) -> String {
    ValueSummary(t, writtenOutLimit: NodeFacts.shortLimit).inlineText
  }
  #expect(short(Tensor(-4)) == "-4")
  #expect(short(Tensor(-0.0)) == "0")
  #expect(short(Tensor(shape: [2], scalars: [0.11920292202211755, 2])) == "[0.1192, 2]")
  #expect(short(Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])) == "[[1, 2], [3, 4]]")
  #expect(short(Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, -8])) == "[2, 4] -8…7")
  #expect(short(Tensor(shape: [8], scalars: [1, 2, 3, 4, 5, 6, 7, .nan])) == "[8] 1…7 1 nan")
  #expect(short(Tensor(shape: [3, 3], scalars: Array(repeating: 0, count: 9))) == "[3, 3] all 0")
}

@Test func svgDocumentsGoInlineWithoutTheirDeclaration() {
  #expect(ExplorerPage.inlineSVG("<?xml version=\"1.0\"?>\n<svg/>\n") == "<svg/>\n")
  #expect(ExplorerPage.inlineSVG("<svg/>") == "<svg/>")
}

@Test func pinnedSourcesStayInTheTopLayer() {
  // 0 → 1 → 2 → 3, and a source 4 read only by 3: pinned, it stays at the top with a long edge.
  let sizes = [LayoutSize](repeating: LayoutSize(width: 10, height: 10), count: 5)
  let edges = [LayoutEdge(0, 1), LayoutEdge(1, 2), LayoutEdge(2, 3), LayoutEdge(4, 3)]
  let free = LayeredLayout.layout(LayoutGraph(sizes: sizes, edges: edges))
  #expect(free.layers[4] == 2)
  let pinned = LayeredLayout.layout(
    LayoutGraph(sizes: sizes, edges: edges, pinnedToTop: [false, false, false, false, true]))
  #expect(pinned.layers[4] == 0)
  #expect(pinned.routes[3].count == 4)
  expectNoOverlap(pinned)
}

import FFCFormats
import Testing

@Test func jsonReadsNestedValuesInOrder() throws {
  let value = try JSON.parse(
    Array(#" {"b": [1, -2.5e3, true, null], "a": {"s": "x\"\u00e9\ud83d\ude00"}} "#.utf8))
  guard case .object(let members) = value else {
    Issue.record("not an object")
    return
  }
  #expect(members.map(\.key) == ["b", "a"])
  #expect(members[0].value == .array([.number("1"), .number("-2.5e3"), .bool(true), .null]))
  #expect(members[1].value == .object([("s", .string("x\"é😀"))]))
}

@Test(arguments: [
  (#"{"a": 1, "a": 2}"#, "appears twice"), (#"{"a": 1,}"#, "expected a quoted key"),
  ("[1, 2", "found the end"), ("01", "unexpected text"), (#""\x""#, "unknown escape"),
  ("\"a\nb\"", "control character"), (#"{"a" 1}"#, "expected ':'"), ("[1] x", "unexpected text"),
  (#""\ud800""#, "unpaired surrogate"), ("-", "expected a digit"),
])
func jsonRefusesMalformedText(text: String, problem: String) {
  #expect(throws: JSONError.self) { try JSON.parse(Array(text.utf8)) }
  do {
    _ = try JSON.parse(Array(text.utf8))
  } catch {
    #expect(error.message.contains(problem), "\(error.message)")
  }
}

@Test func jsonRefusesBadUTF8AndDeepNesting() {
  #expect(throws: JSONError.self) { try JSON.parse([0x22, 0xFF, 0x22]) }
  let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
  #expect(throws: JSONError.self) { try JSON.parse(Array(deep.utf8)) }
}

@Test func jsonQuotesWhatItWrites() throws {
  let text = "a\"b\\c\nd\u{1}é"
  #expect(try JSON.parse(Array(JSON.quoted(text).utf8)) == .string(text))
}

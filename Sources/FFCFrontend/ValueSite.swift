import FFCDiagnostics

/// Where the source gives every parameter its first value, by the parameter's index among the
/// declarations of the lowered graph. Passes keep declarations in their places, so the index is
/// the same in every graph compiled from that lowering.
public struct ValueSites: Sendable {
  let byDeclaration: [Int: ValueSite]
}

/// Where the source gives a parameter its first value, as an edit: the bytes to replace (none for
/// an insertion) and the text that goes before the new value. Lowering records one per parameter
/// while it reads the value, so `ProgramWriter` finds every value by the same rules that read it.
struct ValueSite: Sendable {
  /// UTF-8 offsets into the source, half-open.
  let range: Range<Int>
  /// Empty when an existing value is replaced; `" = "` after a declaration without a value;
  /// `"W="` or `"b="` for a new `dense` option.
  let prefix: String
  /// For a new `dense` option: the offset of the call's first argument. The option goes after a
  /// comma on a line of its own, lined up under that argument.
  let alignedWith: Int?
  /// For a parameter a function's call made: the edit is a line of its own (an override line,
  /// `param b1.h.W[4, 8] = ...`), written after a line break, after every other edit at its
  /// offset.
  var startsLine = false

  static func replacing(_ range: SourceRange) -> ValueSite {
    ValueSite(range: range.start.offset..<range.end.offset, prefix: "", alignedWith: nil)
  }

  static func inserting(at offset: Int, prefix: String) -> ValueSite {
    ValueSite(range: offset..<offset, prefix: prefix, alignedWith: nil)
  }
}

import FFCDiagnostics

public enum TokenKind: Equatable, Sendable {
  case identifier
  case number
  /// `"weights.safetensors"`: the token's text is the string's value, escapes decoded.
  case string
  case keyword
  case newline
  case endOfFile
  /// Punctuation and operators: ( ) [ ] { } , = : . + - * / ** ^ @
  case symbol
}

public struct Token: Sendable, Equatable {
  public let kind: TokenKind
  public let text: String
  /// UTF-8 offsets, half-open.
  public let start: Int
  public let end: Int

  public func `is`(_ symbol: String) -> Bool {
    (kind == .symbol || kind == .keyword) && text == symbol
  }

  public var describedForError: String {
    switch kind {
    case .newline: "end of line"
    case .endOfFile: "end of file"
    case .string: "the string \"\(text)\""
    default: "'\(text)'"
    }
  }
}

public enum Keyword {
  public static let all = ["input", "target", "label", "param", "const", "output", "loss"]
}

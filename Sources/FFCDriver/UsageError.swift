import FFCDiagnostics

/// A mistake in how ffc was invoked. Printed as one line, then the command's usage, then a pointer
/// to its help; exit code 2.
public struct UsageError: Error, Sendable, Equatable {
  public let message: String
  public let usage: String?
  public let helpTopic: String?

  public init(_ message: String, usage: String? = nil, helpTopic: String? = nil) {
    self.message = message
    self.usage = usage
    self.helpTopic = helpTopic
  }

  public var rendered: String {
    var text = DiagnosticRenderer(files: []).render(.usage(message))
    if let usage { text += "usage: \(usage)\n" }
    if let helpTopic {
      text += "  see 'ffc help\(helpTopic.isEmpty ? "" : " " + helpTopic)' for more information\n"
    }
    return text
  }
}

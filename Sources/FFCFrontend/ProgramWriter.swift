import FFCDiagnostics
import FFCFormats
import FFCIR
import Foundation

/// Writes a program back with new parameter values, for `ffc train --save`: the saved file runs,
/// compiles and trains again like the original, and stays the user's file. Only the parameter
/// values change (a `param` declaration's value, a `dense` call's `W=` and `b=`, and an override
/// line at the end for a parameter a function's call made); every other byte (comments, blank
/// lines, spacing) is kept.
public enum ProgramWriter {
  /// The first line of a saved file, replaced on every save so that notes do not pile up.
  public static let notePrefix = "# ffc train:"

  /// `source` with every parameter in `values` given that value as a literal; everything else
  /// byte for byte as it was. A parameter is known by its index among `declarations`, those of a
  /// graph compiled from the lowering that found `sites` (passes keep declarations in their
  /// places). A `param` declaration's value (an initializer, a literal, or none) is replaced; a
  /// `dense` layer gets `W=` and `b=` options, in place of `init=` if it has one. Numbers are
  /// the shortest text that reads back as the same value in `precision` (the same Float, in f32). `note`
  /// becomes the comment line `# ffc train: <note>` at the top, replacing one already there; nil
  /// keeps the file's first line as it is. The result is read back and checked before it is
  /// returned.
  public static func withParameterValues(
    _ source: SourceFile, declarations: [Declaration], sites: ValueSites,
    values: [(declaration: Int, value: Tensor)], precision: Precision, note: String?
  ) throws(Diagnostic) -> String {
    try withParameterValues(
      source, declarations: declarations, sites: sites, values: values, precision: precision,
      note: note, weights: nil
    ).text
  }

  /// Where large parameters go instead of literals: a safetensors file beside the saved program,
  /// named in it as `name`, holding every value of at least `minimumCount` elements.
  public struct WeightsFile: Sendable {
    public let name: String
    public let minimumCount: Int

    public init(name: String, minimumCount: Int) {
      self.name = name
      self.minimumCount = minimumCount
    }

    /// The one rule for which values go to the file (`ffc import` follows it too).
    public func holds(elementCount: Int) -> Bool { elementCount >= minimumCount }

    /// `load("out.safetensors")`: the tensor is named like the parameter, so no name is needed.
    var loadCall: String { loadCall(digest: nil) }

    /// `load("out.safetensors", digest="…")`: the digest ties the program to the weights file
    /// written with it (`SafeTensorsWriter.digest`).
    func loadCall(digest: String?) -> String {
      let escaped = name.replacingOccurrences(of: "\\", with: "\\\\")
        .replacingOccurrences(of: "\"", with: "\\\"")
      return "load(\"\(escaped)\"\(digest.map { ", digest=\"\($0)\"" } ?? ""))"
    }
  }

  /// A saved program's text, and the tensors its `load` calls read from the weights file (by
  /// parameter name, in declaration order), which the caller writes beside it.
  public struct Saved {
    public let text: String
    public let tensors: [(name: String, value: StoredTensor)]
    /// The digest of the tensors as written in `precision` (`SafeTensorsWriter.digest`), which
    /// the program's `load` calls name: the caller records it in the file's `__metadata__`.
    public let digest: String?
  }

  /// `withParameterValues`, with the values that `weights` holds written as `load(...)` calls
  /// instead of literals. The text is checked against the tensors before it is returned.
  public static func withParameterValues(
    _ source: SourceFile, declarations: [Declaration], sites: ValueSites,
    values: [(declaration: Int, value: Tensor)], precision: Precision, note: String?,
    weights: WeightsFile?
  ) throws(Diagnostic) -> Saved {
    try withParameterValues(
      source, declarations: declarations, sites: sites, values: held(values, declarations),
      precision: precision, note: note, weights: weights)
  }

  /// `withParameterValues` of values read chunk by chunk (a trainer's buffers): those the weights
  /// file holds are never copied whole, only streamed (`Saved.tensors`), and the check reads
  /// them back as the very same tensors.
  public static func withParameterValues(
    _ source: SourceFile, declarations: [Declaration], sites: ValueSites,
    values: [(declaration: Int, value: StoredTensor)], precision: Precision, note: String?,
    weights: WeightsFile?
  ) throws(Diagnostic) -> Saved {
    var edits = try SaveEdit.plan(
      values, declarations, sites.byDeclaration, precision: precision, weights: weights)
    let tensors = edits.filter { $0.load != nil }.sorted { $0.order < $1.order }.map {
      (name: declarations[$0.order].name, value: $0.value)
    }
    var digest: String?
    if let weights, !tensors.isEmpty {
      let found = SafeTensorsWriter.digest(tensors, as: precision == .f32 ? .f32 : .f64)
      for index in edits.indices where edits[index].load != nil {
        edits[index].load = weights.loadCall(digest: found)
      }
      digest = found
    }
    let written = apply(edits, to: source.text, precision: precision, note: note)
    let text = String(decoding: written.bytes, as: UTF8.self)
    // The fast check reads each literal back from its bytes and lowers the program around them;
    // whatever it cannot vouch for (a `load` call among them) is read back in full, which gives
    // the verdict and its reason.
    let vouched =
      tensors.isEmpty
      && quickCheck(written, edits, path: source.path, values: values, precision: precision)
    if !vouched {
      try check(
        text, path: source.path, values: values, precision: precision,
        weights: weights.map { .pending($0.name, tensors) } ?? .files)
    }
    return Saved(text: text, tensors: tensors, digest: digest)
  }

  /// Whether values of these parameters can be saved (their shapes, ranks and numbers), checked
  /// with a run's starting values before it trains, so that a finished run is never lost to a
  /// value the language cannot write.
  public static func checkSavable(
    declarations: [Declaration], sites: ValueSites,
    values: [(declaration: Int, value: StoredTensor)], precision: Precision
  ) throws(Diagnostic) {
    _ = try SaveEdit.plan(values, declarations, sites.byDeclaration, precision: precision)
  }

  /// Values in memory as stored tensors that share them.
  static func held(_ values: [(declaration: Int, value: Tensor)], _ declarations: [Declaration])
    -> [(declaration: Int, value: StoredTensor)]
  {
    values.map { index, value in
      let name = declarations.indices.contains(index) ? declarations[index].name : "\(index)"
      return (index, StoredTensor(value, source: "the value of '\(name)'"))
    }
  }

  /// `withParameterValues` for values named by the caller: lowers `source` and finds each
  /// parameter by its name (an unknown or repeated name is an error).
  public static func withParameterValues(
    _ source: SourceFile, values: [(name: String, value: Tensor)], precision: Precision,
    note: String?
  ) throws(Diagnostic) -> String {
    let lowered = Frontend.lower(source)
    guard let graph = lowered.graph else {
      throw lowered.diagnostics.first { $0.severity == .error }
        ?? .saveInternal("the program did not compile", at: nil)
    }
    return try withParameterValues(
      source, declarations: graph.declarations, sites: lowered.valueSites,
      values: SaveEdit.resolve(values, graph.declarations), precision: precision,
      note: note)
  }

  /// Copies the source with every edit applied, `note` (if any) as its first line. Edits are
  /// sorted by position (ties in declaration order) and never overlap, so the text is built front
  /// to back from the original offsets, and each literal knows the column it starts at for lining
  /// up its rows. The start of the output's last line is kept as the text grows, so finding a
  /// literal's column reads only its own line. Returns the bytes and where each edit's literal is
  /// in them.
  static func apply(_ edits: [SaveEdit], to text: String, precision: Precision, note: String?)
    -> (bytes: [UInt8], literals: [Range<Int>])
  {
    let bytes = Array(text.utf8)
    let newline = Array((text.contains("\r\n") ? "\r\n" : "\n").utf8)
    var out = Output()
    // Room for the literals only: a value in the weights file is a short `load(...)`.
    out.bytes.reserveCapacity(
      bytes.count + edits.reduce(0) { $0 + ($1.load == nil ? $1.value.count * 24 : 64) })
    var cursor = 0
    if let note {
      out.append(ArraySlice(noteLine(note).utf8))
      // An earlier note is replaced: its line break stays, as the first line's.
      if bytes.starts(with: notePrefix.utf8) {
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        cursor = end > 0 && bytes[end - 1] == UInt8(ascii: "\r") ? end - 1 : end
      } else {
        out.append(ArraySlice(newline))
      }
    }
    var literals: [Range<Int>] = []
    for edit in edits {
      out.append(bytes[cursor..<edit.range.lowerBound])
      if let argument = edit.alignedWith {
        let lineStart = (bytes[..<argument].lastIndex(of: UInt8(ascii: "\n")) ?? -1) + 1
        out.append(ArraySlice(Array(",".utf8) + newline + blanks(bytes[lineStart..<argument]).lead))
      }
      if edit.startsLine { out.append(ArraySlice(newline)) }
      out.append(ArraySlice(edit.prefix.utf8))
      if let load = edit.load {
        // No literal: an empty range keeps `literals` one to one with `edits`.
        out.append(ArraySlice(load.utf8))
        literals.append(out.bytes.count..<out.bytes.count)
        cursor = edit.range.upperBound
        continue
      }
      let (column, lead) = blanks(out.bytes[out.lineStart...])
      let literalStart = out.bytes.count
      LiteralLayout.write(
        edit.value.tensor(), column: column, lead: lead, newline: newline, precision: precision,
        into: &out.bytes)
      out.appended(from: literalStart)
      literals.append(literalStart..<out.bytes.count)
      cursor = edit.range.upperBound
    }
    out.append(bytes[cursor...])
    return (out.bytes, literals)
  }

  /// The text being written and where its last line starts.
  private struct Output {
    var bytes: [UInt8] = []
    var lineStart = 0

    mutating func append(_ more: ArraySlice<UInt8>) {
      let start = bytes.count
      bytes.append(contentsOf: more)
      appended(from: start)
    }

    /// Notes the bytes written from `start` on.
    mutating func appended(from start: Int) {
      if let last = bytes[start...].lastIndex(of: UInt8(ascii: "\n")) { lineStart = last + 1 }
    }
  }

  /// The width of a line's start (in Characters) and blanks as wide, tabs kept.
  private static func blanks(_ line: ArraySlice<UInt8>) -> (column: Int, lead: [UInt8]) {
    let text = String(decoding: line, as: UTF8.self)
    return (text.count, text.map { $0 == "\t" ? UInt8(ascii: "\t") : UInt8(ascii: " ") })
  }

  /// The comment line `# ffc train: <note>`. A line break in the note would end the comment, so
  /// it becomes a blank.
  static func noteLine(_ note: String) -> String {
    let flat = String(note.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
    return flat.isEmpty ? notePrefix : "\(notePrefix) \(flat)"
  }

  /// The written program's check at the cost of its numbers' conversion: every literal read back
  /// from its bytes (`LiteralReadBack`), and the program lowered with each literal of more than
  /// one element replaced by the scalar 0, which fills a declared shape. True when both show
  /// every parameter at its value, in its place; false when the full check must decide (a
  /// literal that is the only source of its shape, or anything unexpected).
  static func quickCheck(
    _ written: (bytes: [UInt8], literals: [Range<Int>]), _ edits: [SaveEdit], path: String,
    values: [(declaration: Int, value: StoredTensor)], precision: Precision
  ) -> Bool {
    var skeleton: [UInt8] = []
    var cursor = 0
    for (edit, range) in zip(edits, written.literals) {
      guard LiteralReadBack.matches(written.bytes[range], edit.value.tensor(), precision: precision)
      else {
        return false
      }
      skeleton += written.bytes[cursor..<range.lowerBound]
      skeleton += edit.value.count > 1 ? Array("0".utf8) : Array(written.bytes[range])
      cursor = range.upperBound
    }
    skeleton += written.bytes[cursor...]
    let lowered = Frontend.lower(
      SourceFile(path: path, text: String(decoding: skeleton, as: UTF8.self)))
    guard let graph = lowered.graph else { return false }
    return values.allSatisfy { index, value in
      guard graph.declarations.indices.contains(index) else { return false }
      let declaration = graph.declarations[index]
      guard declaration.kind == .param, case .literal(let written)? = declaration.initializer
      else { return false }
      // A large parameter's scalar stays a scalar (`Lowering.largestFill`): its shape is declared.
      let shaped =
        written.shape == value.shape
        || (written.isScalar && declaration.shape.concrete == value.shape)
      return shaped && (value.count > 1 || same(written, value.tensor(), precision))
    }
  }

  /// Reads the written program back: it must compile, and every parameter written must start at
  /// its value (in f32, at the same Float), in the same place among the declarations.
  /// A failure is a bug in the writer.
  private static func check(
    _ text: String, path: String, values: [(declaration: Int, value: StoredTensor)],
    precision: Precision, weights: WeightSource
  ) throws(Diagnostic) {
    let result = Frontend.lower(SourceFile(path: path, text: text), weights: weights)
    guard let graph = result.graph else {
      // The error's location is in the written text, not in the source: say it in words.
      let first = result.diagnostics.first { $0.severity == .error }
      let place = first?.range.map { " (line \($0.start.line) of the written program)" } ?? ""
      throw .saveInternal(
        "ffc wrote a program it cannot read back: \(first?.message ?? "no reason given")\(place)",
        at: nil)
    }
    for (index, value) in values {
      let declaration = graph.declarations[index]
      // A value in the weights file reads back as the tensor being written (the same object);
      // a literal as the same numbers.
      let readBack: Bool
      switch declaration.initializer {
      case .stored(let written)?: readBack = written === value
      case .literal(let written)?: readBack = same(written, value.tensor(), precision)
      default: readBack = false
      }
      guard declaration.kind == .param, readBack else {
        throw .saveInternal(
          "ffc wrote a value of '\(declaration.name)' that does not read back as written",
          at: declaration.location)
      }
    }
  }

  /// Bit for bit, or in f32 as the same Floats.
  private static func same(_ written: Tensor, _ value: Tensor, _ precision: Precision) -> Bool {
    guard precision == .f32 else { return written == value }
    return written.shape == value.shape
      && zip(written.scalars, value.scalars).allSatisfy {
        Float($0).bitPattern == Float($1).bitPattern
      }
  }
}

import FFCData
import FFCIR
import FFCRuntime
import Foundation

/// `--checkpoint` and `--resume`: a checkpoint file (`CheckpointFormat`) with the settings the run
/// must be resumed with, the program's shape and the training rows' fingerprint among them.
struct CheckpointFile {
  let settings: [(String, String)]

  init(_ settings: TrainSettings, graph: Graph, rows: TrainingRows) {
    self.settings =
      settings.resumed + [
        ("the program", Self.fingerprint(graph)), ("the training data", Self.fingerprint(rows)),
      ]
  }

  /// Writes `snapshot` to `path` safely (temporary file, fsync, rename), streamed a megabyte at a
  /// time.
  func write(_ snapshot: TrainingSnapshot, to path: String, _ io: CommandIO) throws(SafeFile
    .Failure)
  {
    try SafeFile.write(to: io.resolve(path), displayName: path) { put in
      _ = CheckpointFormat.stream(snapshot, settings: settings, to: put)
    }
  }

  /// The snapshot `path` holds, when it was written by a run with these settings; otherwise a
  /// message naming the file and what differs.
  func read(_ path: String, _ io: CommandIO) -> Result<TrainingSnapshot, Diagnostic> {
    let data: Data
    do {
      data = try SafeFile.readBytes(io.resolve(path), displayName: path)
    } catch {
      return .failure(.cannotRead(error))
    }
    let decoded: (snapshot: TrainingSnapshot, settings: [(String, String)])
    do {
      decoded = try CheckpointFormat.decode(Array(data))
    } catch {
      return .failure(
        Diagnostic(
          .error, id: "train.checkpoint", "cannot resume from '\(path)': \(error.reason)", at: nil))
    }
    for (key, value) in settings {
      let written = decoded.settings.first { $0.0 == key }?.1 ?? "nothing"
      guard written == value else {
        let what =
          key.hasPrefix("-")
          ? "was written with '\(key) \(written)', and this run has '\(key) \(value)'"
          : "was written for another \(key.dropFirst(4)) (\(written), this one is \(value))"
        return .failure(
          Diagnostic(
            .error, id: "train.checkpoint",
            "cannot resume from '\(path)': it \(what); resume with the settings of the run that wrote it",
            at: nil))
      }
    }
    return .success(decoded.snapshot)
  }

  /// The program's shape: its declarations and its graph's ops, not its parameters' starting
  /// values (a run may be resumed from the program it saved).
  static func fingerprint(_ graph: Graph) -> String {
    var text = ""
    for d in graph.declarations { text += "\(d.kind) \(d.name) \(d.shape)\n" }
    for node in graph.nodes {
      text += "\(node.op.name) \(node.inputs.map { "\($0)" }) \(node.shape)\n"
    }
    return hex(Array(text.utf8), count: graph.nodes.count)
  }

  /// The training rows, in their order: values and the columns they feed. Hashed as they are
  /// read (the bytes of millions of values are never gathered).
  static func fingerprint(_ rows: TrainingRows) -> String {
    var hash = FNV1a()
    for column in rows.columns {
      hash.add(UInt64(bitPattern: Int64(column.declaration)))
      let width = column.width
      for row in 0..<rows.count {
        let start = rows.storedRow(row) * width
        for index in start..<start + width { hash.add(column.value(index).bitPattern) }
      }
    }
    return "\(rows.count) rows, " + hash.hex
  }

  private static func hex(_ bytes: [UInt8], count: Int?) -> String {
    var hash = FNV1a()
    for byte in bytes { hash.add(byte) }
    return (count.map { "\($0) nodes, " } ?? "") + hash.hex
  }
}

/// 64-bit FNV-1a over bytes, fed a byte or a little-endian 8-byte word at a time.
private struct FNV1a {
  var hash: UInt64 = 0xcbf2_9ce4_8422_2325

  mutating func add(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }

  mutating func add(_ word: UInt64) {
    for shift in stride(from: 0, to: 64, by: 8) { add(UInt8(truncatingIfNeeded: word >> shift)) }
  }

  var hex: String {
    let digits = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
  }
}

import FFCIR

/// The bytes of a checkpoint (`ffc train --checkpoint`), little-endian throughout:
///
///     header   8 bytes  magic "FFCCKPT\0"
///              u32      version (1)
///              u32      0 (reserved)
///              u64      payload length in bytes
///              u64      FNV-1a 64 checksum of the payload
///     payload  settings     u32 count, then per setting: string key, string value
///              parameters   u32 count, then per parameter: u32 rank, rank × u64 dims, f64 values
///              optimizer    u64 steps; first moments and second moments, each u32 count and
///                           per parameter u64 n and n × f64 (n is 0 where the rule keeps none)
///              position     u64 epochs done, steps and rows in the epoch; u64 n and n × u64 row
///                           order; u64 random state; f64 loss sum; u64 correct, total;
///                           f64 seconds; u32 count and per finished epoch: u64 epoch, f64 loss,
///                           three optional f64 (u8 0 or 1, then the f64 when 1), f64 seconds,
///                           f64 rows per second
///
/// A string is a u32 byte count and UTF-8. Values are f64 whatever the precision (f32 values
/// convert exactly). Reading checks the magic, the version, the length and the checksum before
/// anything else, and every count against the bytes left, so a truncated, damaged or foreign file
/// is an error, never a crash.
public enum CheckpointFormat {
  public static let magic: [UInt8] = Array("FFCCKPT".utf8) + [0]
  public static let version: UInt32 = 1

  public struct Failure: Error, Sendable, Equatable {
    public let reason: String
  }

  /// The whole checkpoint in memory (tests, small runs).
  public static func encode(_ snapshot: TrainingSnapshot, settings: [(String, String)]) -> [UInt8] {
    var out: [UInt8] = []
    stream(snapshot, settings: settings) { piece in
      out += piece
      return true
    }
    return out
  }

  /// Hands the checkpoint's bytes to `write` in order, in pieces of at most a megabyte, so a large
  /// model's checkpoint is never held as one buffer (the payload is made twice: once for its length
  /// and checksum, which the header gives first, then for `write`). Stops early (false) when
  /// `write` does.
  @discardableResult
  public static func stream(
    _ snapshot: TrainingSnapshot, settings: [(String, String)],
    to write: (UnsafeRawBufferPointer) -> Bool
  ) -> Bool {
    var length = 0
    var hash = Checksum()
    payload(snapshot, settings) { piece in
      length += piece.count
      hash.update(piece)
      return true
    }
    let header =
      magic + littleEndian(version) + littleEndian(UInt32(0)) + littleEndian(UInt64(length))
      + littleEndian(hash.value)
    guard header.withUnsafeBytes(write) else { return false }
    return payload(snapshot, settings, write)
  }

  /// The payload's bytes, in pieces.
  @discardableResult
  private static func payload(
    _ snapshot: TrainingSnapshot, _ settings: [(String, String)],
    _ write: (UnsafeRawBufferPointer) -> Bool
  ) -> Bool {
    withoutActuallyEscaping(write) { write in
      let payload = ByteWriter(write)
      payload.u32(settings.count)
      for (key, value) in settings {
        payload.string(key)
        payload.string(value)
      }
      payload.u32(snapshot.values.count)
      for tensor in snapshot.values {
        payload.u32(tensor.shape.count)
        for dim in tensor.shape { payload.u64(dim) }
        tensor.forEachChunk { _, chunk in
          for x in chunk { payload.f64(x) }
        }
      }
      let optimizer = snapshot.optimizer
      payload.u64(optimizer.steps)
      for moments in [optimizer.firstValues, optimizer.secondValues] {
        payload.u32(moments.count)
        for values in moments {
          payload.u64(values.count)
          values.forEachChunk { _, chunk in
            for x in chunk { payload.f64(x) }
          }
        }
      }
      let p = snapshot.position
      for n in [p.epochsDone, p.stepsInEpoch, p.rowsInEpoch, p.order.count] { payload.u64(n) }
      for row in p.order { payload.u64(row) }
      payload.word(p.random)
      payload.f64(p.lossTotal)
      payload.u64(p.correct)
      payload.u64(p.total)
      payload.f64(p.secondsInEpoch)
      payload.u32(p.reports.count)
      for r in p.reports {
        payload.u64(r.epoch)
        payload.f64(r.trainingLoss)
        for optional in [r.trainingAccuracy, r.validationLoss, r.validationAccuracy] {
          payload.byte(optional == nil ? 0 : 1)
          if let x = optional { payload.f64(x) }
        }
        payload.f64(r.seconds)
        payload.f64(r.rowsPerSecond)
      }
      return payload.finish()
    }
  }

  public static func decode(_ bytes: [UInt8]) throws(Failure) -> (
    snapshot: TrainingSnapshot, settings: [(String, String)]
  ) {
    let headerSize = 32
    guard bytes.count >= magic.count, Array(bytes[..<magic.count]) == magic else {
      throw Failure(reason: "it is not an ffc checkpoint")
    }
    var header = ByteReader(bytes[..<Swift.min(bytes.count, headerSize)])
    _ = try header.take(magic.count)
    let version = try header.u32()
    guard version == Self.version else {
      throw Failure(reason: "it is a version \(version) checkpoint; this ffc reads version 1")
    }
    guard try header.u32() == 0 else {
      throw Failure(reason: "it is damaged (its header is wrong)")
    }
    let length = try header.u64()
    let sum = try header.uint64()
    guard bytes.count - headerSize == length else {
      throw Failure(reason: "it is truncated or damaged (its length is wrong)")
    }
    let payload = bytes[headerSize...]
    guard checksum(payload) == sum else {
      throw Failure(reason: "it is damaged (its checksum is wrong)")
    }
    var r = ByteReader(payload)
    var settings: [(String, String)] = []
    for _ in 0..<(try r.count(atLeast: 8)) { settings.append((try r.string(), try r.string())) }
    var parameters: [Tensor] = []
    for _ in 0..<(try r.count(atLeast: 4)) {
      var shape: [Int] = []
      for _ in 0..<(try r.count(atLeast: 8)) { shape.append(try r.u64()) }
      let (size, overflow) = shape.reduce((1, false)) { acc, d in
        let (p, o) = acc.0.multipliedReportingOverflow(by: d)
        return (p, acc.1 || o)
      }
      guard !overflow, size <= r.remaining / 8 else { throw Failure(reason: "it is damaged") }
      parameters.append(Tensor(shape: shape, scalars: try r.doubles(size)))
    }
    let steps = try r.u64()
    var moments: [[[Double]]] = []
    for _ in 0..<2 {
      var perParameter: [[Double]] = []
      for _ in 0..<(try r.count(atLeast: 8)) {
        let n = try r.u64()
        guard n <= r.remaining / 8 else { throw Failure(reason: "it is damaged") }
        perParameter.append(try r.doubles(n))
      }
      moments.append(perParameter)
    }
    let (epochsDone, stepsInEpoch, rowsInEpoch) = (try r.u64(), try r.u64(), try r.u64())
    let rows = try r.u64()
    guard rows <= r.remaining / 8 else { throw Failure(reason: "it is damaged") }
    var order: [Int] = []
    order.reserveCapacity(rows)
    for _ in 0..<rows { order.append(try r.u64()) }
    var position = TrainingPosition(order: order, random: try r.uint64())
    (position.epochsDone, position.stepsInEpoch, position.rowsInEpoch) =
      (epochsDone, stepsInEpoch, rowsInEpoch)
    position.lossTotal = try r.f64()
    (position.correct, position.total) = (try r.u64(), try r.u64())
    position.secondsInEpoch = try r.f64()
    for _ in 0..<(try r.count(atLeast: 35)) {
      let (epoch, loss) = (try r.u64(), try r.f64())
      let (a, l, va) = (try r.optional(), try r.optional(), try r.optional())
      let (seconds, speed) = (try r.f64(), try r.f64())
      position.reports.append(
        EpochReport(
          epoch: epoch, trainingLoss: loss, trainingAccuracy: a, validationLoss: l,
          validationAccuracy: va, seconds: seconds, rowsPerSecond: speed))
    }
    guard r.remaining == 0 else { throw Failure(reason: "it is damaged (bytes left over)") }
    let optimizer = OptimizerState(steps: steps, first: moments[0], second: moments[1])
    return (
      TrainingSnapshot(parameters: parameters, optimizer: optimizer, position: position), settings
    )
  }

  /// FNV-1a, 64 bits: catches truncation and damage (not tampering).
  static func checksum(_ bytes: some Collection<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return hash
  }

  /// `checksum` over bytes given a piece at a time.
  struct Checksum {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
      for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }
  }

  static func littleEndian<I: FixedWidthInteger>(_ value: I) -> [UInt8] {
    (0..<(I.bitWidth / 8)).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
  }
}

/// Little-endian values into a 1 MB buffer handed to `write` whenever it fills; after a refusal
/// nothing more is written.
private final class ByteWriter {
  private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 8)
  private var used = 0
  private var failed = false
  private let write: (UnsafeRawBufferPointer) -> Bool

  init(_ write: @escaping (UnsafeRawBufferPointer) -> Bool) { self.write = write }

  deinit { buffer.deallocate() }

  private func room(_ bytes: Int) {
    guard used + bytes > buffer.count else { return }
    flush()
  }

  private func flush() {
    if !failed && used > 0 { failed = !write(UnsafeRawBufferPointer(rebasing: buffer[..<used])) }
    used = 0
  }

  /// Writes what is left; false when `write` refused a piece.
  func finish() -> Bool {
    flush()
    return !failed
  }

  func byte(_ value: UInt8) {
    room(1)
    buffer[used] = value
    used += 1
  }

  func word(_ value: UInt64) {
    room(8)
    buffer.storeBytes(of: value.littleEndian, toByteOffset: used, as: UInt64.self)
    used += 8
  }

  func u32(_ n: Int) {
    room(4)
    buffer.storeBytes(of: UInt32(n).littleEndian, toByteOffset: used, as: UInt32.self)
    used += 4
  }

  func u64(_ n: Int) { word(UInt64(n)) }
  func f64(_ x: Double) { word(x.bitPattern) }

  func string(_ text: String) {
    u32(text.utf8.count)
    for byte in text.utf8 { self.byte(byte) }
  }
}

private struct ByteReader {
  let bytes: ArraySlice<UInt8>
  var at: Int

  init(_ bytes: ArraySlice<UInt8>) {
    self.bytes = bytes
    at = bytes.startIndex
  }

  var remaining: Int { bytes.endIndex - at }

  mutating func take(_ n: Int) throws(CheckpointFormat.Failure) -> ArraySlice<UInt8> {
    guard n <= remaining else {
      throw CheckpointFormat.Failure(reason: "it is truncated or damaged")
    }
    defer { at += n }
    return bytes[at..<at + n]
  }

  mutating func integer<I: FixedWidthInteger>(_: I.Type) throws(CheckpointFormat.Failure) -> I {
    try take(I.bitWidth / 8).reversed().reduce(I(0)) { $0 << 8 | I($1) }
  }

  mutating func uint64() throws(CheckpointFormat.Failure) -> UInt64 { try integer(UInt64.self) }
  mutating func u32() throws(CheckpointFormat.Failure) -> UInt32 { try integer(UInt32.self) }

  /// A count or size: it must fit in an Int.
  mutating func u64() throws(CheckpointFormat.Failure) -> Int {
    let n = try uint64()
    guard n <= UInt64(Int.max) else { throw CheckpointFormat.Failure(reason: "it is damaged") }
    return Int(n)
  }

  /// A u32 count of items at least `size` bytes each, checked against the bytes left.
  mutating func count(atLeast size: Int) throws(CheckpointFormat.Failure) -> Int {
    let n = Int(try u32())
    guard n <= remaining / size else { throw CheckpointFormat.Failure(reason: "it is damaged") }
    return n
  }

  mutating func f64() throws(CheckpointFormat.Failure) -> Double {
    Double(bitPattern: try uint64())
  }

  mutating func doubles(_ n: Int) throws(CheckpointFormat.Failure) -> [Double] {
    var values: [Double] = []
    values.reserveCapacity(n)
    for _ in 0..<n { values.append(try f64()) }
    return values
  }

  mutating func optional() throws(CheckpointFormat.Failure) -> Double? {
    switch try take(1).first {
    case 0: return nil
    case 1: return try f64()
    default: throw CheckpointFormat.Failure(reason: "it is damaged")
    }
  }

  mutating func string() throws(CheckpointFormat.Failure) -> String {
    let n = Int(try u32())
    guard let text = String(validating: try take(n), as: UTF8.self) else {
      throw CheckpointFormat.Failure(reason: "it is damaged")
    }
    return text
  }
}

import FFCTensor
import Foundation

/// NumPy's `.npz` archives (`np.savez`): a zip file of `.npy` members, one per array, named
/// `<name>.npy`. Stored (uncompressed) members are read in place from the mapped file; members
/// compressed with deflate (`np.savez_compressed`) are inflated (`Inflater`) a piece at a time,
/// straight into whatever reads them, in one pass that checks the size the archive states and its
/// CRC-32 at the end (`StoredTensor.readFailure`). ZIP64 sizes and offsets are followed. Every offset is checked against the file
/// first.
public enum NumPyArchive {
  /// The archive's arrays, in the order of its central directory, converted to f64.
  public static func arrays(_ file: MappedFile) throws(FormatError) -> [(
    name: String, value: Tensor
  )] {
    try storedArrays(file).map { (name, value) throws(FormatError) in
      let tensor = value.tensor()
      if let failure = value.readFailure() { throw FormatError(failure.file, failure.problem) }
      return (name, tensor)
    }
  }

  /// The archive's arrays as references to its bytes, converted (stored members) or inflated and
  /// converted (deflated ones) a chunk at a time when something reads them, so reading an array
  /// costs its destination and a few hundred kilobytes. A Fortran-order array of more than one
  /// axis is converted whole now.
  public static func storedArrays(_ file: MappedFile) throws(FormatError) -> [(
    name: String, value: StoredTensor
  )] {
    var out: [(name: String, value: StoredTensor)] = []
    for member in try members(file) {
      let name = member.name.hasSuffix(".npy") ? String(member.name.dropLast(4)) : member.name
      guard !out.contains(where: { $0.name == name }) else {
        throw FormatError(file.displayName, "it holds the array '\(name)' twice")
      }
      out.append((name, try read(member, in: file, source: name)))
    }
    return out
  }

  private static func read(_ member: Member, in file: MappedFile, source: String)
    throws(FormatError) -> StoredTensor
  {
    switch member.method {
    case 0: return try NumPy.stored(file, in: member.data, member: member.name, source: source)
    case 8: return try InflatedArray.open(member, in: file, source: source)
    default:
      throw FormatError(
        file.displayName,
        "member '\(member.name)' is compressed with method \(member.method); ffc reads stored and deflate members (np.savez, np.savez_compressed)"
      )
    }
  }

  struct Member {
    let name: String
    let method: Int
    let data: Range<Int>
    /// The uncompressed size and CRC-32 the central directory states.
    let size: UInt64
    let crc: UInt32
  }

  static func members(_ file: MappedFile) throws(FormatError) -> [Member] {
    let bytes = file.bytes
    func fail(_ problem: String) -> FormatError { FormatError(file.displayName, problem) }
    func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
    func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
    // The end of central directory record: 22 bytes and a comment of up to 65535.
    guard bytes.count >= 22 else { throw fail("not a .npz (zip) file: it is too short") }
    var end = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 65535)
    while end >= lowest, u32(end) != 0x0605_4b50 { end -= 1 }
    guard end >= lowest else { throw fail("not a .npz (zip) file: no end of central directory") }
    var entryCount = u16(end + 10)
    var directoryStart = u32(end + 16)
    // ZIP64: the locator just before points at the ZIP64 end record.
    if entryCount == 0xFFFF || directoryStart == 0xFFFF_FFFF, end >= 20,
      u32(end - 20) == 0x0706_4b50
    {
      let record = u64(end - 12)
      guard record <= UInt64(bytes.count - 56), u32(Int(record)) == 0x0606_4b50 else {
        throw fail("its ZIP64 end record is out of range")
      }
      guard u64(Int(record) + 32) <= UInt64(Int.max), u64(Int(record) + 48) <= UInt64(bytes.count)
      else {
        throw fail("its ZIP64 directory is out of range")
      }
      entryCount = Int(u64(Int(record) + 32))
      directoryStart = Int(u64(Int(record) + 48))
    }
    var members: [Member] = []
    var at = directoryStart
    for _ in 0..<entryCount {
      guard at >= 0, at <= bytes.count - 46, u32(at) == 0x0201_4b50 else {
        throw fail("its central directory is damaged or out of range")
      }
      let method = u16(at + 10)
      var compressed = UInt64(u32(at + 20))
      var uncompressed = UInt64(u32(at + 24))
      var offset = UInt64(u32(at + 42))
      let (nameLength, extraLength, commentLength) = (u16(at + 28), u16(at + 30), u16(at + 32))
      guard at + 46 + nameLength + extraLength + commentLength <= bytes.count else {
        throw fail("its central directory runs past the end of the file")
      }
      guard let name = String(validating: bytes[at + 46..<at + 46 + nameLength], as: UTF8.self)
      else {
        throw fail("a member's name is not UTF-8")
      }
      // ZIP64 extra field: the 64-bit values of the fields set to 0xFFFFFFFF, in order.
      var extra = at + 46 + nameLength
      let extraEnd = extra + extraLength
      while extra + 4 <= extraEnd {
        let (id, size) = (u16(extra), u16(extra + 2))
        guard extra + 4 + size <= extraEnd else {
          throw fail("member '\(name)' has a damaged extra field")
        }
        if id == 1 {
          var field = extra + 4
          func next() throws(FormatError) -> UInt64 {
            guard field + 8 <= extra + 4 + size else {
              throw fail("member '\(name)' has a short ZIP64 field")
            }
            defer { field += 8 }
            return u64(field)
          }
          if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
          if compressed == 0xFFFF_FFFF { compressed = try next() }
          if offset == 0xFFFF_FFFF { offset = try next() }
        }
        extra += 4 + size
      }
      guard offset <= UInt64(bytes.count - 30), u32(Int(offset)) == 0x0403_4b50 else {
        throw fail("member '\(name)': its local header is out of range")
      }
      let local = Int(offset)
      let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
      guard dataStart <= bytes.count, compressed <= UInt64(bytes.count - dataStart) else {
        throw fail("member '\(name)': its data runs past the end of the file")
      }
      members.append(
        Member(
          name: name, method: method, data: dataStart..<dataStart + Int(compressed),
          size: uncompressed,
          crc: UInt32(u32(at + 16))))
      at += 46 + nameLength + extraLength + commentLength
    }
    return members
  }
}

/// A deflated `.npz` member as a stored tensor, inflated in one pass. Opening it inflates only the
/// `.npy` header; a read goes on from where the last read stopped (the usual case of reading chunk
/// after chunk) or starts the stream again, and converts each piece into the destination. The
/// size and CRC-32 the archive states are checked when the stream ends: `StoredTensor.readFailure`
/// says whether they matched, finishing the stream if the reads stopped short of its end. Memory
/// is the destination plus the inflater's 160 KiB and a 64 KiB buffer; the compressed pages are
/// given back as they are read.
final class InflatedArray: @unchecked Sendable {
  private let file: MappedFile
  private let member: NumPyArchive.Member
  private let header: NumPyHeader
  private let dataStart: Int
  /// One reader at a time: the inflater is the state of a sequential read.
  private let lock = NSLock()
  private var inflater: Inflater
  private let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
  /// What the end of the stream said, once a read or `failure()` reached it: nil before.
  private var verdict: Result<Void, FormatError>?

  private init(
    _ file: MappedFile, _ member: NumPyArchive.Member, _ header: NumPyHeader, _ dataStart: Int,
    _ inflater: Inflater
  ) {
    (self.file, self.member, self.header, self.dataStart) = (file, member, header, dataStart)
    self.inflater = inflater
  }

  deinit { piece.deallocate() }

  private static func inflater(_ file: MappedFile, _ member: NumPyArchive.Member) -> Inflater {
    Inflater(
      UnsafeRawBufferPointer(rebasing: file.bytes[member.data]), expectedSize: Int(member.size),
      crc: member.crc)
  }

  private func fail(_ problem: String) -> FormatError {
    FormatError(file.displayName, "member '\(member.name)': \(problem)")
  }

  static func open(_ member: NumPyArchive.Member, in file: MappedFile, source: String)
    throws(FormatError) -> StoredTensor
  {
    func fail(_ problem: String) -> FormatError {
      FormatError(file.displayName, "member '\(member.name)': \(problem)")
    }
    // Deflate expands at most 1032 to 1 (a 258-byte match in under 2 bits), so a larger stated
    // size is a lie, refused before anything is inflated.
    guard member.size <= UInt64(member.data.count) * 1032 + 1024 else {
      throw FormatError(
        file.displayName,
        "member '\(member.name)' states \(member.size) bytes, more than its \(member.data.count) compressed bytes can hold"
      )
    }
    let size = Int(member.size)
    let inflater = Self.inflater(file, member)
    // The header first: its fixed part (magic, version, length), then the length it states.
    var prefix: [UInt8] = []
    func more(_ wanted: Int) throws(Inflate.Failure) {
      let n = Swift.max(0, Swift.min(wanted, size) - prefix.count)
      guard n > 0 else { return }
      let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 8)
      defer { bytes.deallocate() }
      let got = try inflater.read(into: bytes)
      prefix += bytes[..<got]
    }
    do throws(Inflate.Failure) {
      try more(12)
      let lengthSize = prefix.count > 6 && prefix[6] == 1 ? 2 : 4
      var stated = 0
      if prefix.count >= 8 + lengthSize {
        for i in 0..<lengthSize { stated |= Int(prefix[8 + i]) << (8 * i) }
      }
      // Capped at the member's size: `locate` refuses a header longer than that before it
      // reads past what was inflated.
      try more(8 + lengthSize + stated)
    } catch {
      throw fail(error.problem)
    }
    // The header's checks, against the whole member's size.
    let head = MappedFile(bytes: prefix, displayName: file.displayName)
    let (header, dataStart, count) = try NumPy.locate(
      head, in: 0..<size, member: member.name)
    if header.fortranOrder && header.shape.count > 1 {
      let bytes: [UInt8]
      do throws(Inflate.Failure) {
        bytes = try Inflate.inflate(
          UnsafeRawBufferPointer(rebasing: file.bytes[member.data]), expectedSize: size,
          crc: member.crc)
      } catch {
        throw fail(error.problem)
      }
      file.release(member.data)
      let whole = MappedFile(bytes: bytes, displayName: file.displayName)
      return StoredTensor(
        try NumPy.array(whole, in: 0..<bytes.count, member: member.name), source: source)
    }
    let array = InflatedArray(file, member, header, dataStart, inflater)
    return StoredTensor(
      shape: header.shape, source: source,
      key: "\(file.displayName)#\(member.name)@\(member.data.lowerBound)-\(count)",
      read: { start, count, out in array.read(start, count, into: out) },
      check: { array.failure() })
  }

  /// Converts elements `start..<start + count` into `out`. Should the stream fail, the elements
  /// not read are NaN and `failure` says why.
  private func read(_ start: Int, _ count: Int, into out: UnsafeMutablePointer<Double>) {
    lock.lock()
    defer { lock.unlock() }
    let type = header.type
    let first = dataStart + start * type.size
    if inflater.produced > first { inflater = Self.inflater(file, member) }
    let destination = UnsafeMutableBufferPointer(start: out, count: count)
    var done = 0
    do throws(Inflate.Failure) {
      while inflater.produced < first {
        let skip = Swift.min(piece.count, first - inflater.produced)
        guard
          try inflater.read(into: UnsafeMutableRawBufferPointer(rebasing: piece[..<skip])) == skip
        else { break }
      }
      let perPiece = piece.count / type.size
      while done < count, inflater.produced == first + done * type.size {
        let n = Swift.min(perPiece, count - done)
        let bytes = n * type.size
        let got = try inflater.read(
          into: UnsafeMutableRawBufferPointer(rebasing: piece[..<bytes]))
        guard got == bytes else { break }
        type.convert(
          UnsafeRawBufferPointer(piece), offset: 0, count: n, bigEndian: header.bigEndian,
          into: destination, at: done)
        done += n
        file.release(member.data.lowerBound..<member.data.lowerBound + inflater.consumed)
      }
      if inflater.isDone { verdict = .success(()) }
    } catch {
      verdict = .failure(fail(error.problem))
    }
    for i in done..<count { out[i] = .nan }
  }

  /// Nil when the stream ended with the size and CRC-32 the archive states; otherwise why not.
  /// Reads the rest of the stream first when no read reached its end.
  private func failure() -> StoredTensor.Failure? {
    lock.lock()
    defer { lock.unlock() }
    if verdict == nil {
      do throws(Inflate.Failure) {
        try inflater.finish()
        verdict = .success(())
      } catch {
        verdict = .failure(fail(error.problem))
      }
      file.release(member.data)
    }
    if case .failure(let error) = verdict {
      return StoredTensor.Failure(file: error.file, problem: error.problem)
    }
    return nil
  }
}

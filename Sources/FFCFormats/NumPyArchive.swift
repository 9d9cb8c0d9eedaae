import FFCTensor

/// NumPy's `.npz` archives (`np.savez`): a zip file of `.npy` members, one per array, named
/// `<name>.npy`. Stored (uncompressed) members are read in place from the mapped file; members
/// compressed with deflate (`np.savez_compressed`) are inflated (`Inflate`) to the size the
/// archive states and checked against its CRC-32. ZIP64 sizes and offsets are followed. Every
/// offset is checked against the file first.
public enum NumPyArchive {
  /// The archive's arrays, in the order of its central directory.
  public static func arrays(_ file: MappedFile) throws(FormatError) -> [(
    name: String, value: Tensor
  )] {
    var out: [(name: String, value: Tensor)] = []
    for member in try members(file) {
      let array = try read(member, in: file)
      let name = member.name.hasSuffix(".npy") ? String(member.name.dropLast(4)) : member.name
      guard !out.contains(where: { $0.name == name }) else {
        throw FormatError(file.displayName, "it holds the array '\(name)' twice")
      }
      out.append((name, array))
    }
    return out
  }

  /// A stored member is read in place; a deflated one is inflated into memory first.
  private static func read(_ member: Member, in file: MappedFile) throws(FormatError) -> Tensor {
    switch member.method {
    case 0: return try NumPy.array(file, in: member.data, member: member.name)
    case 8:
      let bytes = try inflated(member, in: file)
      let inflatedFile = MappedFile(bytes: bytes, displayName: file.displayName)
      return try NumPy.array(inflatedFile, in: 0..<bytes.count, member: member.name)
    default:
      throw FormatError(
        file.displayName,
        "member '\(member.name)' is compressed with method \(member.method); ffc reads stored and deflate members (np.savez, np.savez_compressed)"
      )
    }
  }

  private static func inflated(_ member: Member, in file: MappedFile) throws(FormatError)
    -> [UInt8]
  {
    // Deflate expands at most 1032 to 1 (a 258-byte match in under 2 bits), so a larger stated
    // size is a lie, refused before anything is allocated for it.
    guard member.size <= UInt64(member.data.count) * 1032 + 1024 else {
      throw FormatError(
        file.displayName,
        "member '\(member.name)' states \(member.size) bytes, more than its \(member.data.count) compressed bytes can hold"
      )
    }
    let bytes: [UInt8]
    do throws(Inflate.Failure) {
      bytes = try Inflate.inflate(
        UnsafeRawBufferPointer(rebasing: file.bytes[member.data]), expectedSize: Int(member.size))
    } catch {
      throw FormatError(file.displayName, "member '\(member.name)': \(error.problem)")
    }
    guard CRC32.checksum(bytes) == member.crc else {
      throw FormatError(
        file.displayName, "member '\(member.name)': its CRC-32 does not match its data")
    }
    return bytes
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

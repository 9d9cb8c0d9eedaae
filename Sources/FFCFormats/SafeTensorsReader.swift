import FFCTensor

/// One tensor listed in a safetensors header: where its bytes are in the file (absolute offsets,
/// checked against the file and against every other tensor's).
public struct SafeTensorsEntry: Sendable, Equatable {
  public let name: String
  public let type: ElementType
  public let shape: [Int]
  public let bytes: Range<Int>
}

/// A safetensors file (Hugging Face's format): an 8-byte little-endian header length, a JSON
/// header mapping each tensor's name to its `dtype`, `shape` and `data_offsets` (relative to the
/// end of the header), an optional `__metadata__` object of strings, then the raw little-endian
/// data. Opening reads and checks the header only; a tensor's bytes are touched when it is read.
public final class SafeTensorsFile: Sendable {
  public let entries: [SafeTensorsEntry]
  public let metadata: [(key: String, value: String)]
  public let file: MappedFile
  public var displayName: String { file.displayName }

  /// safetensors' own limit on the header (100 MB), so a corrupt length is refused before any
  /// allocation.
  public static let maximumHeader = 100_000_000

  public convenience init(_ path: String, displayName: String) throws(FormatError) {
    try self.init(try MappedFile(path, displayName: displayName))
  }

  public init(_ file: MappedFile) throws(FormatError) {
    self.file = file
    (entries, metadata) = try SafeTensorsHeader.read(file)
  }

  public func entry(named name: String) -> SafeTensorsEntry? {
    entries.first { $0.name == name }
  }

  /// The tensor as a reference to the file's bytes, read (and the pages given back) chunk by
  /// chunk when a buffer is filled from it. `source` is how the program names it. The reference
  /// keeps the mapping open.
  public func stored(_ entry: SafeTensorsEntry, source: String) -> StoredTensor {
    let file = self.file
    let type = entry.type
    let first = entry.bytes.lowerBound
    return StoredTensor(
      shape: entry.shape, source: source,
      key: "\(file.displayName)#\(entry.name)@\(entry.bytes.lowerBound)-\(entry.bytes.upperBound)"
    ) { start, count, out in
      let offset = first + start * type.size
      type.convert(
        file.bytes, offset: offset, count: count, bigEndian: false,
        into: UnsafeMutableBufferPointer(start: out, count: count), at: 0)
      file.release(offset..<offset + count * type.size)
    }
  }

  /// The tensor's values as Doubles. The file's pages are given back as they are converted, so
  /// reading costs the result plus a few megabytes.
  public func tensor(_ entry: SafeTensorsEntry) -> Tensor {
    let count = entry.shape.reduce(1, *)
    let chunk = max(1, (1 << 22) / entry.type.size)
    let bytes = file.bytes
    let scalars = [Double](unsafeUninitializedCapacity: count) { out, initialized in
      var done = 0
      while done < count {
        let n = min(chunk, count - done)
        let offset = entry.bytes.lowerBound + done * entry.type.size
        entry.type.convert(bytes, offset: offset, count: n, bigEndian: false, into: out, at: done)
        file.release(offset..<offset + n * entry.type.size)
        done += n
      }
      initialized = count
    }
    return Tensor(shape: entry.shape, scalars: scalars)
  }
}

/// Reading and checking a header: every length and offset against the file before any tensor's
/// bytes are read.
enum SafeTensorsHeader {
  static let dtypes: [String: ElementType] = [
    "F64": .f64, "F32": .f32, "F16": .f16, "BF16": .bf16, "I64": .i64, "I32": .i32,
    "I16": .i16, "I8": .i8, "U64": .u64, "U32": .u32, "U16": .u16, "U8": .u8, "BOOL": .bool,
  ]
  static let dtypeNames = [
    "F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL",
  ]

  static func read(_ file: MappedFile) throws(FormatError) -> (
    [SafeTensorsEntry], [(key: String, value: String)]
  ) {
    let name = file.displayName
    let bytes = file.bytes
    func fail(_ problem: String) -> FormatError { FormatError(name, problem) }
    guard bytes.count >= 8 else {
      throw fail(
        "not a safetensors file: it has \(bytes.count) bytes, fewer than the 8 of a header length")
    }
    let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
    guard length <= UInt64(bytes.count - 8) else {
      throw fail(
        "not a safetensors file: its header length (\(length) bytes) runs past the end of the file (\(bytes.count) bytes)"
      )
    }
    guard length <= UInt64(SafeTensorsFile.maximumHeader) else {
      throw fail("its header length (\(length) bytes) is over safetensors' limit of 100 MB")
    }
    let dataStart = 8 + Int(length)
    let dataCount = bytes.count - dataStart
    let header: JSONValue
    do {
      header = try JSON.parse(UnsafeRawBufferPointer(rebasing: bytes[8..<dataStart]))
    } catch {
      throw fail("its header is not valid JSON: \(error.message) (at byte \(8 + error.offset))")
    }
    guard case .object(let members) = header else {
      throw fail("its header is \(header.kindName), not an object of tensors")
    }
    var entries: [SafeTensorsEntry] = []
    var metadata: [(key: String, value: String)] = []
    for (key, value) in members {
      if key == "__metadata__" {
        metadata = try readMetadata(value, fail)
        continue
      }
      entries.append(try entry(key, value, dataStart: dataStart, dataCount: dataCount, fail))
    }
    let byStart = entries.sorted {
      ($0.bytes.lowerBound, $0.bytes.upperBound) < ($1.bytes.lowerBound, $1.bytes.upperBound)
    }
    for (a, b) in zip(byStart, byStart.dropFirst()) where b.bytes.lowerBound < a.bytes.upperBound {
      throw fail("the data of tensors '\(a.name)' and '\(b.name)' overlap")
    }
    return (entries, metadata)
  }

  private static func readMetadata(
    _ value: JSONValue, _ fail: (String) -> FormatError
  ) throws(FormatError) -> [(key: String, value: String)] {
    guard case .object(let pairs) = value else {
      throw fail("its '__metadata__' is \(value.kindName), not an object of strings")
    }
    var out: [(key: String, value: String)] = []
    for (key, value) in pairs {
      guard let text = value.string else {
        throw fail("its '__metadata__' entry '\(key)' is \(value.kindName), not a string")
      }
      out.append((key, text))
    }
    return out
  }

  private static func entry(
    _ name: String, _ value: JSONValue, dataStart: Int, dataCount: Int,
    _ fail: (String) -> FormatError
  ) throws(FormatError) -> SafeTensorsEntry {
    guard case .object(let fields) = value else {
      throw fail("tensor '\(name)' is described by \(value.kindName), not an object")
    }
    var dtype: String?
    var shape: [Int]?
    var offsets: [Int]?
    for (key, field) in fields {
      switch key {
      case "dtype":
        guard let text = field.string else {
          throw fail("tensor '\(name)': 'dtype' is not a string")
        }
        dtype = text
      case "shape", "data_offsets":
        guard case .array(let items) = field else {
          throw fail("tensor '\(name)': '\(key)' is \(field.kindName), not a list of integers")
        }
        var numbers: [Int] = []
        for item in items {
          guard let n = item.integer, n >= 0 else {
            throw fail(
              "tensor '\(name)': '\(key)' holds \(item.kindName) that is not an integer >= 0")
          }
          numbers.append(n)
        }
        if key == "shape" { shape = numbers } else { offsets = numbers }
      default:
        throw fail("tensor '\(name)' has the unknown field '\(key)'")
      }
    }
    guard let dtype, let shape, let offsets else {
      let missing = [
        ("dtype", dtype == nil), ("shape", shape == nil), ("data_offsets", offsets == nil),
      ]
      .filter { $0.1 }.map { "'\($0.0)'" }.joined(separator: ", ")
      throw fail("tensor '\(name)' lacks \(missing)")
    }
    guard let type = dtypes[dtype] else {
      throw fail(
        "tensor '\(name)' has dtype '\(dtype)', which ffc does not read (it reads \(dtypeNames.joined(separator: ", ")))"
      )
    }
    guard offsets.count == 2, offsets[0] <= offsets[1] else {
      throw fail(
        "tensor '\(name)': 'data_offsets' must be two integers [begin, end] with begin <= end")
    }
    guard offsets[1] <= dataCount else {
      throw fail(
        "tensor '\(name)': its data [\(offsets[0]), \(offsets[1])) runs past the end of the file (\(dataCount) bytes of data)"
      )
    }
    var count = 1
    for dim in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: dim)
      guard !overflow, product <= dataCount else {
        throw fail(
          "tensor '\(name)': its shape \(shape) holds more elements than the file has bytes")
      }
      count = product
    }
    guard count * type.size == offsets[1] - offsets[0] else {
      throw fail(
        "tensor '\(name)': its shape \(shape) of \(dtype) needs \(count * type.size) bytes, but 'data_offsets' give \(offsets[1] - offsets[0])"
      )
    }
    return SafeTensorsEntry(
      name: name, type: type, shape: shape, bytes: dataStart + offsets[0]..<dataStart + offsets[1])
  }
}

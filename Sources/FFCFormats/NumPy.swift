import FFCTensor

/// NumPy's `.npy` files (format versions 1, 2 and 3): the magic `\x93NUMPY`, a version, a header
/// length, a header that is a Python dict literal (`{'descr': '<f4', 'fortran_order': False,
/// 'shape': (2, 3), }`), then the raw data. Floats, signed and unsigned integers and booleans of
/// either byte order are read, in C or Fortran order, any rank; every length is checked against
/// the file before the data is read, and the file's pages are given back as they are converted,
/// so reading costs the array plus a few megabytes.
public enum NumPy {
  static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

  /// The array of a whole `.npy` file.
  public static func array(_ file: MappedFile) throws(FormatError) -> Tensor {
    try array(file, in: 0..<file.count, member: nil)
  }

  /// The array of a whole `.npy` file as a reference to the file's bytes, converted (and the
  /// pages given back) chunk by chunk when a buffer is filled from it, so a run holds the array
  /// once, in its own precision. A Fortran-order array is converted to C order now.
  public static func stored(_ file: MappedFile, source: String) throws(FormatError) -> StoredTensor
  {
    try stored(file, in: 0..<file.count, member: nil, source: source)
  }

  static func stored(_ file: MappedFile, in range: Range<Int>, member: String?, source: String)
    throws(FormatError) -> StoredTensor
  {
    let (header, first, count) = try locate(file, in: range, member: member)
    if header.fortranOrder && header.shape.count > 1 {
      return StoredTensor(convert(file, header, from: first, count: count), source: source)
    }
    let type = header.type
    let bigEndian = header.bigEndian
    return StoredTensor(
      shape: header.shape, source: source,
      key: "\(file.displayName)@\(first)-\(first + count * type.size)"
    ) { start, count, out in
      let offset = first + start * type.size
      type.convert(
        file.bytes, offset: offset, count: count, bigEndian: bigEndian,
        into: UnsafeMutableBufferPointer(start: out, count: count), at: 0)
      file.release(offset..<offset + count * type.size)
    }
  }

  /// The array stored in `range` of `file` (a whole file, or a member of an `.npz` archive, named
  /// in messages).
  static func array(_ file: MappedFile, in range: Range<Int>, member: String?) throws(FormatError)
    -> Tensor
  {
    let (header, dataStart, count) = try locate(file, in: range, member: member)
    return convert(file, header, from: dataStart, count: count)
  }

  /// The header of the array in `range` of `file`, where its data starts and its element count,
  /// every length checked against the file.
  static func locate(_ file: MappedFile, in range: Range<Int>, member: String?)
    throws(FormatError) -> (NumPyHeader, Int, Int)
  {
    let bytes = file.bytes
    let place = member.map { "member '\($0)': " } ?? ""
    func fail(_ problem: String) -> FormatError { FormatError(file.displayName, place + problem) }
    guard range.count >= 10, Array(bytes[range.lowerBound..<range.lowerBound + 6]) == magic else {
      throw fail("not a .npy file: it does not start with \\x93NUMPY")
    }
    let major = bytes[range.lowerBound + 6]
    let lengthSize: Int
    switch major {
    case 1: lengthSize = 2
    case 2, 3: lengthSize = 4
    default: throw fail("a .npy file of version \(major), which ffc does not read (1, 2 or 3)")
    }
    guard range.count >= 8 + lengthSize else { throw fail("the file ends inside its header") }
    var headerLength = 0
    for i in 0..<lengthSize {
      headerLength |= Int(bytes[range.lowerBound + 8 + i]) << (8 * i)
    }
    let headerStart = range.lowerBound + 8 + lengthSize
    guard headerLength <= range.upperBound - headerStart else {
      throw fail(
        "its header length (\(headerLength) bytes) runs past the end of the file (\(range.count) bytes)"
      )
    }
    let header: NumPyHeader
    do {
      header = try NumPyHeader(bytes[headerStart..<headerStart + headerLength])
    } catch {
      throw fail(error.problem)
    }
    let dataStart = headerStart + headerLength
    guard let count = header.count, count <= Int.max / header.type.size else {
      throw fail("its shape \(header.shape) holds more elements than a file can")
    }
    let needed = count * header.type.size
    guard needed == range.upperBound - dataStart else {
      throw fail(
        "its shape \(header.shape) of \(header.descr) needs \(needed) bytes of data, but the file has \(range.upperBound - dataStart)"
      )
    }
    return (header, dataStart, count)
  }

  private static func convert(
    _ file: MappedFile, _ header: NumPyHeader, from start: Int, count: Int
  )
    -> Tensor
  {
    let type = header.type
    let bytes = file.bytes
    let scalars = [Double](unsafeUninitializedCapacity: count) { out, initialized in
      if header.fortranOrder && header.shape.count > 1 {
        // Fortran order: element (i0, ..., ik) sits at sum(i_j * stride_j) with the first axis
        // varying fastest; the output is written in C order.
        var strides = [Int](repeating: 1, count: header.shape.count)
        for axis in header.shape.indices.dropFirst() {
          strides[axis] = strides[axis - 1] * header.shape[axis - 1]
        }
        var index = [Int](repeating: 0, count: header.shape.count)
        for flat in 0..<count {
          let offset = zip(index, strides).reduce(0) { $0 + $1.0 * $1.1 }
          type.convert(
            bytes, offset: start + offset * type.size, count: 1, bigEndian: header.bigEndian,
            into: out, at: flat)
          Kernels.increment(&index, shape: header.shape)
        }
      } else {
        let chunk = max(1, (1 << 22) / type.size)
        var done = 0
        while done < count {
          let n = min(chunk, count - done)
          let offset = start + done * type.size
          type.convert(
            bytes, offset: offset, count: n, bigEndian: header.bigEndian, into: out, at: done)
          file.release(offset..<offset + n * type.size)
          done += n
        }
      }
      initialized = count
    }
    return Tensor(shape: header.shape, scalars: scalars)
  }
}

/// A `.npy` header: the Python dict literal with exactly the keys 'descr', 'fortran_order' and
/// 'shape', read by hand (strings in quotes, True/False, a tuple of whole numbers).
struct NumPyHeader {
  struct Problem: Error { let problem: String }

  let descr: String
  let type: ElementType
  let bigEndian: Bool
  let fortranOrder: Bool
  let shape: [Int]

  /// The element count, nil when it overflows.
  var count: Int? {
    var total = 1
    for size in shape {
      let (product, overflow) = total.multipliedReportingOverflow(by: size)
      if overflow { return nil }
      total = product
    }
    return total
  }

  init(_ text: UnsafeRawBufferPointer.SubSequence) throws(Problem) {
    guard let header = String(validating: text, as: UTF8.self) else {
      throw Problem(problem: "its header is not UTF-8 text")
    }
    var scanner = PythonLiteralScanner(Array(header.unicodeScalars))
    var descr: String?
    var fortran: Bool?
    var shape: [Int]?
    do {
      try scanner.expect("{")
      while !scanner.take("}") {
        let key = try scanner.string()
        try scanner.expect(":")
        switch key {
        case "descr":
          guard descr == nil else { throw Problem(problem: "its header gives 'descr' twice") }
          descr = try scanner.string()
        case "fortran_order":
          guard fortran == nil else {
            throw Problem(problem: "its header gives 'fortran_order' twice")
          }
          fortran = try scanner.bool()
        case "shape":
          guard shape == nil else { throw Problem(problem: "its header gives 'shape' twice") }
          shape = try scanner.tuple()
        default:
          throw Problem(problem: "its header has the unknown key '\(key)'")
        }
        if !scanner.take(",") {
          try scanner.expect("}")
          break
        }
      }
    } catch let error as PythonLiteralScanner.Failure {
      throw Problem(
        problem:
          "its header is not a dict of 'descr', 'fortran_order' and 'shape': \(error.message)")
    } catch {
      throw error as! Problem
    }
    guard let descr, let fortran, let shape else {
      throw Problem(problem: "its header lacks 'descr', 'fortran_order' or 'shape'")
    }
    (self.descr, self.fortranOrder, self.shape) = (descr, fortran, shape)
    (type, bigEndian) = try Self.elementType(descr)
  }

  /// `<f4`, `>i8`, `|u1`, `|b1`, `=f8`.
  static func elementType(_ descr: String) throws(Problem) -> (ElementType, Bool) {
    let characters = Array(descr)
    let types: [String: ElementType] = [
      "f8": .f64, "f4": .f32, "f2": .f16, "i8": .i64, "i4": .i32, "i2": .i16, "i1": .i8,
      "u8": .u64, "u4": .u32, "u2": .u16, "u1": .u8, "b1": .bool,
    ]
    guard characters.count >= 3, "<>|=".contains(characters[0]),
      let type = types[String(characters[1...])]
    else {
      throw Problem(
        problem:
          "its dtype '\(descr)' is not one ffc reads (floats f2, f4, f8; integers i1-i8, u1-u8; b1)"
      )
    }
    return (type, characters[0] == ">")
  }
}

/// The little of Python's literal syntax a `.npy` header uses.
struct PythonLiteralScanner {
  struct Failure: Error { let message: String }

  let scalars: [Unicode.Scalar]
  var position = 0

  init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

  mutating func skipBlanks() {
    while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
  }

  mutating func take(_ symbol: Unicode.Scalar) -> Bool {
    skipBlanks()
    guard position < scalars.count, scalars[position] == symbol else { return false }
    position += 1
    return true
  }

  mutating func expect(_ symbol: Unicode.Scalar) throws(Failure) {
    guard take(symbol) else { throw Failure(message: "expected '\(symbol)'") }
  }

  mutating func string() throws(Failure) -> String {
    skipBlanks()
    guard position < scalars.count, scalars[position] == "'" || scalars[position] == "\"" else {
      throw Failure(message: "expected a quoted string")
    }
    let quote = scalars[position]
    position += 1
    var out = String.UnicodeScalarView()
    while position < scalars.count, scalars[position] != quote {
      guard scalars[position] != "\\" else { throw Failure(message: "an escape in a string") }
      out.append(scalars[position])
      position += 1
    }
    guard position < scalars.count else { throw Failure(message: "an unterminated string") }
    position += 1
    return String(out)
  }

  mutating func bool() throws(Failure) -> Bool {
    skipBlanks()
    for (word, value) in [("True", true), ("False", false)] {
      let letters = Array(word.unicodeScalars)
      if position + letters.count <= scalars.count,
        Array(scalars[position..<position + letters.count]) == letters
      {
        position += letters.count
        return value
      }
    }
    throw Failure(message: "expected True or False")
  }

  /// `()`, `(3,)`, `(2, 3)`: whole numbers >= 0.
  mutating func tuple() throws(Failure) -> [Int] {
    try expect("(")
    var values: [Int] = []
    while !take(")") {
      skipBlanks()
      let start = position
      while position < scalars.count, ("0"..."9").contains(scalars[position]) { position += 1 }
      guard position > start, position - start <= 19,
        let value = Int(String(String.UnicodeScalarView(scalars[start..<position])))
      else { throw Failure(message: "expected a whole number in the shape") }
      values.append(value)
      if !take(",") {
        try expect(")")
        break
      }
    }
    return values
  }
}

import FFCIR

/// Reads back a literal the writer laid out (`LiteralLayout`), straight from its bytes, and says
/// whether it holds exactly `value`: the same nesting and shape, and every number converting to
/// the same value (in f32, the same Float), by the conversion the parser uses. It is the save's
/// check of its numbers, at the cost of one conversion per number: the program around the
/// literals is checked by lowering it with each large literal replaced by a scalar.
///
/// It accepts only what the layout writes (brackets, numbers with an optional sign, one comma
/// between elements, blanks and line breaks), so anything it accepts the parser reads as the
/// same list.
enum LiteralReadBack {
  static func matches(_ bytes: ArraySlice<UInt8>, _ value: Tensor, precision: Precision) -> Bool {
    var reader = Reader(bytes: bytes, value: value, precision: precision)
    return reader.read()
  }

  private struct Reader {
    let bytes: ArraySlice<UInt8>
    let value: Tensor
    let precision: Precision
    /// Elements read so far, and the open lists' element counts, outermost first.
    var readCount = 0
    var counts: [Int] = []
    /// The length of each axis, as the first list closed at that depth found it.
    var shape: [Int?]

    init(bytes: ArraySlice<UInt8>, value: Tensor, precision: Precision) {
      self.bytes = bytes
      self.value = value
      self.precision = precision
      shape = [Int?](repeating: nil, count: value.rank)
    }

    mutating func read() -> Bool {
      var index = bytes.startIndex
      // After '[' or ',' an element comes next; after an element, ',' or ']'.
      var expectsElement = true
      var topLevelElements = 0
      while index < bytes.endIndex {
        switch bytes[index] {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
          index += 1
        case UInt8(ascii: "["):
          guard expectsElement, counts.count < value.rank else { return false }
          if counts.isEmpty { topLevelElements += 1 }
          counts.append(0)
          index += 1
          expectsElement = true
        case UInt8(ascii: "]"):
          guard !expectsElement, let count = counts.popLast() else { return false }
          let depth = counts.count
          if let known = shape[depth], known != count { return false }
          shape[depth] = count
          if !counts.isEmpty { counts[counts.count - 1] += 1 }
          index += 1
        case UInt8(ascii: ","):
          guard !expectsElement, !counts.isEmpty else { return false }
          index += 1
          expectsElement = true
        default:
          guard expectsElement, counts.count == value.rank, number(&index) else { return false }
          if counts.isEmpty { topLevelElements += 1 } else { counts[counts.count - 1] += 1 }
          expectsElement = false
        }
      }
      return counts.isEmpty && topLevelElements == 1 && readCount == value.count
        && shape.map { $0 ?? -1 } == value.shape
    }

    /// One number at `index` (an optional sign, then digits, '.', exponents), compared with the
    /// next element of the value.
    private mutating func number(_ index: inout Int) -> Bool {
      let start = index
      while index < bytes.endIndex, Self.isNumberByte(bytes[index]) {
        index += 1
      }
      guard index > start, readCount < value.count,
        let x = Double(String(decoding: bytes[start..<index], as: UTF8.self)), x.isFinite
      else { return false }
      let expected = value.scalars[readCount]
      readCount += 1
      guard precision == .f32 else { return x.bitPattern == expected.bitPattern }
      return Float(x).bitPattern == Float(expected).bitPattern
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"),
        UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-"):
        true
      default: false
      }
    }
  }
}

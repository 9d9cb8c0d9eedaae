/// Numbers in data files and `--set`: decimal notation only (`3`, `-0.5`, `1e-3`). Swift's
/// `Double(String)` also reads hexadecimal (`0x10` is 16), which in a data file is far more likely
/// a mistake than a value; it is refused. `nan` and `inf` are read, so that the caller can say they
/// are not finite rather than not numbers.
enum DecimalNumber {
  static func parse(_ text: String) -> Double? {
    guard let value = Double(text) else { return nil }
    if !value.isFinite { return value }
    let decimal = text.utf8.allSatisfy { byte in
      (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: ".")
        || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") || byte == UInt8(ascii: "+")
        || byte == UInt8(ascii: "-")
    }
    return decimal ? value : nil
  }
}

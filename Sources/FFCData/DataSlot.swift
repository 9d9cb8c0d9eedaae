import FFCIR

/// A data declaration that can take CSV columns: one example of it is `exampleShape`, read from
/// `width` columns in row-major order.
struct DataSlot {
  let declaration: Declaration
  /// The declared shape without the batch axis (batch layout), or all of it (per example).
  let exampleShape: [Int]
  /// The product of `exampleShape`; Int.max when it overflows (it then never fits a file).
  let width: Int
  /// The symbol of the batch axis, bound to the row count (batch layout only).
  let batchSymbol: String?
  /// Where the batch axis sits in the declared shape: 0 for `X[N, 4]` (examples as rows), 1 for
  /// `X[4, N]` (examples as columns, the convention of course material 004).
  let batchAxis: Int

  var name: String { declaration.name }

  init(_ declaration: Declaration, exampleShape: [Int], batchSymbol: String?, batchAxis: Int = 0) {
    self.batchAxis = batchAxis
    self.declaration = declaration
    self.exampleShape = exampleShape
    self.width = elementCount(exampleShape) ?? Int.max
    self.batchSymbol = batchSymbol
  }

  /// `X: 4` in a list of widths.
  var widthText: String { "\(name): \(width)" }
}

/// The product of sizes; nil when one is negative or the product overflows.
func elementCount(_ sizes: [Int]) -> Int? {
  var count = 1
  for size in sizes {
    guard size >= 0 else { return nil }
    let (product, overflow) = count.multipliedReportingOverflow(by: size)
    if overflow { return nil }
    count = product
  }
  return count
}

/// A sum that stops at Int.max instead of trapping.
func saturatingSum(_ values: [Int]) -> Int {
  var total = 0
  for value in values {
    let (sum, overflow) = total.addingReportingOverflow(value)
    if overflow { return Int.max }
    total = sum
  }
  return total
}

extension DeclarationKind {
  /// Input, target and label declarations are data: fed when the program runs.
  var isData: Bool { self == .input || self == .target || self == .label }
}

/// `1 row`, `150 rows`.
func plural(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}

import FFCTensor

/// The options more than one command takes, declared once. A command lists them in its option
/// table, giving some a help line of its own where they do something particular there.
extension Option where Value == Bool {
  static let help = Option(flag: "-h", "--help", help: "show this help")

  /// `-O0` turns the optimizer off, `-O1` (the default) on.
  static let optimization = Option(
    [
      Row(names: ["-O0"], help: "turn the optimizer off"),
      Row(names: ["-O1"], help: "optimize (the default)"),
    ],
    form: .flag([false, true]), default: true)

  static let checkNumerics = Option(
    flag: "--check-numerics", help: "stop at the first value that is NaN or infinite and name it")
}

/// When diagnostics are coloured.
enum ColorChoice: String, CaseIterable, Sendable {
  case auto, always, never
}

extension Option where Value == ColorChoice {
  static let color = Option(
    "--color", choosing: "<when>", default: .auto,
    help: "colour diagnostics: auto (default), always, never")
}

extension Option where Value == Precision {
  static let precision = Option(
    "--precision", choosing: "<p>", default: .f32, help: "f32 (default) or f64")
}

extension Option where Value == UInt64 {
  static let seed = Option(
    "--seed", placeholder: "<n>", expected: "a whole number ≥ 0", default: 0,
    help: "seed for random parameter initialisers (default 0)", read: { UInt64($0) })
}

extension Option where Value == String? {
  static let data = Option(
    "--data", file: "<file>",
    help: """
      read inputs, targets and labels from a CSV file, or from NumPy arrays:
      X=x.npy for each (repeat --data), or one .npz named like them
      """)
}

extension Option where Value == String {
  /// `--set x=1,2,3`: checked when the program's declarations are known (RunInputs).
  static let set = Option(
    "--set", placeholder: "<name>=<values>", expected: "<name>=<values>", default: "",
    repeatable: true,
    help: """
      give a declaration's value: numbers separated by commas in row-major
      order, brackets optional (--set x=1,1,1, --set 'W=[[1,2],[3,4]]');
      a symbolic size such as N is inferred from the count; repeatable
      """, read: { $0 })
}

extension Option where Value == Double? {
  /// A positive number, such as a learning rate.
  static func positive(_ name: String, placeholder: String = "<x>", help: String) -> Self {
    // Unbounded above but for the largest double: the bound a number such as 1e400 breaks.
    number(
      name, placeholder: placeholder,
      expected: "a number above 0 (finite: at most about 1.8e308)", help: help
    ) { $0 > 0 }
  }

  /// A finite number for which `valid` holds; `expected` says which, for the error.
  static func number(
    _ name: String, placeholder: String, expected: String, help: String,
    where valid: @escaping @Sendable (Double) -> Bool
  ) -> Self {
    // The reader's nil is "not a value"; a number is `.some(.some(x))`, never `.some(nil)`.
    Option(name, placeholder: placeholder, expected: expected, default: nil, help: help) {
      text -> Double?? in
      guard let x = Double(text), x.isFinite, valid(x) else { return .none }
      return x
    }
  }

  static let learningRate = positive("--lr", help: "the learning rate")
}

extension Option where Value == Int? {
  /// A whole number from `minimum` up to `maximum`, nil when not given.
  static func count(
    _ name: String, from minimum: Int, to maximum: Int = .max, help: String
  ) -> Self {
    Option(
      name, placeholder: "<n>",
      expected:
        "a whole number from \(minimum) to \(maximum == .max ? "2^63 - 1" : String(maximum))",
      default: nil, help: help
    ) { text -> Int?? in
      guard let n = Int(text), (minimum...maximum).contains(n) else { return .none }
      return n
    }
  }
}

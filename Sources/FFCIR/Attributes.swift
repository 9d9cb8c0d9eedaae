import FFCTensor

/// A value attached to a node (an axis list, a shape, a constant). Doubles compare by bit pattern so
/// that hash-consing never merges 0.0 with -0.0 or loses a NaN.
public enum AttributeValue: Hashable, Sendable {
  case int(Int)
  case ints([Int])
  case double(Double)
  case bool(Bool)
  case string(String)
  case shape(Shape)
  case tensor(Tensor)
  /// The expression a `fused` node computes.
  case program(ElementwiseProgram)
  /// The backward a function states for itself (`custom_vjp`).
  case derivative(CustomDerivative)

  public static func == (a: AttributeValue, b: AttributeValue) -> Bool {
    switch (a, b) {
    case (.int(let x), .int(let y)): x == y
    case (.ints(let x), .ints(let y)): x == y
    case (.double(let x), .double(let y)): x.bitPattern == y.bitPattern
    case (.bool(let x), .bool(let y)): x == y
    case (.string(let x), .string(let y)): x == y
    case (.shape(let x), .shape(let y)): x == y
    case (.tensor(let x), .tensor(let y)): x.identical(to: y)
    case (.program(let x), .program(let y)): x == y
    case (.derivative(let x), .derivative(let y)): x == y
    default: false
    }
  }

  public func hash(into hasher: inout Hasher) {
    switch self {
    case .int(let x):
      hasher.combine(0)
      hasher.combine(x)
    case .ints(let x):
      hasher.combine(1)
      hasher.combine(x)
    case .double(let x):
      hasher.combine(2)
      hasher.combine(x.bitPattern)
    case .bool(let x):
      hasher.combine(3)
      hasher.combine(x)
    case .string(let x):
      hasher.combine(4)
      hasher.combine(x)
    case .shape(let x):
      hasher.combine(5)
      hasher.combine(x)
    case .tensor(let x):
      hasher.combine(6)
      hasher.combine(x)
    case .program(let x):
      hasher.combine(7)
      hasher.combine(x)
    case .derivative(let x):
      hasher.combine(8)
      hasher.combine(x)
    }
  }

  public var description: String {
    switch self {
    case .int(let x): String(x)
    case .ints(let x): "[" + x.map(String.init).joined(separator: ", ") + "]"
    case .double(let x): TensorFormat.number(x)
    case .bool(let x): String(x)
    case .string(let x): x
    case .shape(let x): x.description
    case .tensor(let x): TensorFormat.literal(x)
    case .program(let x): x.description
    case .derivative(let x): x.description
    }
  }
}

/// A node's attributes, kept sorted by key: printing and hashing never depend on insertion order.
public struct Attributes: Hashable, Sendable {
  public struct Entry: Hashable, Sendable {
    public let key: String
    public let value: AttributeValue
  }

  public private(set) var entries: [Entry] = []

  public static let none = Attributes()

  public init() {}

  /// The pairs sorted by key (a later pair replaces an earlier one with its key), sorted once:
  /// setting them one by one sorted the entries anew at each (an attribute set is made for every
  /// leaf, constant and broadcast a program builds).
  public init(_ pairs: [(String, AttributeValue)]) {
    entries.reserveCapacity(pairs.count)
    for (key, value) in pairs {
      if let position = entries.firstIndex(where: { $0.key == key }) {
        entries[position] = Entry(key: key, value: value)
      } else {
        entries.append(Entry(key: key, value: value))
      }
    }
    if entries.count > 1 { entries.sort { $0.key < $1.key } }
  }

  public subscript(key: String) -> AttributeValue? {
    get {
      // By index, each key compared in place: `first(where:)` copied every entry it passed (its
      // key and value retained), at every attribute a shape rule or a kernel reads.
      for index in entries.indices where entries[index].key == key { return entries[index].value }
      return nil
    }
    set {
      entries.removeAll { $0.key == key }
      if let newValue {
        entries.append(Entry(key: key, value: newValue))
        entries.sort { $0.key < $1.key }
      }
    }
  }

  public var isEmpty: Bool { entries.isEmpty }

  // Typed accessors with defaults: attributes are made by the op's own code, so a missing one
  // means the default.
  public func int(_ key: String, default value: Int = 0) -> Int {
    if case .int(let x)? = self[key] { return x }
    return value
  }
  public func ints(_ key: String) -> [Int] {
    if case .ints(let x)? = self[key] { return x }
    return []
  }
  public func double(_ key: String, default value: Double = 0) -> Double {
    if case .double(let x)? = self[key] { return x }
    return value
  }
  public func bool(_ key: String) -> Bool {
    if case .bool(let x)? = self[key] { return x }
    return false
  }
  public func string(_ key: String) -> String {
    if case .string(let x)? = self[key] { return x }
    return ""
  }
  public func shape(_ key: String) -> Shape {
    if case .shape(let x)? = self[key] { return x }
    return .scalar
  }
  public func tensor(_ key: String) -> Tensor? {
    if case .tensor(let x)? = self[key] { return x }
    return nil
  }
  public func program(_ key: String) -> ElementwiseProgram {
    if case .program(let x)? = self[key] { return x }
    return ElementwiseProgram([])
  }

  /// The printer's form, with large constants summarised.
  public var summaryText: String {
    entries.map { entry in
      if case .tensor(let t) = entry.value { return "\(entry.key)=\(TensorFormat.summary(t))" }
      return "\(entry.key)=\(entry.value.description)"
    }.joined(separator: ", ")
  }

  /// `axes=[0], keepdims=true`: the printer's form.
  public var text: String {
    entries.map { "\($0.key)=\($0.value.description)" }.joined(separator: ", ")
  }
}

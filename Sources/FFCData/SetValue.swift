import FFCIR

/// `--set name=values`: one declaration's value from the command line.
///
/// - `name` is any declaration but a const (input, target, label or param). Spaces around the
///   name, '=' and the values are ignored.
/// - The values are numbers separated by ','. Brackets may group them (`W=[[2,-3,0],[-1,1,2]]`)
///   but are only checked for balance: the values are read in row-major order and take the
///   declared shape, so their count must be exactly the declared element count.
/// - With one symbolic dimension (`X[N, 2]`) the count must be a multiple of the other
///   dimensions' product, which fixes the symbol (`X=0,0,0,1,1,0,1,1` makes N = 4). A shape with
///   two symbolic dimensions cannot be set.
/// - Labels follow the same rules as in a CSV file (`LabelRule`).
public enum SetValue {
  public static func parse(_ text: String, graph: Graph) throws(Diagnostic) -> (
    name: String, value: Tensor
  ) {
    let option = optionText(text)
    guard let equals = text.firstIndex(of: "=") else {
      throw .setSyntax(option, "expected name=values, such as --set x=1,2,3")
    }
    let name = trimmed(text[..<equals])
    guard !name.isEmpty else { throw .setSyntax(option, "the name before '=' is missing") }
    guard let declaration = graph.declarations.first(where: { $0.name == name }) else {
      if graph.nodes.contains(where: { $0.name == name && !$0.isGradient }) {
        throw .setComputed(option, name)
      }
      let names = graph.declarations.filter { $0.kind != .const }.map(\.name)
      throw .setUnknownName(option, name, suggestion: EditDistance.closest(to: name, in: names))
    }
    guard declaration.kind != .const else { throw .setConst(option, name) }

    let (values, nesting) = try numbers(text[text.index(after: equals)...], option: option)
    if let nesting { try checkNesting(nesting, declaration, option: option) }
    let value = try shaped(values, declaration, option: option)
    if let rule = LabelRule.rule(for: declaration, classes: graph.labelClasses()) {
      for x in value.scalars {
        switch rule.check(x, subject: "'\(name)'") {
        case .notWhole(let message)?: throw .setLabelNotWhole(option, message)
        case .outOfRange(let message)?: throw .setLabelRange(option, message)
        case nil: continue
        }
      }
    }
    return (name, value)
  }

  /// `--set x=1,2`, shortened when long, so messages stay one line.
  static func optionText(_ text: String) -> String {
    let shown = trimmed(Substring(text))
    return "--set " + (shown.count > 40 ? String(shown.prefix(37)) + "..." : shown)
  }

  /// The values in the declared shape; the count fixes a single symbolic dimension.
  private static func shaped(_ values: [Double], _ declaration: Declaration, option: String)
    throws(Diagnostic) -> Tensor
  {
    let name = declaration.name
    let shape = declaration.shape
    let symbolic = shape.dims.indices.filter { shape.dims[$0].value == nil }
    let fixed = shape.dims.compactMap(\.value)
    guard let size = elementCount(fixed) else {
      throw .setShape(option, "'\(name)' is declared \(shape), which is not a valid shape")
    }
    switch symbolic.count {
    case 0:
      guard size == values.count else {
        throw .setCount(
          option,
          "'\(name)' is declared \(shape), so --set \(name) needs \(plural(size, "value")); got \(values.count)"
        )
      }
      return Tensor(shape: fixed, scalars: values)
    case 1:
      guard size > 0, values.count % size == 0 else {
        throw .setCount(
          option,
          "'\(name)' is declared \(shape), so --set \(name) needs a multiple of \(plural(size, "value")); got \(values.count)"
        )
      }
      var sizes = shape.dims.map { $0.value ?? 0 }
      sizes[symbolic[0]] = values.count / size
      return Tensor(shape: sizes, scalars: values)
    default:
      throw .setShape(
        option,
        "'\(name)' is declared \(shape), with \(symbolic.count) symbolic dimensions, so its shape cannot be inferred from a list of values"
      )
    }
  }

  /// What came before the scanner's current position, for syntax checks.
  private enum Last { case start, open, comma, value, close }

  /// Brackets, when given, must nest like the declared shape: `[[1, 2, 3], [4, 5, 6]]` is [2, 3].
  private static func checkNesting(_ nesting: [Int], _ declaration: Declaration, option: String)
    throws(Diagnostic)
  {
    let shape = declaration.shape
    let matches =
      nesting.count == shape.rank
      && zip(nesting, shape.dims).allSatisfy { size, dim in dim.value.map { $0 == size } ?? true }
    guard matches else {
      throw .setCount(
        option,
        "the brackets make a value of shape \(Shape(nesting)), but '\(declaration.name)' is declared \(shape)"
      )
    }
  }

  /// Numbers separated by ',', and the shape their brackets make (nil without brackets). Lists at
  /// one depth must have one length, and every number must sit at the deepest level.
  private static func numbers(_ text: Substring, option: String) throws(Diagnostic) -> (
    values: [Double], nesting: [Int]?
  ) {
    var values: [Double] = []
    var open: [Int] = []
    var lengths: [Int?] = []
    var valueDepths = Set<Int>()
    var usedBrackets = false
    var topLevelItems = 0
    var depth = 0
    var last = Last.start
    var i = text.startIndex
    while i < text.endIndex {
      let c = text[i]
      if c == " " || c == "\t" {
        i = text.index(after: i)
        continue
      }
      switch c {
      case "[":
        guard last != .value, last != .close else {
          throw .setSyntax(option, "expected ',' before '['")
        }
        if open.isEmpty { topLevelItems += 1 } else { open[open.count - 1] += 1 }
        open.append(0)
        usedBrackets = true
        depth += 1
        last = .open
      case "]":
        guard depth > 0 else { throw .setSyntax(option, "']' has no '[' to close") }
        guard last != .comma else { throw .setSyntax(option, "a value is missing before ']'") }
        depth -= 1
        let count = open.removeLast()
        while lengths.count <= depth { lengths.append(nil) }
        if let known = lengths[depth], known != count {
          throw .setShape(
            option, "lists at one level must have one length; found \(known) and \(count)")
        }
        lengths[depth] = count
        last = .close
      case ",":
        guard last == .value || last == .close else {
          throw .setSyntax(option, "a value is missing before ','")
        }
        last = .comma
      default:
        var end = i
        while end < text.endIndex, !" \t,[]".contains(text[end]) { end = text.index(after: end) }
        let token = String(text[i..<end])
        guard last != .value, last != .close else {
          throw .setSyntax(option, "expected ',' before '\(token)'")
        }
        guard let value = DecimalNumber.parse(token) else { throw .setNotANumber(option, token) }
        guard value.isFinite else { throw .setNotFinite(option, token) }
        values.append(value)
        if open.isEmpty { topLevelItems += 1 } else { open[open.count - 1] += 1 }
        valueDepths.insert(depth)
        last = .value
        i = end
        continue
      }
      i = text.index(after: i)
    }
    guard depth == 0 else { throw .setSyntax(option, "a '[' is not closed") }
    guard last != .comma else { throw .setSyntax(option, "a value is missing after the last ','") }
    guard !values.isEmpty else { throw .setSyntax(option, "no values after '='") }
    guard usedBrackets else { return (values, nil) }
    guard topLevelItems == 1 else {
      throw .setSyntax(
        option, "put the whole value inside one pair of brackets, such as [[1, 2], [3, 4]]")
    }
    guard valueDepths == [lengths.count] else {
      throw .setShape(option, "every number must sit at the same depth of brackets")
    }
    return (values, lengths.map { $0 ?? 0 })
  }

  private static func trimmed(_ text: Substring) -> String {
    var text = text
    while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
    while let last = text.last, last == " " || last == "\t" { text.removeLast() }
    return String(text)
  }

}

import FFCDiagnostics
import FFCFormats
import FFCIR

/// What the frontend hands on: the forward graph (when the program had no errors), every
/// diagnostic, errors and warnings, in source order, and where the source gives each parameter its
/// value (for `ProgramWriter`).
public struct FrontendResult {
  public let graph: Graph?
  public let diagnostics: [Diagnostic]
  public let valueSites: ValueSites
  /// The `jvp`, `jacobian` and `hessian` calls, for `ffc check`.
  public var derivativeSites: [DerivativeSite] = []
  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }
}

public enum Frontend {
  /// Source text to forward graph: lex, parse, resolve names, infer shapes, build the graph.
  /// `weights` says where `load(...)` finds its tensors (the files on disk unless told); `budget`
  /// bounds what `jacobian` and `hessian` may build (the machine's memory unless told).
  public static func lower(
    _ file: SourceFile, weights: WeightSource = .files,
    budget: DerivativeBudget = .ofThisProcess
  ) -> FrontendResult {
    let (program, parseDiagnostics) = Parser.parse(file)
    var lowering = Lowering(file: file, weights: weights, budget: budget)
    lowering.diagnostics.add(contentsOf: parseDiagnostics)
    lowering.lower(program)
    let graph = lowering.diagnostics.hasErrors ? nil : lowering.finishedGraph()
    return FrontendResult(
      graph: graph, diagnostics: lowering.diagnostics.sorted,
      valueSites: ValueSites(byDeclaration: lowering.valueSites),
      derivativeSites: lowering.derivativeSites)
  }

  /// The graph's name: the file's base name without its extension.
  static func graphName(_ path: String) -> String {
    if path == "<stdin>" { return "stdin" }
    let base = path.split(separator: "/").last.map(String.init) ?? path
    guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return base }
    return String(base[..<dot])
  }
}

/// A name in scope: a node, or nothing when its definition had an error (uses of it then report
/// nothing more, so one mistake gives one message).
struct Binding {
  let node: NodeID?
  let range: SourceRange?
}

struct Lowering {
  let file: SourceFile
  /// The graph being built (a scratch one while a `derivative` clause is lowered).
  var builder = GraphBuilder()
  var diagnostics = DiagnosticBag()
  var scope: [String: Binding] = [:]
  /// Names in definition order, for suggestions and for deterministic iteration.
  var scopeOrder: [String] = []
  var declarations: [Declaration] = []
  var outputs: [NamedValue] = []
  /// `y = h`: names of values named already (see `Graph.aliases`).
  var aliases: [Alias] = []
  var loss: NamedValue?
  var lossRange: SourceRange?
  /// Sizes that default values give symbolic dimensions: symbol -> (size, declaration, where).
  var symbolSizes: [String: (Int, String, SourceRange)] = [:]
  /// Where each parameter's value is written, by the parameter's index among the declarations.
  var valueSites: [Int: ValueSite] = [:]
  let weights: WeightSource
  /// The safetensors files `load` opened, by the name the program gives (nil: it failed).
  var openedWeights: [String: SafeTensorsFile?] = [:]
  var derivativeSites: [DerivativeSite] = []
  /// The functions defined so far, and every function the program defines (to tell a use before
  /// the definition from an unknown name).
  var functions: [String: FunctionEntry] = [:]
  var functionOrder: [String] = []
  var laterFunctions: [String: SourceRange] = [:]
  /// Inside a function's body: what the names it makes are prefixed with (`b1.`).
  var namePrefix = ""
  /// The name the statement being lowered defines, and how many function calls it has made: the
  /// calls' names are prefixed with it.
  var statementTarget: String?
  var callsInStatement = 0
  var callDepth = 0
  /// `param b1.h.W = ...` lines, applied when the program is lowered (`applyOverrides`).
  var overrides: [ParameterOverride] = []
  /// Where `train --save` adds override lines (`functionSite`).
  let overrideOffset: Int
  /// How many bodies the calls so far inlined (bounded by `mostCalls`).
  var inlinedCalls = 0

  /// What `jacobian` and `hessian` may build (`DerivativeBudget`).
  let budget: DerivativeBudget

  init(
    file: SourceFile, weights: WeightSource = .files,
    budget: DerivativeBudget = .ofThisProcess
  ) {
    self.file = file
    self.weights = weights
    self.budget = budget
    self.overrideOffset = Self.overrideOffset(file.text)
  }

  mutating func lower(_ program: Program) {
    for (statement, _) in program.statements {
      if case .function(let definition) = statement, laterFunctions[definition.name] == nil {
        laterFunctions[definition.name] = definition.nameRange
      }
    }
    for (statement, range) in program.statements {
      statementTarget = nil
      callsInStatement = 0
      lowerStatement(statement, range)
    }
    applyOverrides()
  }

  mutating func lowerStatement(_ statement: Statement, _ range: SourceRange) {
    builder.currentLocation = range
    switch statement {
    case .declaration(let kind, let name, let nameRange, let shape, let value):
      declare(
        kind: kind, name: name, nameRange: nameRange, shape: shape, value: value, statement: range)
    case .assignment(let name, let nameRange, let value):
      assign(name, nameRange, value)
    case .output(let names, let value):
      output(names, value)
    case .loss(let name, let nameRange, let value):
      declareLoss(name, nameRange, value)
    case .invalid(let name, let nameRange):
      if scope[name] == nil { _ = bind(name, nil, at: nameRange) }
    case .function(let definition):
      define(definition)
      if functions[definition.name] != nil, !functionOrder.contains(definition.name) {
        functionOrder.append(definition.name)
      }
    case .returnValue(let value):
      diagnostics.add(.returnOutsideFunction(at: value.range))
    case .derivative(let clause):
      diagnostics.add(.derivativeOutsideFunction(at: clause.keywordRange))
    }
  }

  func finishedGraph() -> Graph {
    var graph = builder.graph(
      name: Frontend.graphName(file.path), declarations: declarations, outputs: outputs, loss: loss)
    graph.aliases = aliases
    let fanIn = fanInAxes(graph)
    graph.declarations = declarations.map {
      $0.kind == .param ? fanIn[$0.node.index].map($0.withFanInAxis) ?? $0 : $0
    }
    return graph
  }

  // MARK: Names

  mutating func bind(_ name: String, _ node: NodeID?, at range: SourceRange) -> Bool {
    if let previous = scope[name] {
      diagnostics.add(.duplicateName(name, at: range, previous: previous.range))
      return false
    }
    scope[name] = Binding(node: node, range: range)
    scopeOrder.append(name)
    return true
  }

  /// The name a value made here has in the graph: inside a function, prefixed with its call.
  func qualified(_ name: String) -> String { namePrefix + name }

  mutating func assign(_ name: String, _ nameRange: SourceRange, _ value: Expression) {
    statementTarget = name
    callsInStatement = 0
    let node: NodeID?
    if case .call(let callee, let arguments) = value.nodes[value.root].kind, callee == "dense" {
      node = lowerDense(name, nameRange, arguments, value)
    } else {
      node = lowerExpression(value)
    }
    if let node, builder[node].name == nil, !builder[node].op.isLeaf {
      builder.rename(node, qualified(name))
    } else if let node, builder[node].name != nil {
      aliases.append(Alias(qualified(name), node, at: builder.currentLocation))
    }
    if node == nil && !diagnostics.hasErrors {
      // Never drop a statement silently: a failure without a message is a bug, reported as such.
      diagnostics.add(
        .internalError(
          in: "lowering", "ffc could not compile the value of '\(name)' and gave no reason",
          at: value.range))
    }
    _ = bind(name, node, at: nameRange)
  }

  mutating func output(_ names: [(String, SourceRange)], _ value: Expression?) {
    if let value, let (name, range) = names.first {
      assign(name, range, value)
    }
    for (name, range) in names {
      guard let node = lookUp(name, at: range) else { continue }
      guard !outputs.contains(where: { $0.name == name }) else {
        diagnostics.add(
          .duplicateName(name, at: range, previous: nil).replacingMessage(
            "'\(name)' is already an output"))
        continue
      }
      outputs.append(NamedValue(name, node))
    }
  }

  mutating func declareLoss(_ name: String, _ nameRange: SourceRange, _ value: Expression?) {
    if loss != nil {
      diagnostics.add(.secondLoss(name, at: nameRange, first: lossRange))
      return
    }
    if let value { assign(name, nameRange, value) }
    guard let node = lookUp(name, at: nameRange) else { return }
    guard builder[node].shape.rank == 0 else {
      diagnostics.add(
        .lossNotScalar(name, shape: builder[node].shape.description, at: value?.range ?? nameRange))
      return
    }
    loss = NamedValue(name, node)
    lossRange = nameRange
  }

  /// The node bound to `name`; reports an unknown name (with a suggestion) and returns nil.
  mutating func lookUp(_ name: String, at range: SourceRange) -> NodeID? {
    guard let binding = scope[name] else {
      diagnostics.add(
        .unknownName(name, suggestion: EditDistance.closest(to: name, in: scopeOrder), at: range))
      return nil
    }
    return binding.node
  }

  /// He initialisation needs the fan-in: the axis of a weight matrix that meets the data in its
  /// first product, as that op's `fanIn` rule says. One pass over the nodes.
  func fanInAxes(_ graph: Graph) -> [Int?] {
    var axes = [Int?](repeating: nil, count: graph.nodes.count)
    for node in graph.nodes {
      for (weight, axis) in node.op.fanIn?(node, graph) ?? [] where axes[weight.index] == nil {
        axes[weight.index] = axis
      }
    }
    return axes
  }
}

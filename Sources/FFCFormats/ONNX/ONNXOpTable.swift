import FFCIR
import FFCTensor

/// What a lowering gets: the ONNX names of the node's operands, their shapes, the node's own
/// shape and attributes.
struct ONNXOperands {
  let names: [String]
  let shapes: [Shape]
  let shape: Shape
  let attributes: Attributes
  var x: String { names[0] }
}

/// Emits the ONNX nodes that compute one ffc node and returns the name of the value they make.
typealias ONNXLowering = @Sendable (inout ONNXEmitter, ONNXOperands) throws -> String

/// How each ffc op is written in ONNX (opset `ONNXExport.opset`), keyed by the op's name. The
/// table lives here, not on `Op`, because the IR must not know the formats and ONNX is one format
/// among several; `ONNXOpTableTests` checks that every op of the registry is either in it or
/// made only for execution (`fused`, never exported: the export takes the graph before fusion).
enum ONNXOpTable {
  static func lowering(for op: Op) -> ONNXLowering? { table[op.name] }

  static let table: [String: ONNXLowering] = {
    var table: [String: ONNXLowering] = [:]
    for (name, opType) in [
      ("neg", "Neg"), ("exp", "Exp"), ("log", "Log"), ("sqrt", "Sqrt"), ("abs", "Abs"),
      ("sin", "Sin"), ("cos", "Cos"), ("tanh", "Tanh"), ("sigmoid", "Sigmoid"), ("relu", "Relu"),
      ("softplus", "Softplus"), ("sign", "Sign"),
    ] {
      table[name] = { e, o in e.emit(opType, [o.x]) }
    }
    for (name, opType) in [
      ("add", "Add"), ("sub", "Sub"), ("mul", "Mul"), ("div", "Div"), ("pow", "Pow"),
    ] {
      table[name] = { e, o in e.emit(opType, o.names) }
    }
    for (name, opType) in [("sum", "ReduceSum"), ("mean", "ReduceMean"), ("max", "ReduceMax")] {
      table[name] = { e, o in reduction(&e, o, opType) }
    }
    table.merge(elementwise, uniquingKeysWith: { first, _ in first })
    table.merge(structural, uniquingKeysWith: { first, _ in first })
    return table
  }()

  /// Elementwise ops that are a small subgraph in ONNX.
  static let elementwise: [String: ONNXLowering] = [
    "square": { e, o in e.emit("Mul", [o.x, o.x]) },
    "leaky_relu": { e, o in
      e.emit("LeakyRelu", [o.x], [.float("alpha", o.attributes.double("alpha", default: 0.01))])
    },
    "hard_tanh": { e, o in e.emit("Clip", [o.x, e.scalar(-1), e.scalar(1)]) },
    "step": { e, o in positive(&e, o.x) },
    "leaky_step": { e, o in
      let alpha = e.scalar(Float(o.attributes.double("alpha", default: 0.01)))
      return e.emit("Where", [e.emit("Greater", [o.x, e.scalar(0)]), e.scalar(1), alpha])
    },
    "equal": { e, o in
      e.emit("Cast", [e.emit("Equal", o.names)], [.int("to", ONNXDataType.float.rawValue)])
    },
    // Rows for ops on other branches of issue 14 as they stand (`prelu`, `stop_gradient`): a
    // name not in the registry is never looked up, and the coverage test holds when they land.
    "prelu": { e, o in
      let scaled = e.emit("Mul", [o.names[1], o.x])
      return e.emit("Where", [e.emit("Greater", [o.x, e.scalar(0)]), o.x, scaled])
    },
    "stop_gradient": { e, o in e.emit("Identity", [o.x]) },
    // A function's stated derivative: the forward value; its backward is ordinary ops once
    // differentiated (and the simplifier drops the op before export in any case).
    "custom_vjp": { e, o in e.emit("Identity", [o.x]) },
    "where": { e, o in
      e.emit("Where", [e.emit("Greater", [o.x, e.scalar(0)]), o.names[1], o.names[2]])
    },
    // log1p and expm1 as Kahan's corrections of log(1 + x) and exp(x) - 1, which keep the digits
    // of a tiny x that 1 + x rounds away: log1p(x) = x · log(u) / (u - 1) with u = 1 + x.
    "log1p": { e, o in
      let u = e.emit("Add", [o.x, e.scalar(1)])
      let ratio = e.emit("Div", [e.emit("Log", [u]), e.emit("Sub", [u, e.scalar(1)])])
      let corrected = e.emit("Mul", [o.x, ratio])
      return e.emit("Where", [e.emit("Equal", [u, e.scalar(1)]), o.x, corrected])
    },
    // expm1(x) = (u - 1) · x / log(u) with u = exp(x); x where u rounds to 1, -1 where to 0.
    "expm1": { e, o in
      let u = e.emit("Exp", [o.x])
      let corrected = e.emit(
        "Div", [e.emit("Mul", [e.emit("Sub", [u, e.scalar(1)]), o.x]), e.emit("Log", [u])])
      let nearZero = e.emit("Where", [e.emit("Equal", [u, e.scalar(1)]), o.x, corrected])
      return e.emit("Where", [e.emit("Equal", [u, e.scalar(0)]), e.scalar(-1), nearZero])
    },
  ]

  /// 1 where x > 0, else 0.
  static func positive(_ e: inout ONNXEmitter, _ x: String) -> String {
    e.emit(
      "Cast", [e.emit("Greater", [x, e.scalar(0)])], [.int("to", ONNXDataType.float.rawValue)])
  }

  /// sum, mean, max over `axes` (none: the value itself).
  static func reduction(_ e: inout ONNXEmitter, _ o: ONNXOperands, _ opType: String) -> String {
    let axes = o.attributes.ints("axes")
    guard !axes.isEmpty else { return e.emit("Identity", [o.x]) }
    return e.emit(
      opType, [o.x, e.int64s(axes)], [.int("keepdims", o.attributes.bool("keepdims") ? 1 : 0)])
  }
}

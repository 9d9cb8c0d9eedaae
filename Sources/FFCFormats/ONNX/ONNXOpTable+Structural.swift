import FFCIR
import FFCTensor

// The ops that change shapes, multiply matrices, normalise along an axis or score a loss.

extension ONNXOpTable {
  static let structural: [String: ONNXLowering] = [
    "broadcast_to": { e, o in e.emit("Expand", [o.x, try e.shapeTensor(o.shape)]) },
    "reshape": { e, o in e.emit("Reshape", [o.x, try e.shapeTensor(o.shape)]) },
    "transpose": { e, o in
      o.shapes[0].rank == 2
        ? e.emit("Transpose", [o.x], [.ints("perm", [1, 0])]) : e.emit("Identity", [o.x])
    },
    "index": { e, o in
      var value = o.x
      for index in o.attributes.ints("indices") {
        value = e.emit("Gather", [value, e.int64s([index], dims: [])], [.int("axis", 0)])
      }
      return value
    },
    "embed": embed,
    "size": size,
    "matmul": matmul,
    "outer": { e, o in
      let column = e.emit("Unsqueeze", [o.x, e.int64s([1])])
      let row = e.emit("Unsqueeze", [o.names[1], e.int64s([0])])
      return e.emit("Mul", [column, row])
    },
    "softmax": { e, o in e.emit("Softmax", [o.x], [.int("axis", o.attributes.int("axis"))]) },
    "log_softmax": { e, o in
      e.emit("LogSoftmax", [o.x], [.int("axis", o.attributes.int("axis"))])
    },
    "one_hot": { e, o in
      oneHot(&e, o.x, rank: o.shapes[0].rank, classes: o.attributes.int("classes"))
    },
    "softmax_cross_entropy": softmaxCrossEntropy,
    "sigmoid_cross_entropy": sigmoidCrossEntropy,
  ]

  /// `embed`: x placed at `indices` of a zero tensor of the node's shape, as a padding of x.
  static let embed: ONNXLowering = { e, o in
    let indices = o.attributes.ints("indices")
    guard !indices.isEmpty else { return e.emit("Identity", [o.x]) }
    let rank = o.shape.rank
    var before = [Int](repeating: 0, count: rank)
    var after = [Int](repeating: 0, count: rank)
    for (axis, index) in indices.enumerated() {
      guard let size = o.shape[axis].value else {
        throw ONNXExportError("'embed' needs a fixed size on axis \(axis)", location: nil)
      }
      before[axis] = index
      after[axis] = size - 1 - index
    }
    let lifted = e.emit("Unsqueeze", [o.x, e.int64s(Array(0..<indices.count))])
    return e.emit("Pad", [lifted, e.int64s(before + after)])
  }

  /// `size`: the number of elements along `axes`, a constant when those sizes are fixed.
  static let size: ONNXLowering = { e, o in
    let axes = o.attributes.ints("axes")
    let dims = axes.map { o.shapes[0][$0] }
    if dims.allSatisfy({ $0.value != nil }) {
      return e.scalar(Float(dims.reduce(1) { $0 * ($1.value ?? 1) }))
    }
    let shape = e.emit("Shape", [o.x])
    let sizes = e.emit("Gather", [shape, e.int64s(axes)], [.int("axis", 0)])
    let count = e.emit("ReduceProd", [sizes], [.int("keepdims", 0)])
    return e.emit("Cast", [count], [.int("to", ONNXDataType.float.rawValue)])
  }

  /// `matmul` with its transpose flags: Gemm for two matrices; a flagged matrix times a vector
  /// as the vector times the matrix (Aᵀ·v = v·A, v·Bᵀ = B·v), with no Transpose: ONNX Runtime
  /// 1.32 computed Transpose-then-MatMul with a vector operand wrongly (seen on samples/xor.ffn).
  static let matmul: ONNXLowering = { e, o in
    let (ta, tb) = (o.attributes.bool("transpose_a"), o.attributes.bool("transpose_b"))
    let (ra, rb) = (o.shapes[0].rank, o.shapes[1].rank)
    let (a, b) = (o.names[0], o.names[1])
    switch (ra, rb) {
    case (2, 2):
      return e.emit("Gemm", o.names, [.int("transA", ta ? 1 : 0), .int("transB", tb ? 1 : 0)])
    case (2, 1):
      return ta ? e.emit("MatMul", [b, a]) : e.emit("MatMul", [a, b])
    case (1, 2):
      return tb ? e.emit("MatMul", [b, a]) : e.emit("MatMul", [a, b])
    default:
      return e.emit("MatMul", [a, b])
    }
  }

  /// OneHot takes no scalar label: one is made a vector of one and its row taken back out.
  static func oneHot(_ e: inout ONNXEmitter, _ labels: String, rank: Int, classes: Int) -> String {
    // Whole-number labels as int64: the index type every ONNX Runtime OneHot kernel takes.
    let whole = e.emit("Cast", [labels], [.int("to", ONNXDataType.int64.rawValue)])
    let indices = rank == 0 ? e.emit("Unsqueeze", [whole, e.int64s([0])]) : whole
    let rows = e.emit(
      "OneHot", [indices, e.int64s([classes], dims: []), e.floats([0, 1], dims: [2])],
      [.int("axis", -1)])
    return rank == 0 ? e.emit("Squeeze", [rows, e.int64s([0])]) : rows
  }

  /// The mean over labels of -log softmax(z)[label]: the one-hot rows pick each row's log
  /// probability.
  static let softmaxCrossEntropy: ONNXLowering = { e, o in
    let logits = o.shapes[0]
    guard let classes = logits.dims.last?.value else {
      throw ONNXExportError(
        "'softmax_cross_entropy' needs a fixed number of classes", location: nil)
    }
    let logProbabilities = e.emit("LogSoftmax", [o.x], [.int("axis", -1)])
    let labels = oneHot(&e, o.names[1], rank: o.shapes[1].rank, classes: classes)
    let picked = e.emit("Mul", [labels, logProbabilities])
    var total = e.emit(
      "ReduceSum", [picked, e.int64s([logits.rank - 1])], [.int("keepdims", 0)])
    if logits.rank >= 2 {
      // The mean over every label (rows, and any further leading axes).
      total = e.emit(
        "ReduceMean", [total, e.int64s(Array(0..<logits.rank - 1))], [.int("keepdims", 0)])
    }
    return e.emit("Neg", [total])
  }

  /// The mean of max(z, 0) - z·t + log(1 + exp(-|z|)), the stable form ffc evaluates.
  static let sigmoidCrossEntropy: ONNXLowering = { e, o in
    let z = o.x
    let rectified = e.emit("Relu", [z])
    let product = e.emit("Mul", [z, o.names[1]])
    let tail = e.emit("Softplus", [e.emit("Neg", [e.emit("Abs", [z])])])
    let losses = e.emit("Add", [e.emit("Sub", [rectified, product]), tail])
    let rank = o.shapes[0].rank
    guard rank > 0 else { return losses }
    return e.emit(
      "ReduceMean", [losses, e.int64s(Array(0..<rank))], [.int("keepdims", 0)])
  }
}

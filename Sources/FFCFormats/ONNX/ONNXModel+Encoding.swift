// The protobuf encoding of an ONNX model. The field numbers are onnx.proto's.

extension ONNXModel {
  /// The model's bytes, as a `.onnx` file holds them.
  public func encoded() -> [UInt8] {
    var model = ProtobufWriter()
    model.varint(1, Int64(irVersion))  // ir_version
    model.stringIfNonempty(2, producerName)
    model.stringIfNonempty(3, producerVersion)
    model.message(7, graph.encoded())
    for opset in opsets {
      var message = ProtobufWriter()
      message.stringIfNonempty(1, opset.domain)
      message.varint(2, Int64(opset.version))
      model.message(8, message)  // opset_import
    }
    return model.bytes
  }
}

extension ONNXGraph {
  func encoded() -> ProtobufWriter {
    var graph = ProtobufWriter()
    for node in nodes { graph.message(1, node.encoded()) }
    graph.string(2, name)
    for tensor in initializers { graph.message(5, tensor.encoded()) }
    for input in inputs { graph.message(11, input.encoded()) }
    for output in outputs { graph.message(12, output.encoded()) }
    return graph
  }
}

extension ONNXNode {
  func encoded() -> ProtobufWriter {
    var node = ProtobufWriter()
    for input in inputs { node.string(1, input) }
    for output in outputs { node.string(2, output) }
    node.stringIfNonempty(3, name)
    node.string(4, opType)
    for attribute in attributes { node.message(5, attribute.encoded()) }
    node.stringIfNonempty(7, domain)
    return node
  }
}

extension ONNXAttribute {
  /// `AttributeProto.AttributeType` numbers.
  enum Kind: Int {
    case float = 1
    case int = 2
    case string = 3
    case tensor = 4
    case floats = 6
    case ints = 7
  }

  func encoded() -> ProtobufWriter {
    var attribute = ProtobufWriter()
    attribute.string(1, name)
    switch value {
    case .float(let x):
      attribute.float(2, x)
      attribute.varint(20, Int64(Kind.float.rawValue))
    case .int(let x):
      attribute.varint(3, Int64(x))
      attribute.varint(20, Int64(Kind.int.rawValue))
    case .string(let x):
      attribute.string(4, x)
      attribute.varint(20, Int64(Kind.string.rawValue))
    case .tensor(let x):
      attribute.message(5, x.encoded())
      attribute.varint(20, Int64(Kind.tensor.rawValue))
    case .floats(let x):
      attribute.packedFloats(7, x)
      attribute.varint(20, Int64(Kind.floats.rawValue))
    case .ints(let x):
      attribute.packedVarints(8, x.map(Int64.init))
      attribute.varint(20, Int64(Kind.ints.rawValue))
    case .unsupported(let kind):
      attribute.varint(20, Int64(kind))
    }
    return attribute
  }
}

extension ONNXTensor {
  func encoded() -> ProtobufWriter {
    var tensor = ProtobufWriter()
    tensor.packedVarints(1, dims.map(Int64.init))
    tensor.varint(2, Int64(dataType))
    switch storage {
    case .floats(let values): tensor.packedFloats(4, values)
    case .int32s(let values): tensor.packedVarints(5, values)
    case .int64s(let values): tensor.packedVarints(7, values)
    case .raw(let bytes): if !bytes.isEmpty { tensor.bytes(9, bytes) }
    case .doubles(let values):
      var run = ProtobufWriter()
      for value in values { run.appendLittleEndian(value.bitPattern, count: 8) }
      tensor.bytes(10, run.bytes)
    }
    tensor.stringIfNonempty(8, name)
    return tensor
  }
}

extension ONNXValueInfo {
  func encoded() -> ProtobufWriter {
    var tensorType = ProtobufWriter()
    tensorType.varint(1, Int64(elementType))
    if let shape {
      var shapeMessage = ProtobufWriter()
      for dimension in shape {
        var dim = ProtobufWriter()
        switch dimension {
        case .value(let n): dim.varint(1, Int64(n))
        case .parameter(let name): dim.string(2, name)
        case .unknown: break
        }
        shapeMessage.message(1, dim)
      }
      tensorType.message(2, shapeMessage)
    }
    var type = ProtobufWriter()
    type.message(1, tensorType)  // TypeProto.tensor_type
    var info = ProtobufWriter()
    info.string(1, name)
    info.message(2, type)
    return info
  }
}

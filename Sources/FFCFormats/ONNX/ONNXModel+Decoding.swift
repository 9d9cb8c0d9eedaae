// Reading an ONNX model from its protobuf bytes. Every message is read field by field: a known
// field with the wrong wire type is an error, an unknown field is skipped. Nesting is fixed (model,
// graph, node, attribute, tensor), so reading never recurses with the file's content: subgraphs
// (attributes of type GRAPH) and non-tensor types are skipped unread.

extension ONNXModel {
  public init(decoding bytes: [UInt8]) throws(ProtobufError) {
    var reader = ProtobufReader(bytes)
    var model = ONNXModel(irVersion: 0, opsets: [], graph: ONNXGraph(name: ""))
    var sawGraph = false
    while let (field, type) = try reader.nextField() {
      switch field {
      case 1:
        try reader.expect(type, .varint, field: field, of: "ModelProto")
        model.irVersion = Int(truncatingIfNeeded: try reader.varint())
      case 2:
        try reader.expect(type, .lengthDelimited, field: field, of: "ModelProto")
        model.producerName = try reader.string()
      case 3:
        try reader.expect(type, .lengthDelimited, field: field, of: "ModelProto")
        model.producerVersion = try reader.string()
      case 7:
        try reader.expect(type, .lengthDelimited, field: field, of: "ModelProto")
        var sub = try reader.lengthDelimited()
        model.graph = try ONNXGraph(decoding: &sub)
        sawGraph = true
      case 8:
        try reader.expect(type, .lengthDelimited, field: field, of: "ModelProto")
        var sub = try reader.lengthDelimited()
        model.opsets.append(try ONNXOpset(decoding: &sub))
      default:
        try reader.skip(type)
      }
    }
    guard sawGraph else { throw ProtobufError("the model has no graph", at: reader.position) }
    self = model
  }
}

extension ONNXOpset {
  init(decoding reader: inout ProtobufReader) throws(ProtobufError) {
    self.init(version: 0)
    while let (field, type) = try reader.nextField() {
      switch field {
      case 1:
        try reader.expect(type, .lengthDelimited, field: field, of: "OperatorSetIdProto")
        domain = try reader.string()
      case 2:
        try reader.expect(type, .varint, field: field, of: "OperatorSetIdProto")
        version = Int(truncatingIfNeeded: try reader.varint())
      default: try reader.skip(type)
      }
    }
  }
}

extension ONNXGraph {
  init(decoding reader: inout ProtobufReader) throws(ProtobufError) {
    self.init(name: "")
    while let (field, type) = try reader.nextField() {
      switch field {
      case 1, 5, 11, 12:
        try reader.expect(type, .lengthDelimited, field: field, of: "GraphProto")
        var sub = try reader.lengthDelimited()
        switch field {
        case 1: nodes.append(try ONNXNode(decoding: &sub))
        case 5: initializers.append(try ONNXTensor(decoding: &sub))
        case 11: inputs.append(try ONNXValueInfo(decoding: &sub))
        default: outputs.append(try ONNXValueInfo(decoding: &sub))
        }
      case 2:
        try reader.expect(type, .lengthDelimited, field: field, of: "GraphProto")
        name = try reader.string()
      default: try reader.skip(type)
      }
    }
  }
}

extension ONNXNode {
  init(decoding reader: inout ProtobufReader) throws(ProtobufError) {
    self.init("", inputs: [], outputs: [])
    while let (field, type) = try reader.nextField() {
      guard field <= 7 else {
        try reader.skip(type)
        continue
      }
      try reader.expect(type, .lengthDelimited, field: field, of: "NodeProto")
      switch field {
      case 1: inputs.append(try reader.string())
      case 2: outputs.append(try reader.string())
      case 3: name = try reader.string()
      case 4: opType = try reader.string()
      case 5:
        var sub = try reader.lengthDelimited()
        attributes.append(try ONNXAttribute(decoding: &sub))
      case 7: domain = try reader.string()
      default: try reader.skip(type)
      }
    }
  }
}

extension ONNXAttribute {
  init(decoding reader: inout ProtobufReader) throws(ProtobufError) {
    var (name, kind) = ("", 0)
    var (f, i, s): (Float, Int, String) = (0, 0, "")
    var tensor: ONNXTensor?
    var (floats, ints): ([Float], [Int64]) = ([], [])
    while let (field, type) = try reader.nextField() {
      let message = "AttributeProto"
      switch field {
      case 1:
        try reader.expect(type, .lengthDelimited, field: field, of: message)
        name = try reader.string()
      case 2:
        try reader.expect(type, .fixed32, field: field, of: message)
        f = Float(bitPattern: try reader.fixed32())
      case 3:
        try reader.expect(type, .varint, field: field, of: message)
        i = Int(truncatingIfNeeded: try reader.varint())
      case 4:
        try reader.expect(type, .lengthDelimited, field: field, of: message)
        s = String(decoding: try reader.bytesValue(), as: UTF8.self)
      case 5:
        try reader.expect(type, .lengthDelimited, field: field, of: message)
        var sub = try reader.lengthDelimited()
        tensor = try ONNXTensor(decoding: &sub)
      case 7: try reader.repeatedFloats(type, into: &floats)
      case 8: try reader.repeatedVarints(type, into: &ints)
      case 20:
        try reader.expect(type, .varint, field: field, of: message)
        kind = Int(truncatingIfNeeded: try reader.varint())
      default: try reader.skip(type)
      }
    }
    let value: Value
    switch Kind(rawValue: kind) {
    case .float: value = .float(f)
    case .int: value = .int(i)
    case .string: value = .string(s)
    case .tensor:
      guard let tensor else {
        throw ProtobufError("attribute '\(name)' is a tensor but holds none", at: reader.position)
      }
      value = .tensor(tensor)
    case .floats: value = .floats(floats)
    case .ints: value = .ints(ints.map { Int(truncatingIfNeeded: $0) })
    case nil: value = .unsupported(kind: kind)
    }
    self.init(name, value)
  }
}

extension ONNXTensor {
  init(decoding reader: inout ProtobufReader) throws(ProtobufError) {
    var dims: [Int64] = []
    var (floats, doubles): ([Float], [Double]) = ([], [])
    var (int32s, int64s): ([Int64], [Int64]) = ([], [])
    var raw: ArraySlice<UInt8>?
    var (name, dataType) = ("", 0)
    while let (field, type) = try reader.nextField() {
      switch field {
      case 1: try reader.repeatedVarints(type, into: &dims)
      case 2:
        try reader.expect(type, .varint, field: field, of: "TensorProto")
        dataType = Int(truncatingIfNeeded: try reader.varint())
      case 4: try reader.repeatedFloats(type, into: &floats)
      case 5: try reader.repeatedVarints(type, into: &int32s)
      case 7: try reader.repeatedVarints(type, into: &int64s)
      case 8:
        try reader.expect(type, .lengthDelimited, field: field, of: "TensorProto")
        name = try reader.string()
      case 9:
        try reader.expect(type, .lengthDelimited, field: field, of: "TensorProto")
        raw = try reader.bytesValue()
      case 10: try reader.repeatedDoubles(type, into: &doubles)
      case 13, 14:
        throw ProtobufError(
          "tensor '\(name)' keeps its data in an external file, which ffc does not read",
          at: reader.position)
      default: try reader.skip(type)
      }
    }
    // The writer chose one field for the values; the first that holds any is it.
    let storage: Storage
    if let raw {
      storage = .raw(Array(raw))
    } else if !floats.isEmpty {
      storage = .floats(floats)
    } else if !doubles.isEmpty {
      storage = .doubles(doubles)
    } else if !int64s.isEmpty {
      storage = .int64s(int64s)
    } else {
      storage = .int32s(int32s)
    }
    self.init(
      name: name, dataType: dataType, dims: dims.map { Int(truncatingIfNeeded: $0) },
      storage: storage)
  }
}

extension ONNXValueInfo {
  init(decoding reader: inout ProtobufReader) throws(ProtobufError) {
    self.init(name: "", elementType: 0, shape: nil)
    while let (field, type) = try reader.nextField() {
      switch field {
      case 1:
        try reader.expect(type, .lengthDelimited, field: field, of: "ValueInfoProto")
        name = try reader.string()
      case 2:
        try reader.expect(type, .lengthDelimited, field: field, of: "ValueInfoProto")
        var typeProto = try reader.lengthDelimited()
        while let (typeField, typeType) = try typeProto.nextField() {
          guard typeField == 1 else {
            try typeProto.skip(typeType)
            continue
          }
          try typeProto.expect(typeType, .lengthDelimited, field: typeField, of: "TypeProto")
          var tensorType = try typeProto.lengthDelimited()
          try readTensorType(&tensorType)
        }
      default: try reader.skip(type)
      }
    }
  }

  private mutating func readTensorType(_ reader: inout ProtobufReader) throws(ProtobufError) {
    while let (field, type) = try reader.nextField() {
      switch field {
      case 1:
        try reader.expect(type, .varint, field: field, of: "TypeProto.Tensor")
        elementType = Int(truncatingIfNeeded: try reader.varint())
      case 2:
        try reader.expect(type, .lengthDelimited, field: field, of: "TypeProto.Tensor")
        var shapeReader = try reader.lengthDelimited()
        var dimensions: [Dimension] = []
        while let (dimField, dimType) = try shapeReader.nextField() {
          guard dimField == 1 else {
            try shapeReader.skip(dimType)
            continue
          }
          try shapeReader.expect(dimType, .lengthDelimited, field: 1, of: "TensorShapeProto")
          var dim = try shapeReader.lengthDelimited()
          dimensions.append(try Self.dimension(&dim))
        }
        shape = dimensions
      default: try reader.skip(type)
      }
    }
  }

  private static func dimension(_ reader: inout ProtobufReader) throws(ProtobufError) -> Dimension {
    var dimension = Dimension.unknown
    while let (field, type) = try reader.nextField() {
      switch field {
      case 1:
        try reader.expect(type, .varint, field: field, of: "TensorShapeProto.Dimension")
        dimension = .value(Int(truncatingIfNeeded: try reader.varint()))
      case 2:
        try reader.expect(type, .lengthDelimited, field: field, of: "TensorShapeProto.Dimension")
        dimension = .parameter(try reader.string())
      default: try reader.skip(type)
      }
    }
    return dimension
  }
}

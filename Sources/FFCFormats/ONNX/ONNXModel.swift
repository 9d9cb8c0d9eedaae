// The parts of an ONNX model (onnx.proto) that ffc writes and reads, as plain values. Field
// numbers live with the encoding and decoding (ONNXModel+Encoding.swift, ONNXModel+Decoding.swift).

/// An ONNX model: the IR version, the operator sets it uses, and its graph.
public struct ONNXModel: Sendable, Equatable {
  public var irVersion: Int
  public var opsets: [ONNXOpset]
  public var producerName: String
  public var producerVersion: String
  public var graph: ONNXGraph

  public init(
    irVersion: Int, opsets: [ONNXOpset], producerName: String = "",
    producerVersion: String = "", graph: ONNXGraph
  ) {
    self.irVersion = irVersion
    self.opsets = opsets
    self.producerName = producerName
    self.producerVersion = producerVersion
    self.graph = graph
  }
}

/// `OperatorSetIdProto`: an operator domain ("" is the default, ai.onnx) and its version.
public struct ONNXOpset: Sendable, Equatable {
  public var domain: String
  public var version: Int
  public init(domain: String = "", version: Int) {
    self.domain = domain
    self.version = version
  }
}

public struct ONNXGraph: Sendable, Equatable {
  public var name: String
  public var nodes: [ONNXNode]
  public var initializers: [ONNXTensor]
  public var inputs: [ONNXValueInfo]
  public var outputs: [ONNXValueInfo]

  public init(
    name: String, nodes: [ONNXNode] = [], initializers: [ONNXTensor] = [],
    inputs: [ONNXValueInfo] = [], outputs: [ONNXValueInfo] = []
  ) {
    self.name = name
    self.nodes = nodes
    self.initializers = initializers
    self.inputs = inputs
    self.outputs = outputs
  }
}

public struct ONNXNode: Sendable, Equatable {
  public var opType: String
  public var inputs: [String]
  public var outputs: [String]
  public var name: String
  public var domain: String
  public var attributes: [ONNXAttribute]

  public init(
    _ opType: String, inputs: [String], outputs: [String], name: String = "", domain: String = "",
    attributes: [ONNXAttribute] = []
  ) {
    self.opType = opType
    self.inputs = inputs
    self.outputs = outputs
    self.name = name
    self.domain = domain
    self.attributes = attributes
  }

  public func attribute(_ name: String) -> ONNXAttribute.Value? {
    attributes.first { $0.name == name }?.value
  }
}

public struct ONNXAttribute: Sendable, Equatable {
  public enum Value: Sendable, Equatable {
    case float(Float)
    case int(Int)
    case string(String)
    case tensor(ONNXTensor)
    case floats([Float])
    case ints([Int])
    /// A kind ffc neither writes nor reads (graphs, sparse tensors...): its `AttributeType` number.
    case unsupported(kind: Int)
  }

  public var name: String
  public var value: Value

  public init(_ name: String, _ value: Value) {
    self.name = name
    self.value = value
  }
}

/// `TensorProto.DataType` numbers ffc knows.
public enum ONNXDataType: Int, Sendable {
  case float = 1
  case int32 = 6
  case int64 = 7
  case double = 11
}

/// A tensor: its name, element type, dimensions and values. ffc writes `raw_data` (little-endian
/// bytes); it reads `raw_data` or the typed fields (`float_data`, `int64_data`...), whichever the
/// writer chose.
public struct ONNXTensor: Sendable, Equatable {
  public enum Storage: Sendable, Equatable {
    case raw([UInt8])
    case floats([Float])
    case doubles([Double])
    case int64s([Int64])
    case int32s([Int64])
  }

  public var name: String
  /// The `data_type` number as the file gives it (see `ONNXDataType`).
  public var dataType: Int
  public var dims: [Int]
  public var storage: Storage

  public init(name: String, dataType: Int, dims: [Int], storage: Storage) {
    self.name = name
    self.dataType = dataType
    self.dims = dims
    self.storage = storage
  }

  public static func float(_ name: String, dims: [Int], _ values: [Float]) -> ONNXTensor {
    var raw: [UInt8] = []
    raw.reserveCapacity(values.count * 4)
    for value in values {
      let bits = value.bitPattern
      for i in 0..<4 { raw.append(UInt8(truncatingIfNeeded: bits >> UInt32(8 * i))) }
    }
    return ONNXTensor(
      name: name, dataType: ONNXDataType.float.rawValue, dims: dims, storage: .raw(raw))
  }

  public static func int64(_ name: String, dims: [Int], _ values: [Int64]) -> ONNXTensor {
    var raw: [UInt8] = []
    raw.reserveCapacity(values.count * 8)
    for value in values {
      let bits = UInt64(bitPattern: value)
      for i in 0..<8 { raw.append(UInt8(truncatingIfNeeded: bits >> UInt64(8 * i))) }
    }
    return ONNXTensor(
      name: name, dataType: ONNXDataType.int64.rawValue, dims: dims, storage: .raw(raw))
  }
}

/// A graph input's or output's name, element type and shape.
public struct ONNXValueInfo: Sendable, Equatable {
  public enum Dimension: Sendable, Equatable {
    case value(Int)
    /// A named size only known when the model runs (the batch, `N`).
    case parameter(String)
    case unknown
  }

  public var name: String
  public var elementType: Int
  /// nil: the file gives no shape.
  public var shape: [Dimension]?

  public init(name: String, elementType: Int = ONNXDataType.float.rawValue, shape: [Dimension]?) {
    self.name = name
    self.elementType = elementType
    self.shape = shape
  }
}

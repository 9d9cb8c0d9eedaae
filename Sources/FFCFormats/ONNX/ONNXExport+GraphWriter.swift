import FFCIR
import FFCTensor

extension ONNXExport {
  /// The state of one export: the ONNX name of each ffc node written so far.
  struct GraphWriter {
    let graph: Graph
    let needed: [Bool]
    var emitter = ONNXEmitter()
    var names: [String?]
    var inputs: [ONNXValueInfo] = []
    /// The parameters written, by declaration index (the training step updates them).
    var parameters: [Int] = []

    init(graph: Graph, needed: [Bool]) {
      self.graph = graph
      self.needed = needed
      self.names = [String?](repeating: nil, count: graph.nodes.count)
    }

    func name(of node: NodeID) throws(ONNXExportError) -> String {
      guard let name = names[node.index] else {
        throw ONNXExportError("internal: \(node) has no ONNX value", location: nil)
      }
      return name
    }

    /// Inputs, targets and labels as graph inputs (with their declared default as an
    /// initializer of the same name), parameters as initializers; only those the model reads.
    mutating func declareLeaves(parameters values: [Int: Tensor], trainStep: Bool)
      throws(ONNXExportError)
    {
      for (index, declaration) in graph.declarations.enumerated()
      where needed[declaration.node.index] && names[declaration.node.index] == nil {
        let shape = ONNXExport.dimensions(declaration.shape)
        switch declaration.kind {
        case .input, .target, .label:
          inputs.append(ONNXValueInfo(name: declaration.name, shape: shape))
          for (axis, dim) in declaration.shape.dims.enumerated() {
            if case .symbol(let s) = dim, emitter.symbolSources[s] == nil {
              emitter.symbolSources[s] = (declaration.name, axis)
            }
          }
          if let value = declaration.defaultValue {
            emitter.addInitializer(float(declaration.name, value))
          }
        case .param:
          guard let value = values[index] else {
            throw ONNXExportError(
              "parameter '\(declaration.name)' has no value", location: declaration.location)
          }
          emitter.addInitializer(float(declaration.name, value))
          if trainStep { inputs.append(ONNXValueInfo(name: declaration.name, shape: shape)) }
          parameters.append(index)
        case .const:
          continue
        }
        names[declaration.node.index] = declaration.name
      }
    }

    /// Every needed node not yet named, in order, through the op table.
    mutating func lowerNodes() throws(ONNXExportError) {
      for (index, node) in graph.nodes.enumerated() where needed[index] && names[index] == nil {
        if let value = node.constantValue {
          let name = emitter.freshName()
          emitter.addInitializer(float(name, value))
          names[index] = name
          continue
        }
        guard !node.op.isLeaf, let lowering = ONNXOpTable.lowering(for: node.op) else {
          throw ONNXExportError(
            "'\(node.op.name)' has no ONNX form that ffc can write", location: node.location)
        }
        let operands = ONNXOperands(
          names: try node.inputs.map { (id) throws(ONNXExportError) in try name(of: id) },
          shapes: node.inputs.map { graph[$0].shape }, shape: node.shape,
          attributes: node.attributes)
        do {
          names[index] = try lowering(&emitter, operands)
        } catch let error as ONNXExportError {
          throw ONNXExportError(error.message, location: node.location)
        } catch {
          throw ONNXExportError("\(error)", location: node.location)
        }
      }
    }

    /// `<param>.next = <param> - lr · grad.<param>` for every parameter with a gradient, and the
    /// learning rate as an input defaulting to `learningRate`.
    mutating func sgdStep(learningRate: Double) throws(ONNXExportError) -> [ONNXValueInfo] {
      let rate = ONNXExport.learningRateName
      emitter.addInitializer(.float(rate, dims: [], [Float(learningRate)]))
      inputs.append(ONNXValueInfo(name: rate, shape: []))
      var outputs: [ONNXValueInfo] = []
      for gradient in graph.gradients {
        let parameter = graph.parameter(of: gradient)
        let step = emitter.emit("Mul", [rate, try name(of: gradient.node)])
        let next = parameter.name + ".next"
        emitter.emit("Sub", [parameter.name, step], output: next)
        outputs.append(
          ONNXValueInfo(name: next, shape: ONNXExport.dimensions(parameter.shape)))
      }
      return outputs
    }

    func float(_ name: String, _ value: Tensor) -> ONNXTensor {
      .float(name, dims: value.shape, value.scalars.map { Float($0) })
    }
  }
}

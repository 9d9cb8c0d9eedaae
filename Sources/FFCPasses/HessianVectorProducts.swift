import FFCIR

/// Second order (`ffc compile --emit-grad --order 2`): after Differentiate, adds for every
/// parameter P a direction input `v.P` of P's shape and an output `Hv.P` = Σ_Q (∂²L/∂P∂Q) v.Q,
/// the Hessian-vector product. It is the gradient of s = Σ_Q ⟨∂L/∂Q, v.Q⟩ (Pearlmutter's trick):
/// one more reverse pass over the gradient graph, whatever the number of parameters, instead of
/// one per element as a full Hessian needs.
public struct HessianVectorProducts: Pass {
  public let name = "hessian-vector-products"

  public init() {}

  public func run(_ graph: Graph, _ context: inout PassContext) throws(PassFailure) -> Graph {
    guard graph.loss != nil, !graph.gradients.isEmpty else { return graph }
    let builder = GraphBuilder(continuing: graph)
    builder.emittingGradient = true
    var declarations = graph.declarations
    var dot: Value?
    for gradient in graph.gradients {
      let parameter = graph.parameter(of: gradient)
      builder.currentLocation = parameter.location
      let name = "v.\(parameter.name)"
      let direction = builder.leaf(Op.input, name: name, shape: parameter.shape)
      builder.rename(direction, name)
      declarations.append(
        Declaration(
          name: name, kind: .input, node: direction, shape: parameter.shape,
          location: parameter.location))
      let term = (builder.value(gradient.node) * builder.value(direction)).sum()
      dot = dot.map { $0 + term } ?? term
    }
    guard let dot else { return graph }
    let dotID: NodeID
    do throws(ShapeError) {
      dotID = try dot.nodeID
    } catch {
      throw .internal(pass: name, message: error.message)
    }
    let parameters = graph.parameters.map(\.node)
    let cotangents: [NodeID?]
    do {
      cotangents = try ReverseMode.cotangents(
        of: dotID, named: "s", wrt: parameters, nodes: builder.nodes, builder)
    } catch {
      switch error {
      case .notDifferentiable(let op, let location):
        throw .user(.cannotDifferentiate(op, at: location))
      case .forwardThroughCustomDerivative(let function, let location):
        throw .user(.forwardThroughCustomDerivative(function, at: nil, clause: location))
      case .illShapedRule(let op, let message):
        throw .internal(pass: name, message: "'\(op)': \(message)")
      }
    }
    var outputs = graph.outputs
    for parameter in graph.parameters {
      let product =
        cotangents[parameter.node.index] ?? builder.filled(0, shape: parameter.shape)
      outputs.append(NamedValue("Hv.\(parameter.name)", product))
    }
    context.count("second-order nodes", by: builder.nodes.count - graph.nodes.count)
    return builder.graph(
      name: graph.name, declarations: declarations, outputs: outputs, loss: graph.loss,
      gradients: graph.gradients)
  }
}

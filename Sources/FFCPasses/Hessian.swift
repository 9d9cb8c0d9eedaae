import FFCIR

/// The Hessian of the loss with respect to one parameter, as a graph: the gradient g = ∂L/∂W by
/// reverse mode, then for every element g[i] its own gradient ∂g[i]/∂W, a row of the Hessian.
/// Each row is an output (`d2L/dW[3]`, W's shape), so n backward passes for n elements: for the
/// small parameters `ffc run --hessian` is meant for.
public enum Hessian {
  public static let maximumElements = 256

  public enum Failure: Error {
    case noLoss
    case notAParameter(String)
    case tooLarge(String, Int)
    case reverseMode(ReverseMode.Failure)
  }

  /// The forward graph with the Hessian rows of `parameter` as its outputs (and its own outputs
  /// and loss dropped), unoptimised.
  public static func graph(_ forward: Graph, parameter: String) throws(Failure) -> Graph {
    guard let loss = forward.loss else { throw .noLoss }
    guard let declaration = forward.parameters.first(where: { $0.name == parameter }) else {
      throw .notAParameter(parameter)
    }
    guard let shape = declaration.shape.concrete, shape.reduce(1, *) <= maximumElements else {
      throw .tooLarge(parameter, declaration.shape.elementCount ?? Int.max)
    }
    let builder = GraphBuilder(continuing: forward)
    builder.emittingGradient = true
    let w = declaration.node
    do throws(ReverseMode.Failure) {
      let first = try ReverseMode.cotangents(
        of: loss.node, named: loss.name, wrt: [w], nodes: forward.nodes, builder)
      let gradient = builder.value(
        first[w.index] ?? builder.filled(0, shape: declaration.shape))
      var rows: [NamedValue] = []
      for flat in 0..<shape.reduce(1, *) {
        let index = zip(rowMajorStrides(shape), shape).map { flat / $0 % Swift.max(1, $1) }
        let element = gradient.apply(Op.index, Attributes([("indices", .ints(index))]))
        let elementID: NodeID
        do throws(ShapeError) {
          elementID = try element.nodeID
        } catch {
          throw ReverseMode.Failure.illShapedRule(op: Op.index.name, message: error.message)
        }
        let second = try ReverseMode.cotangents(
          of: elementID, named: "\(loss.name)", wrt: [w], nodes: builder.nodes, builder)
        let row = second[w.index] ?? builder.filled(0, shape: declaration.shape)
        rows.append(NamedValue("d2\(loss.name)/d\(parameter)[\(flat)]", row))
      }
      return builder.graph(
        name: forward.name, declarations: forward.declarations, outputs: rows, loss: nil)
    } catch {
      throw .reverseMode(error)
    }
  }
}

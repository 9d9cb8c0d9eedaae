import FFCIR
import FFCTensor

/// `ffc run --hessian W1,b1`: the Hessian of the loss with respect to one or several parameters
/// (θ their flattened concatenation in the order listed), as a graph whose outputs are its rows
/// (see `HessianRows`).
public enum Hessian {
  public enum Failure: Error {
    case noLoss
    case notAParameter(String)
    /// See `HessianRows.Failure.overBudget`.
    case overBudget(String, Int, String)
    case reverseMode(ReverseMode.Failure)
  }

  /// The forward graph with the Hessian rows of `parameters` as its outputs (`d2L/dθ[k]`, each
  /// [n]; its own outputs and loss dropped), unoptimised.
  public static func graph(_ forward: Graph, parameters: [String], budget: DerivativeBudget)
    throws(Failure) -> Graph
  {
    guard let loss = forward.loss else { throw .noLoss }
    var variables: [HessianRows.Variable] = []
    for parameter in parameters {
      guard let declaration = forward.parameters.first(where: { $0.name == parameter }) else {
        throw .notAParameter(parameter)
      }
      variables.append(.init(node: declaration.node, name: parameter, shape: declaration.shape))
    }
    let builder = GraphBuilder(continuing: forward)
    builder.emittingGradient = true
    let rows: [Value]
    do throws(HessianRows.Failure) {
      rows = try HessianRows.rows(
        of: loss.node, named: loss.name, wrt: variables, builder, budget: budget)
    } catch {
      switch error {
      // A parameter's size is always known.
      case .unknownSize(let name): throw .notAParameter(name)
      case .overBudget(let names, let count, let reason):
        throw .overBudget(names, count, reason)
      case .reverseMode(let failure): throw .reverseMode(failure)
      }
    }
    var outputs: [NamedValue] = []
    for (k, row) in rows.enumerated() {
      do throws(ShapeError) {
        outputs.append(NamedValue("d2\(loss.name)/dθ[\(k)]", try row.nodeID))
      } catch {
        throw .reverseMode(.illShapedRule(op: "hessian", message: error.message))
      }
    }
    return builder.graph(
      name: forward.name, declarations: forward.declarations, outputs: outputs, loss: nil)
  }

  /// `graph` for one parameter.
  public static func graph(_ forward: Graph, parameter: String, budget: DerivativeBudget)
    throws(Failure) -> Graph
  {
    try graph(forward, parameters: [parameter], budget: budget)
  }
}

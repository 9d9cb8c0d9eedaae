import FFCIR
import FFCPasses
import FFCTestSupport
import Testing

/// The optimised gradient is as small as the backward pass written by hand: it needs no more
/// array operations (nodes of the gradient part whose value is more than one number; the scalar
/// 1/N is not an array operation) than the course material's own backpropagation.
@Suite struct GradientSizeTests {
  func gradientArrayOps(_ sample: String) throws -> [String] {
    let graph = try Programs.compile(Repository.read("samples/" + sample), differentiate: true)
    return graph.nodes.filter {
      $0.isGradient && $0.shape.dims.contains { $0 != 1 } && !$0.op.isLeaf
    }.map(\.op.name)
  }

  /// The blog's numpy backward pass for the two-layer network has 8 array operations:
  /// dy = 2(ŷ − y)/N, dW2 = H1ᵀ dy, db2 = Σ dy, dH1 = dy W2ᵀ, dY1 = dH1 ⊙ [Y1 > 0] (mask and
  /// product), dW1 = Xᵀ dY1, db1 = Σ dY1.
  @Test func twoLayerMSE() throws {
    let ops = try gradientArrayOps("two_layer.ffn")
    #expect(ops.count <= 8, "\(ops)")
  }

  /// A softmax classifier in the batch convention (iris: dense relu, dense, softmax
  /// cross-entropy): δ² = (P − onehot(y))/N is three (one-hot, difference, scale); then
  /// ∂W² = Hᵀδ², ∂b² = Σδ², ∂H = δ²W²ᵀ; δ¹ = ∂H ⊙ [H > 0] (mask and product); ∂W¹ = Xᵀδ¹,
  /// ∂b¹ = Σδ¹: ten in all, with no division by a softmax anywhere.
  @Test func softmaxClassifier() throws {
    let ops = try gradientArrayOps("iris.ffn")
    #expect(ops.count <= 10, "\(ops)")
    #expect(!ops.contains("div"), "\(ops)")
  }

  /// The textbook's δ recursion in the column convention (sigmoid_mlp: three sigmoid layers,
  /// C = ½‖a³ − y‖²): δ³ = (a³ − y) ⊙ a³(1 − a³) is three (a³ − y is the forward's own value);
  /// each layer below adds ∂C/∂Wˡ = δˡ aˡ⁻¹ᵀ, Wˡᵀδˡ and ⊙ σ' (three), and ∂C/∂bˡ = δˡ is free:
  /// 3 + (1 + 1 + 3) · 2 + 1 = 14.
  @Test func columnConventionDeltaRecursion() throws {
    let ops = try gradientArrayOps("sigmoid_mlp.ffn")
    #expect(ops.count <= 14, "\(ops)")
  }

  /// The five-layer digits MLP (relu, relu, leaky relu, tanh, softmax): 3 for δ at the logits,
  /// ∂W, ∂b for each of the 5 layers, ∂A for the 4 below the top, and the activations'
  /// derivatives: relu 2 each ([h > 0] and the product), leaky relu 2 (leaky_step, the
  /// derivative's own op, and the product), tanh 3 (h², 1 − h², the product).
  @Test func deepSoftmaxClassifier() throws {
    let ops = try gradientArrayOps("mlp5.ffn")
    #expect(ops.count <= 3 + 10 + 4 + 2 + 2 + 2 + 3, "\(ops)")
  }
}

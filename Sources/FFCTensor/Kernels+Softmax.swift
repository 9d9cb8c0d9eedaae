import Foundation

extension Kernels {
  /// log-softmax along `axis`, computed stably as x - max - log Σ exp(x - max).
  public static func logSoftmax(_ x: Tensor, axis: Int) -> Tensor {
    let maximum = broadcast(max(x, axes: [axis], keepDims: true), to: x.shape)
    let shifted = x.zip(maximum) { $0.isInfinite && $0 == $1 ? 0 : $0 - $1 }
    let total = sum(shifted.map { exp($0) }, axes: [axis], keepDims: true)
    return shifted.zip(broadcast(total.map { log($0) }, to: x.shape), -)
  }

  public static func softmax(_ x: Tensor, axis: Int) -> Tensor {
    logSoftmax(x, axis: axis).map { exp($0) }
  }
}

import Dispatch
import FFCIR
import FFCTensor

/// The update rule and its hyper-parameters, with the usual defaults (those of PyTorch).
public enum OptimizerKind: Sendable, Equatable {
  /// θ ← θ − lr·g
  case sgd
  /// v ← μ·v + g;  θ ← θ − lr·v  (heavy ball, as torch.optim.SGD with momentum)
  case momentum(Double)
  /// m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − lr·m̂ / (√v̂ + ε), with m̂, v̂ corrected for
  /// their zero start (Kingma and Ba, 2015)
  case adam(beta1: Double, beta2: Double, epsilon: Double)

  public var name: String {
    switch self {
    case .sgd: "sgd"
    case .momentum: "momentum"
    case .adam: "adam"
    }
  }
}

public struct OptimizerSettings: Sendable, Equatable {
  public var kind: OptimizerKind
  public var learningRate: Double
  /// L2 weight decay λ: the gradient gets λ·θ added (coupled, as torch.optim's weight_decay).
  public var weightDecay: Double

  public init(kind: OptimizerKind, learningRate: Double, weightDecay: Double = 0) {
    self.kind = kind
    self.learningRate = learningRate
    self.weightDecay = weightDecay
  }
}

/// Updates parameters in place from their gradients, keeping its state (velocities, moments) per
/// parameter. Plain loops over the parameters' buffers: one pass per step, small beside the
/// forward and gradient computation; plain SGD on many elements splits them between threads.
/// Unchecked Sendable: it is used from one thread at a time, and `state` only reads it.
public final class Optimizer<T: PlanScalar>: @unchecked Sendable {
  public let settings: OptimizerSettings
  private var first: [[T]]
  private var second: [[T]]
  public private(set) var steps = 0

  public init(_ settings: OptimizerSettings, counts: [Int]) {
    self.settings = settings
    let needsFirst = settings.kind != .sgd
    var needsSecond = false
    if case .adam = settings.kind { needsSecond = true }
    first = counts.map { [T](repeating: 0, count: needsFirst ? $0 : 0) }
    second = counts.map { [T](repeating: 0, count: needsSecond ? $0 : 0) }
  }

  /// What the optimizer carries from step to step, for a checkpoint written at once: the moments
  /// are read from this optimizer's own arrays chunk by chunk, not copied.
  public var state: OptimizerState {
    OptimizerState(
      steps: steps, firstValues: first.indices.map { moment($0, second: false) },
      secondValues: second.indices.map { moment($0, second: true) })
  }

  @_specialize(where T == Float)
  @_specialize(where T == Double)
  private func moment(_ index: Int, second isSecond: Bool) -> StoredTensor {
    let count = (isSecond ? second : first)[index].count
    return StoredTensor(
      shape: [count], source: "a moment of the optimizer",
      key: "moment \(ObjectIdentifier(self).hashValue) \(isSecond) \(index)"
    ) { [self] start, n, out in
      (isSecond ? second : first)[index].withUnsafeBufferPointer { values in
        for i in 0..<n { out[i] = Double(values[start + i]) }
      }
    }
  }

  /// Continues from a checkpoint's state; false when its sizes are not this optimizer's.
  public func restore(_ state: OptimizerState) -> Bool {
    guard state.steps >= 0, state.firstValues.map(\.count) == first.map(\.count),
      state.secondValues.map(\.count) == second.map(\.count)
    else { return false }
    steps = state.steps
    // Every value came from a T, so converting back is exact.
    func converted(_ value: StoredTensor) -> [T] {
      var out = [T](repeating: 0, count: value.count)
      value.forEachChunk { start, chunk in
        for (i, x) in chunk.enumerated() { out[start + i] = T(x) }
      }
      return out
    }
    first = state.firstValues.map(converted)
    second = state.secondValues.map(converted)
    return true
  }

  /// The step as a plan can apply it while it computes the gradients (`ParameterUpdates`,
  /// `UpdateFusion`): plain SGD's rate and decay, in the precision the optimizer steps in; nil
  /// for the rules that keep state per parameter (momentum, Adam).
  public var fusableStep: (rate: T, decay: T)? {
    settings.kind == .sgd ? (T(settings.learningRate), T(settings.weightDecay)) : nil
  }

  /// One step: `parameters[i]` moves against `gradients[i]`, both `counts[i]` long. Under plain
  /// SGD the lists may leave out parameters a plan already moved (`fusableStep`); the step still
  /// counts.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public func step(
    parameters: [UnsafeMutablePointer<T>], gradients: [UnsafePointer<T>], counts: [Int]
  ) {
    steps += 1
    let rate = T(settings.learningRate)
    let decay = T(settings.weightDecay)
    if settings.kind == .sgd {
      return Self.sgd(
        SGDTask(parameters: parameters, gradients: gradients, counts: counts),
        rate: rate, decay: decay)
    }
    for index in parameters.indices {
      let (theta, g, n) = (parameters[index], gradients[index], counts[index])
      switch settings.kind {
      case .sgd:
        for i in 0..<n { theta[i] -= rate * (g[i] + decay * theta[i]) }
      case .momentum(let mu):
        let mu = T(mu)
        first[index].withUnsafeMutableBufferPointer { v in
          for i in 0..<n {
            v[i] = mu * v[i] + g[i] + decay * theta[i]
            theta[i] -= rate * v[i]
          }
        }
      case .adam(let beta1, let beta2, let epsilon):
        let (b1, b2, eps) = (T(beta1), T(beta2), T(epsilon))
        let correction1 = 1 - T.pow(b1, T(steps))
        let correction2 = 1 - T.pow(b2, T(steps))
        first[index].withUnsafeMutableBufferPointer { m in
          second[index].withUnsafeMutableBufferPointer { v in
            for i in 0..<n {
              let gradient = g[i] + decay * theta[i]
              m[i] = b1 * m[i] + (1 - b1) * gradient
              v[i] = b2 * v[i] + (1 - b2) * gradient * gradient
              theta[i] -= rate * (m[i] / correction1) / ((v[i] / correction2).squareRoot() + eps)
            }
          }
        }
      }
    }
  }
}

/// The buffers of one SGD step, shared read-only by the threads that update them (each writes
/// its own range of elements).
struct SGDTask<T: PlanScalar>: @unchecked Sendable {
  let parameters: [UnsafeMutablePointer<T>]
  let gradients: [UnsafePointer<T>]
  let counts: [Int]

  /// θ ← θ − lr·(g + λθ) on the elements `range` of all parameters laid end to end.
  func update(_ range: Range<Int>, rate: T, decay: T) {
    var start = 0
    for index in parameters.indices {
      let n = counts[index]
      defer { start += n }
      let low = Swift.max(range.lowerBound, start) - start
      let high = Swift.min(range.upperBound, start + n) - start
      guard low < high else { continue }
      let (theta, g) = (parameters[index], gradients[index])
      for i in low..<high { theta[i] -= rate * (g[i] + decay * theta[i]) }
    }
  }
}

extension Optimizer {
  /// Steps with this many parameter elements or more split them between the threads of
  /// `Compute.threadLimit`: the update streams θ and g through memory once (33.6 MB each for the
  /// 2048-wide benchmark W4, whose single-threaded update was a tenth of its step), and one core
  /// does not use the memory bandwidth of two. Each element is updated by the same expression
  /// whatever the split, so the values do not depend on it.
  static var parallelElements: Int { 1 << 17 }

  static func sgd(_ task: SGDTask<T>, rate: T, decay: T) {
    let total = task.counts.reduce(0, +)
    let parts = total < parallelElements ? 1 : Compute.threadLimit
    guard parts > 1 else { return task.update(0..<total, rate: rate, decay: decay) }
    // Ranges in whole cache lines (16 floats), so no line is written by two threads.
    let share = ((total + parts - 1) / parts + 15) & ~15
    Compute.runParts(parts) { part in
      task.update(
        Swift.min(total, part * share)..<Swift.min(total, (part + 1) * share), rate: rate,
        decay: decay)
    }
  }
}

/// An optimizer's state between steps: the step count (Adam's bias correction) and the first
/// (momentum's velocity, Adam's m) and second (Adam's v) moments per parameter, empty where the
/// rule keeps none. An optimizer's own state reads its arrays when read (`firstValues`,
/// `secondValues`); `first` and `second` are the whole values in f64.
public struct OptimizerState: Sendable, Equatable {
  public var steps: Int
  public var firstValues: [StoredTensor]
  public var secondValues: [StoredTensor]

  public var first: [[Double]] {
    get { firstValues.map { $0.tensor().scalars } }
    set { firstValues = newValue.map(Self.held) }
  }

  public var second: [[Double]] {
    get { secondValues.map { $0.tensor().scalars } }
    set { secondValues = newValue.map(Self.held) }
  }

  public init(steps: Int, first: [[Double]], second: [[Double]]) {
    self.init(
      steps: steps, firstValues: first.map(Self.held), secondValues: second.map(Self.held))
  }

  public init(steps: Int, firstValues: [StoredTensor], secondValues: [StoredTensor]) {
    self.steps = steps
    self.firstValues = firstValues
    self.secondValues = secondValues
  }

  private static func held(_ values: [Double]) -> StoredTensor {
    StoredTensor(Tensor(shape: [values.count], scalars: values), source: "a checkpoint's moment")
  }

  public static func == (a: OptimizerState, b: OptimizerState) -> Bool {
    a.steps == b.steps && a.first == b.first && a.second == b.second
  }
}

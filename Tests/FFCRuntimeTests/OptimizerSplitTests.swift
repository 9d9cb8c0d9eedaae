import FFCRuntime
import Testing

/// Plain SGD on more elements than `Optimizer.parallelElements` splits them between threads; every
/// element must still get exactly the serial update, across parameter boundaries and odd counts.
@Suite struct OptimizerSplitTests {
  @Test(arguments: [[3], [200_003, 7, 65_537], [131_072], [70_001, 70_001]])
  func sgdSplitMatchesTheSerialUpdate(counts: [Int]) {
    let (rate, decay): (Float, Float) = (0.1, 0.01)
    var parameters = counts.enumerated().map { index, n in
      (0..<n).map { Float(($0 * 7 + index) % 13) - 6 }
    }
    let gradients = counts.map { n in (0..<n).map { Float($0 % 5) * 0.25 - 0.5 } }
    let expected = zip(parameters, gradients).map { theta, g in
      zip(theta, g).map { t, gi in t - rate * (gi + decay * t) }
    }
    let optimizer = Optimizer<Float>(
      OptimizerSettings(kind: .sgd, learningRate: Double(rate), weightDecay: Double(decay)),
      counts: counts)
    let thetaPointers = parameters.map { p in
      let buffer = UnsafeMutablePointer<Float>.allocate(capacity: p.count)
      buffer.initialize(from: p, count: p.count)
      return buffer
    }
    let gradientPointers = gradients.map { g in
      let buffer = UnsafeMutablePointer<Float>.allocate(capacity: g.count)
      buffer.initialize(from: g, count: g.count)
      return UnsafePointer(buffer)
    }
    defer {
      for pointer in thetaPointers { pointer.deallocate() }
      for pointer in gradientPointers { pointer.deallocate() }
    }
    optimizer.step(parameters: thetaPointers, gradients: gradientPointers, counts: counts)
    for index in counts.indices {
      parameters[index] = Array(
        UnsafeBufferPointer(start: thetaPointers[index], count: counts[index]))
      #expect(parameters[index] == expected[index], "parameter \(index) of \(counts)")
    }
  }
}

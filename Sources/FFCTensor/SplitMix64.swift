import Foundation

/// A small, fast, seedable generator (Steele, Lea, Flood 2014). Same seed, same numbers, on every
/// machine: parameter initialisation and the property tests depend on that.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1) with 53 random bits.
  public mutating func nextUnit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  public mutating func uniform(_ low: Double, _ high: Double) -> Double {
    low + (high - low) * nextUnit()
  }

  /// Standard normal by Box-Muller (one value per call; simple and reproducible).
  public mutating func normal() -> Double {
    var u = nextUnit()
    while u <= Double.leastNormalMagnitude { u = nextUnit() }
    let v = nextUnit()
    return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
  }

  /// FNV-1a of a string: a per-name stream that does not depend on declaration order or on
  /// Swift's per-process hash seed.
  public static func stableHash(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01B3
    }
    return hash
  }
}

extension SplitMix64 {
  /// Fisher–Yates with this generator: the same seed gives the same order on every machine and
  /// Swift version (the standard library's `shuffle(using:)` promises neither).
  public mutating func shuffle(_ order: inout [Int]) {
    guard order.count > 1 else { return }
    for i in stride(from: order.count - 1, to: 0, by: -1) {
      order.swapAt(i, Int(next() % UInt64(i + 1)))
    }
  }
}

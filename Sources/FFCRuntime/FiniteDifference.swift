/// The verdict on one element of a gradient: the symbolic value against finite differences of
/// the loss, probed at the element's value θ by `loss(shift)` = L(θ + shift).
///
/// A central difference (L(θ + h) − L(θ − h)) / 2h has two errors: truncation, which grows with
/// the step (h² · L‴), and round-off, which shrinks with it: each loss is exact to about
/// |L| · 2⁻⁵² (times a few for the rounding of the sum that made it), so the difference is only
/// good to about |L| · 2⁻⁵² / h. A large loss (10⁸) with a step of 10⁻⁶ leaves 0.1 of noise. So
/// the step is chosen per element: ε · max(1, |θ|) first, then larger ones (less round-off) and
/// smaller ones (less truncation, and inside the domain near an edge: log at 1e-10, where
/// θ − ε · max(1, |θ|) is negative), and, relative to θ itself, ε · |θ|. The element agrees when
/// one step gives a difference within the tolerance of the symbolic value.
///
/// When none does, the reason is told apart from a wrong derivative:
/// - a kink (relu, abs at 0, two kinks meeting, relu(s · w) with s of both signs at w = 0): the
///   one-sided slopes differ, each stays the same as the step shrinks, and the symbolic value
///   lies between them (a subgradient);
/// - a jump (sign, step, equal, where, at the value where they switch): the loss changes by about
///   as much over a step ten times smaller, so the difference grows like 1 / h;
/// - an unreliable difference: the loss is not finite at θ or on both sides at any step
///   (overflow, the edge of a domain), or the round-off of the best step exceeds its error.
public struct FiniteDifference {
  public enum Verdict: Sendable, Equatable {
    case agrees, kink, jump, unreliable, disagrees
  }

  public let verdict: Verdict
  /// The difference closest to the symbolic value (NaN when no step gave a finite one).
  public let numeric: Double

  struct Step {
    let h: Double
    let up: Double
    let down: Double
    let center: Double

    var numeric: Double { (up - down) / (2 * h) }
    var right: Double { (up - center) / h }
    var left: Double { (center - down) / h }
    /// The round-off of the central difference, from that of the three losses.
    var noise: Double {
      4 * 0x1p-52 * Swift.max(Swift.abs(up), Swift.abs(down), Swift.abs(center)) / h
    }
  }

  /// `symbolic`, the gradient's element; `base`, θ; `center`, L(θ).
  public init(
    symbolic g: Double, base: Double, center: Double, epsilon: Double, tolerance: Double,
    loss: (Double) -> Double
  ) {
    func step(_ h: Double) -> Step? {
      let (up, down) = (loss(h), loss(-h))
      return up.isFinite && down.isFinite ? Step(h: h, up: up, down: down, center: center) : nil
    }
    func allowed(_ numeric: Double) -> Double {
      tolerance * Swift.max(1, Swift.abs(g), Swift.abs(numeric))
    }
    guard center.isFinite else {
      (verdict, numeric) = (.unreliable, .nan)
      return
    }
    let h0 = epsilon * Swift.max(1, Swift.abs(base))
    var sizes = [h0, h0 * 1e1, h0 * 1e2, h0 * 1e3, h0 * 1e4, h0 * 1e-1, h0 * 1e-2]
    if base != 0 { sizes += [epsilon * Swift.abs(base), epsilon * Swift.abs(base) * 1e-2] }
    var steps: [Step] = []
    // Steps that are exact in θ's precision, so θ + h − θ is h.
    for h in sizes.map({ (base + $0) - base }) where h > 0 {
      guard let s = step(h) else { continue }
      if g.isFinite && Swift.abs(g - s.numeric) <= allowed(s.numeric) {
        (verdict, numeric) = (.agrees, s.numeric)
        return
      }
      steps.append(s)
    }
    guard let first = steps.first else {
      (verdict, numeric) = (.unreliable, .nan)
      return
    }
    numeric = steps.min { Swift.abs(g - $0.numeric) < Swift.abs(g - $1.numeric) }?.numeric ?? .nan
    guard g.isFinite else {
      verdict = .disagrees
      return
    }
    let finer = steps.first { $0.h < first.h && $0.h >= first.h * 1e-1 * 0.99 }
    if let finer, Self.jumps(first, finer) {
      verdict = .jump
    } else if let finer, Self.isKink(first, finer, g, tolerance: allowed(first.numeric)) {
      verdict = .kink
    } else if steps.contains(where: { Swift.abs(g - $0.numeric) <= allowed($0.numeric) + $0.noise })
    {
      verdict = .unreliable
    } else {
      verdict = .disagrees
    }
  }

  /// The loss changes by as much over the finer step as over the coarse one on a side (a smooth
  /// loss changes ten times less), and by more than its round-off.
  static func jumps(_ coarse: Step, _ fine: Step) -> Bool {
    let floor = coarse.noise * coarse.h
    func side(_ a: Double, _ b: Double) -> Bool {
      Swift.abs(a) > 10 * floor && Swift.abs(b) >= 0.5 * Swift.abs(a)
    }
    return side(coarse.up - coarse.center, fine.up - fine.center)
      || side(coarse.center - coarse.down, fine.center - fine.down)
  }

  /// The one-sided slopes differ by more than the tolerance, keep their values as the step
  /// shrinks (curvature would move them by half their gap), and bracket the symbolic value.
  static func isKink(_ coarse: Step, _ fine: Step, _ g: Double, tolerance: Double) -> Bool {
    let gap = Swift.abs(coarse.right - coarse.left)
    guard gap > tolerance else { return false }
    let steady =
      Swift.abs(fine.right - coarse.right) <= 0.1 * gap
      && Swift.abs(fine.left - coarse.left) <= 0.1 * gap
    let low = Swift.min(coarse.right, coarse.left) - tolerance
    let high = Swift.max(coarse.right, coarse.left) + tolerance
    return steady && low <= g && g <= high
  }
}

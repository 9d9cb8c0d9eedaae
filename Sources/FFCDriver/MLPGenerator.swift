/// Generates the benchmark and property-test networks: a tanh MLP written with `dense`. Shipped
/// with the driver because `ffc-bench` compiles them; the tests use the same generator.
public enum MLPGenerator {
  public static func program(depth: Int, width: Int, batch: String = "N") -> String {
    var lines = ["input X[\(batch), \(width)]", "target Y[\(batch), \(width)]", "h0 = X"]
    for layer in 1...depth {
      lines.append("h\(layer) = dense(h\(layer - 1), \(width), tanh)")
    }
    lines.append("output h\(depth)")
    lines.append("loss L = mse(h\(depth), Y)")
    return lines.joined(separator: "\n") + "\n"
  }
}

import FFCFrontend
import FFCIR
import FFCRuntime
import FFCTestSupport
import Foundation
import Testing

/// `ffc check` on the program's `jvp`, `jacobian` and `hessian` values: they agree with finite
/// differences of the forward graph (through stop_gradient, intermediate values and several
/// parameters), and a value that is not the derivative is caught.
@Suite struct DerivativeCheckTests {
  static let program = """
    param W[2, 3] = [[0.5, -1, 0.25], [1.5, 0.3, -0.7]]
    param b[3] = [0.1, -0.2, 0.05]
    param s = 0.7
    input X[3, 2] = [[0.3, -0.8], [1, 0.5], [-0.2, 0.9]]
    input V[2, 3] = [[1, 0, -1], [0.5, 2, 0]]
    z = X @ W + b
    h = tanh(z) * stop_gradient(sigmoid(z))
    loss L = sum(h^2) * s
    output t = jvp(h, W, V)
    output Jz = jacobian(h, z)
    output Jb = jacobian(sum(h, axis=0), b)
    output H = hessian(L, b, s, W)
    """

  @Test func theProgramsDerivativeValuesAgree() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "ffc-derivative-check-\(UUID().uuidString).ffn"
    ).path
    try Self.program.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = CLI.run(["check", path])
    #expect(result.code == .success, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("every derivative value agrees"), "\(result.stdout)")
    let hessian = result.stdout.split(separator: "\n").first { $0.hasPrefix("hessian (line 12)") }
    #expect(hessian?.contains("[10, 10]") == true, "\(result.stdout)")
  }

  @Test func aValueThatIsNotTheDerivativeFails() throws {
    let source = SourceFile(path: "d.ffn", text: Self.program)
    let frontend = Frontend.lower(source)
    let forward = try #require(frontend.graph)
    let jvp = try #require(frontend.derivativeSites.first { $0.kind == .jvp })
    // The primal value in place of its tangent.
    let wrong = DerivativeSite(
      .jvp, result: jvp.of, of: jvp.of, wrt: jvp.wrt, direction: jvp.direction, text: "wrong",
      location: nil)
    let leaves = try LeafValues(forward, feeds: [:], seed: 0)
    let rows = try DerivativeCheck.run(
      forward, sites: [jvp, wrong], leaves: leaves, settings: GradientCheck.Settings())
    #expect(rows.map(\.passed) == [true, false])
  }
}

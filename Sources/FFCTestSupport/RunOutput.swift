import FFCTensor
import Foundation

/// `ffc run --format json` read back: every output, the loss, every gradient and every traced
/// value by name, as tensors.
public struct RunOutput {
  public let values: [String: Tensor]
  public let rows: Int?
  public let code: ExitCodeValue
  public let stderr: String

  public typealias ExitCodeValue = Int32

  /// Runs `ffc run <arguments> --format json --precision f64` in-process and parses its output.
  public static func run(_ arguments: [String]) throws -> RunOutput {
    let result = CLI.run(["run"] + arguments + ["--format", "json", "--precision", "f64"])
    guard result.code == .success else {
      throw Programs.Failure(
        description:
          "ffc run \(arguments.joined(separator: " ")) failed (\(result.code)): \(result.stderr)")
    }
    let object =
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    var values: [String: Tensor] = [:]
    var entries =
      (object["outputs"] as? [[String: Any]] ?? [])
      + (object["gradients"] as? [[String: Any]] ?? [])
    entries += object["trace"] as? [[String: Any]] ?? []
    if let loss = object["loss"] as? [String: Any] { entries.append(loss) }
    for entry in entries {
      guard let name = entry["name"] as? String, let shape = entry["shape"] as? [Int] else {
        continue
      }
      values[name] = Tensor(shape: shape, scalars: flatten(entry["value"] as Any))
    }
    return RunOutput(values: values, rows: object["rows"] as? Int, code: 0, stderr: result.stderr)
  }

  public subscript(name: String) -> Tensor? { values[name] }

  /// The scalars of a nested JSON array, in order, without recursion.
  static func flatten(_ value: Any) -> [Double] {
    var out: [Double] = []
    var stack: [Any] = [value]
    while let top = stack.popLast() {
      if let array = top as? [Any] {
        stack.append(contentsOf: array.reversed())
      } else if let number = top as? NSNumber {
        out.append(number.doubleValue)
      } else if let text = top as? String {
        out.append(text == "nan" ? .nan : (text == "inf" ? .infinity : -.infinity))
      }
    }
    return out
  }
}

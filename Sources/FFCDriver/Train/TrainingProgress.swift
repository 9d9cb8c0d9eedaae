import FFCRuntime
import Foundation

/// What `train` prints per epoch and writes to `--log`.
enum TrainingProgress {
  static func line(_ r: EpochReport, epochs: Int, elapsed: Double) -> String {
    var parts = [
      "epoch \(pad(String(r.epoch), String(epochs).count))/\(epochs)",
      "loss \(fixed(r.trainingLoss))",
    ]
    if let a = r.trainingAccuracy { parts.append("acc \(percent(a))") }
    if let l = r.validationLoss { parts.append("val_loss \(fixed(l))") }
    if let a = r.validationAccuracy { parts.append("val_acc \(percent(a))") }
    parts.append("\(Int(r.rowsPerSecond.rounded())) rows/s")
    let remaining = elapsed / Double(r.epoch) * Double(epochs - r.epoch)
    parts.append(r.epoch < epochs ? "\(seconds(remaining)) left" : "\(seconds(elapsed)) in all")
    return parts.joined(separator: "  ")
  }

  static let logHeader = "epoch,train_loss,train_accuracy,val_loss,val_accuracy,seconds\n"

  static func logLine(_ r: EpochReport) -> String {
    let fields = [
      String(r.epoch), number(r.trainingLoss), r.trainingAccuracy.map(number) ?? "",
      r.validationLoss.map(number) ?? "", r.validationAccuracy.map(number) ?? "", number(r.seconds),
    ]
    return fields.joined(separator: ",") + "\n"
  }

  /// Four decimals, or four significant digits for a loss below 0.001 (not "0.0000").
  static func fixed(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    return String(format: x == 0 || Swift.abs(x) >= 1e-3 ? "%.4f" : "%.3e", x)
  }
  static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
  static func number(_ x: Double) -> String { "\(x)" }
  static func seconds(_ s: Double) -> String {
    s < 60 ? String(format: "%.1f s", s) : String(format: "%d min %02d s", Int(s) / 60, Int(s) % 60)
  }
  static func pad(_ text: String, _ width: Int) -> String {
    String(repeating: " ", count: Swift.max(0, width - text.count)) + text
  }
}

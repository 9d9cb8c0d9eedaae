import FFCTensor
import FFCTestSupport
import Foundation
import Testing

/// `ffc train` with plain SGD updates fused into the weight-gradient products (the default)
/// against `FFC_FUSE_UPDATES=0` (every update in the optimizer's pass after the run): the saved
/// model and the losses are the same bytes on every kernel path this machine has, on one thread
/// and two, in f32 and f64, with weight decay, `--split`, a smaller last batch, and a checkpoint
/// resumed. Mini-batches of 100 rows: one block of k, so the same bits (see
/// UpdateFusionTests for several blocks).
@Suite(.serialized) struct UpdateFusionCLITests {
  /// The digits classifier with a hidden layer wide enough (400) that its weight gradient's
  /// product (64 × 100 × 400) splits over two threads.
  static let program = """
    input pixels[N, 64]
    label digit[N]
    X = pixels / 16
    h = dense(X, 400, relu)
    o = dense(h, 10)
    loss L = softmax_cross_entropy(o, digit)

    """

  static let paths = KernelISA.allCases.filter(\.isSupported)

  func train(
    _ scratch: RunCLITests.Scratch, _ name: String, _ extra: [String], fused: Bool,
    isa: KernelISA, threads: Int
  ) throws -> (saved: String, weights: Data?, log: [String]) {
    let program = try scratch.file("wide.ffn", Self.program)
    // Each run saves into a directory of its own under the same names, so the saved programs
    // name the same safetensors file.
    let directory = scratch.url.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let saved = directory.appendingPathComponent("model.ffn").path
    let log = directory.appendingPathComponent("log.csv").path
    let result = try BinaryRunner.run(
      [
        "train", program, "--data", "samples/data/digits.csv", "--split", "0.8", "--batch",
        "100", "--lr", "0.05", "--seed", "3", "--save", saved, "--log", log, "--quiet",
      ] + extra,
      environment: [
        "FFC_FUSE_UPDATES": fused ? "1" : "0", "FFC_ISA": isa.rawValue,
        "FFC_THREADS": "\(threads)",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    // The log without its seconds column (the last).
    let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",").dropLast().joined(separator: ",")
    }
    let weights = FileManager.default.contents(
      atPath: directory.appendingPathComponent("model.safetensors").path)
    return (try String(contentsOfFile: saved, encoding: .utf8), weights, lines)
  }

  @Test func theSavedModelIsTheSameBytes() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    for isa in Self.paths {
      // One thread on one path (the products whole), two on every path (the wide layer's
      // weight gradient split).
      for threads in isa == Self.paths[0] ? [1, 2] : [2] {
        for extra in [
          ["--epochs", "2", "--weight-decay", "0.001"], ["--epochs", "1", "--precision", "f64"],
        ] {
          let label = "\(isa) \(threads) threads \(extra)"
          let fused = try train(scratch, "a", extra, fused: true, isa: isa, threads: threads)
          let apart = try train(scratch, "b", extra, fused: false, isa: isa, threads: threads)
          #expect(fused.saved == apart.saved && fused.weights != nil, "\(label)")
          #expect(fused.weights == apart.weights, "\(label)")
          #expect(fused.log == apart.log && fused.log.count >= 2, "\(label)")
        }
      }
    }
  }

  /// One epoch fused, written to a checkpoint, resumed fused to three: the model of three
  /// epochs straight through without fusion.
  @Test func aResumedRunEndsWhereTheUnfusedRunDoes() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let checkpoint = scratch.url.appendingPathComponent("run.ckpt").path
    let isa = try #require(Self.paths.first)
    _ = try train(
      scratch, "first", ["--epochs", "1", "--checkpoint", checkpoint], fused: true, isa: isa,
      threads: 2)
    let resumed = try train(
      scratch, "resumed", ["--epochs", "3", "--resume", checkpoint], fused: true, isa: isa,
      threads: 2)
    let straight = try train(
      scratch, "straight", ["--epochs", "3"], fused: false, isa: isa, threads: 2)
    #expect(resumed.saved == straight.saved && resumed.weights == straight.weights)
  }

  /// `ffc bench` times the step as training runs it, and says how many updates it fused.
  @Test func benchCountsTheFusedUpdates() throws {
    let scratch = try RunCLITests.Scratch()
    defer { scratch.remove() }
    let program = try scratch.file("wide.ffn", Self.program)
    for (fused, count) in [("1", 2), ("0", 0)] {
      let result = try BinaryRunner.run(
        ["bench", program, "--batch", "16", "--steps", "2", "--warmup", "0"],
        environment: ["FFC_FUSE_UPDATES": fused])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("\(count) parameter updates fused"), "\(result.stdout)")
    }
  }
}

import FFCFormats
import FFCIR

/// Where `load(...)` finds its tensors: safetensors files on disk, opened once each per
/// compilation; or, while `ProgramWriter` checks a program whose weights file is not yet written,
/// the tensors about to be written, by the file name the program uses.
public struct WeightSource: Sendable {
  /// file name as written in the program -> tensor name -> value.
  let pending: [String: [String: StoredTensor]]

  public static let files = WeightSource(pending: [:])

  public static func pending(_ file: String, _ tensors: [(name: String, value: StoredTensor)])
    -> Self
  {
    WeightSource(
      pending: [
        file: Dictionary(tensors.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
      ])
  }
}

/// A file's tensors as `load` sees them: their names in file order, and a way to read one.
enum WeightFile {
  case disk(SafeTensorsFile)
  case pending([String: StoredTensor])

  var names: [String] {
    switch self {
    case .disk(let file): file.entries.map(\.name)
    case .pending(let tensors): tensors.keys.sorted()
    }
  }

  /// The digest in the file's `__metadata__` ("none" when it has none); nil for pending tensors,
  /// which are the values being saved.
  var digest: String? {
    switch self {
    case .disk(let file):
      file.metadata.first { $0.key == SafeTensorsWriter.digestKey }?.value ?? "none"
    case .pending: nil
    }
  }

  func shape(_ name: String) -> [Int]? {
    switch self {
    case .disk(let file): file.entry(named: name)?.shape
    case .pending(let tensors): tensors[name]?.shape
    }
  }

  /// The tensor's starting value: a reference to a file's bytes, or to a pending tensor's values
  /// (the very tensor being saved, which the writer's check recognizes).
  func value(_ name: String, source: String) -> Initializer? {
    switch self {
    case .disk(let file): file.entry(named: name).map { .stored(file.stored($0, source: source)) }
    case .pending(let tensors): tensors[name].map { .stored($0) }
    }
  }
}

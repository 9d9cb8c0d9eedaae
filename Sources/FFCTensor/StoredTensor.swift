/// A tensor whose values stay in a file (a memory-mapped safetensors tensor) until something needs
/// them: `param W[...] = load(...)` keeps this reference through compilation, and the plan or the
/// training buffers fill their f32 or f64 storage from it in chunks, so a large loaded weight is
/// never copied whole as Doubles. Equal when it names the same bytes of the same file.
public final class StoredTensor: Sendable, Hashable, CustomStringConvertible {
  public let shape: [Int]
  /// How the program wrote it (`load("w.safetensors", "fc1")`), for printing.
  public let source: String
  /// The file and byte range, for equality.
  public let key: String
  /// Converts `count` elements starting at element `start` into `out`.
  private let read:
    @Sendable (_ start: Int, _ count: Int, _ out: UnsafeMutablePointer<Double>) ->
      Void

  /// Elements converted at a time: the memory a read needs beyond its destination.
  public static let chunk = 1 << 16

  /// `check`, for values that can only be checked once all of them were read (a deflated `.npz`
  /// member, whose size and CRC-32 are known at the end of its stream), is `readFailure`.
  public init(
    shape: [Int], source: String, key: String,
    read: @escaping @Sendable (Int, Int, UnsafeMutablePointer<Double>) -> Void,
    check: (@Sendable () -> Failure?)? = nil
  ) {
    self.shape = shape
    self.source = source
    self.key = key
    self.held = nil
    self.shared = nil
    self.sharedFloats = nil
    self.read = read
    self.check = check
  }

  private let check: (@Sendable () -> Failure?)?

  /// Why values read from a file are not its values: the file as the user named it and what is
  /// wrong, read as `FormatError` reads (`'d.npz': member 'X.npy': its CRC-32 does not match its
  /// data`).
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let problem: String
    public init(file: String, problem: String) {
      self.file = file
      self.problem = problem
    }
    public var description: String { "'\(file)': \(problem)" }
  }

  /// Nil when the values read are the tensor's; otherwise why not. A deflated `.npz` member is
  /// read in one pass, checked only at the end of its stream: whoever fills a buffer from this
  /// tensor asks after its last read and before it uses or prints any value, and the buffer is
  /// then not used. Reads the rest of such a stream when the reads stopped short of its end (a
  /// pass of its own when nothing was read yet).
  public func readFailure() -> Failure? { check?() }

  /// Values already in memory as a stored tensor (an array that had to be converted whole, such as
  /// a Fortran-order `.npy`), so callers handle both kinds alike.
  public convenience init(_ tensor: Tensor, source: String) {
    self.init(shape: tensor.shape, source: source, sharing: tensor.scalars, from: 0)
  }

  /// The `shape.reduce(1, *)` Doubles of `scalars` from `offset` on (a block of a CSV table's
  /// values), shared, not copied. `key` tells them apart from other values of the same name.
  public init(
    shape: [Int], source: String, sharing scalars: [Double], from offset: Int, key: String? = nil
  ) {
    self.shape = shape
    self.source = source
    self.key = key ?? "values of \(source)"
    let count = shape.reduce(1, *)
    self.shared = (scalars, offset)
    self.sharedFloats = nil
    self.held =
      offset == 0 && count == scalars.count ? Tensor(shape: shape, scalars: scalars) : nil
    self.check = nil
    self.read = { start, count, out in
      guard count > 0 else { return }  // an empty tensor may have no base address
      scalars.withUnsafeBufferPointer { values in
        out.update(from: values.baseAddress! + offset + start, count: count)
      }
    }
  }

  /// The values when they are all of an array in memory already (`init(_:source:)`): `tensor()`
  /// shares them.
  private let held: Tensor?

  /// The values when they are in memory already as Doubles (a CSV table's, a converted array's):
  /// the array and where they start in it, for an f64 consumer to use them in place instead of
  /// copying them.
  public let shared: (scalars: [Double], offset: Int)?

  /// The `shape.reduce(1, *)` Floats held in the bytes of `storage` from Float element `offset`
  /// on (a CSV table narrowed in place for an f32 run, `CSVTable.narrowToFloats`), shared, not
  /// copied: reads widen them to Doubles, and an f32 plan uses them in place (`sharedFloats`).
  public init(
    shape: [Int], source: String, sharingFloatsIn storage: [Double], from offset: Int, key: String
  ) {
    self.shape = shape
    self.source = source
    self.key = key
    self.held = nil
    self.shared = nil
    self.sharedFloats = (storage, offset)
    self.check = nil
    self.read = { start, count, out in
      guard count > 0 else { return }  // an empty tensor may have no base address
      storage.withUnsafeBytes { bytes in
        let first = (offset + start) * MemoryLayout<Float>.size
        for k in 0..<count {
          out[k] = Double(
            bytes.loadUnaligned(
              fromByteOffset: first + k * MemoryLayout<Float>.size, as: Float.self))
        }
      }
    }
  }

  /// The values when they are in memory already as Floats (`init(shape:source:sharingFloatsIn:
  /// from:key:)`): the array whose bytes hold them and the Float index they start at, for an f32
  /// consumer to use them in place.
  public let sharedFloats: (storage: [Double], offset: Int)?

  /// Converts `count` elements starting at element `start` into `out` (one example of a
  /// per-example run, a chunk of a buffer being filled).
  public func read(_ start: Int, _ count: Int, into out: UnsafeMutablePointer<Double>) {
    read(start, count, out)
  }

  /// `count` elements from element `start`, as Doubles.
  public func values(_ start: Int, _ count: Int) -> [Double] {
    [Double](unsafeUninitializedCapacity: count) { out, initialized in
      if count > 0 { read(start, count, out.baseAddress!) }
      initialized = count
    }
  }

  public var count: Int { shape.reduce(1, *) }
  public var description: String { source }

  /// Shows each chunk of values in order, as Doubles, with the index of its first element; a
  /// throw stops the reading.
  public func forEachChunk<E: Error>(
    _ body: (_ start: Int, _ values: UnsafeBufferPointer<Double>) throws(E) -> Void
  ) throws(E) {
    let total = count
    let buffer = UnsafeMutablePointer<Double>.allocate(capacity: Swift.min(Self.chunk, total) + 1)
    defer { buffer.deallocate() }
    var done = 0
    while done < total {
      let n = Swift.min(Self.chunk, total - done)
      read(done, n, buffer)
      try body(done, UnsafeBufferPointer(start: buffer, count: n))
      done += n
    }
  }

  /// The values as an f64 tensor: for the passes and commands that need every value at once.
  public func tensor() -> Tensor {
    if let held { return held }
    let total = count
    let scalars = [Double](unsafeUninitializedCapacity: total) { out, initialized in
      var done = 0
      while done < total {
        let n = Swift.min(1 << 22, total - done)
        read(done, n, out.baseAddress! + done)
        done += n
      }
      initialized = total
    }
    return Tensor(shape: shape, scalars: scalars)
  }

  public static func == (a: StoredTensor, b: StoredTensor) -> Bool {
    a.key == b.key && a.shape == b.shape
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(key)
    hasher.combine(shape)
  }
}

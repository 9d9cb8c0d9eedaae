/// The hash-consing index of a `GraphBuilder`: which node, if any, is `op(inputs)` with given
/// attributes. An open-addressing table of node indices; the nodes themselves are the builder's,
/// so filing a node allocates nothing and retains nothing (a dictionary keyed by op, operands and
/// attributes copied all three into every key, for every node of every rebuild).
///
/// The hash leaves the attributes out (hashing their strings was a tenth of a compile) except for
/// leaves, which only their attributes tell apart; nodes with the same op and operands but
/// different attributes are rare and still compare unequal.
struct NodeTable {
  /// Node index + 1 per slot, 0 for an empty slot; the count is a power of two. 32 bits a slot:
  /// every rebuild makes a table of four slots a node, zeroed when made (with 64-bit slots that
  /// zeroing was a hundred-and-fiftieth of a compile).
  private var slots: [UInt32] = []
  /// The hash of every node filed, by node index (-1 for one that is not filed: a duplicate).
  private var hashes: [Int] = []
  private var filed = 0

  init(capacity: Int = 0) {
    reserveCapacity(capacity)
  }

  mutating func reserveCapacity(_ nodes: Int) {
    hashes.reserveCapacity(nodes)
    var size = 16
    while size < 2 * nodes { size *= 2 }
    if size > slots.count { rehash(size) }
  }

  static func hash(_ op: Op, _ inputs: [NodeID], _ attributes: Attributes) -> Int {
    // A multiplicative mix of the op's identity and the operands' indices (SplitMix64's
    // finaliser at the end): the table's order is never observed, only equality decides.
    // The op's address itself (its `hashValue` would run SipHash for every node).
    var h = UInt64(UInt(bitPattern: ObjectIdentifier(op)))
    for input in inputs {
      h = (h ^ UInt64(UInt(bitPattern: input.index))) &* 0x9E37_79B9_7F4A_7C15
      h = h ^ (h >> 29)
    }
    if inputs.isEmpty { h ^= leafHash(attributes) }
    h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
    h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
    return Int(bitPattern: UInt((h ^ (h >> 31)) >> 1))  // never negative: -1 marks a duplicate
  }

  /// A hash of a leaf's attributes (its name and shape, or a constant's value) that equal
  /// attributes share: strings, shapes and numbers mixed in directly, the rest by their
  /// `hashValue`. SipHash over a leaf's name and shape, at every leaf made, was most of what
  /// making one cost.
  static func leafHash(_ attributes: Attributes) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    func mix(_ x: UInt64) { h = (h ^ x) &* 0x0000_0100_0000_01B3 }
    func mix(_ text: String) {
      mix(UInt64(text.utf8.count))
      for byte in text.utf8 { mix(UInt64(byte)) }
    }
    for entry in attributes.entries {
      switch entry.value {
      case .string(let text):
        mix(1)
        mix(text)
      case .shape(let shape):
        mix(2)
        mix(UInt64(shape.rank))
        for dim in shape.dims {
          switch dim {
          case .fixed(let n): mix(UInt64(bitPattern: Int64(n)))
          case .symbol(let name): mix(name)
          }
        }
      case .int(let n):
        mix(3)
        mix(UInt64(bitPattern: Int64(n)))
      case .double(let x):
        mix(4)
        mix(x.bitPattern)
      default:
        mix(5)
        mix(UInt64(UInt(bitPattern: entry.value.hashValue)))
      }
    }
    return h
  }

  /// The first node filed that is `op(inputs)` with `attributes`, among `nodes`.
  func find(
    _ op: Op, _ inputs: [NodeID], _ attributes: Attributes, hash: Int, in nodes: [Node]
  ) -> NodeID? {
    guard !slots.isEmpty else { return nil }
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] != 0 {
      let index = Int(slots[slot]) - 1
      if hashes[index] == hash && nodes[index].op === op && nodes[index].inputs == inputs
        && nodes[index].attributes == attributes
      {
        return NodeID(index)
      }
      slot = (slot + 1) & mask
    }
    return nil
  }

  /// Files node `index` (the next one: nodes are filed in order) under `hash`; `isNew` false
  /// records it as a duplicate of one filed before, never found itself.
  mutating func append(_ index: Int, hash: Int, isNew: Bool) {
    precondition(index == hashes.count, "nodes are filed in order")
    guard isNew else {
      hashes.append(-1)
      return
    }
    hashes.append(hash)
    filed += 1
    if 2 * filed > slots.count { rehash(Swift.max(16, 2 * slots.count)) }
    insert(index, hash)
  }

  /// Files `nodes[range]` (the next ones: nodes are filed in order) under their kept hashes, each
  /// as new (`append(_:hash:isNew:)` for each, with the table sized once and the slots written
  /// through their buffer: written through the array, each slot checked that it was not shared).
  mutating func appendNew(_ nodes: [Node], _ range: Range<Int>) {
    precondition(range.lowerBound == hashes.count, "nodes are filed in order")
    reserveCapacity(hashes.count + range.count)
    for index in range { hashes.append(nodes[index].tableHash) }
    filed += range.count
    let hashes = self.hashes
    // Safe: `reserveCapacity` made the table at least twice the nodes filed, so the probe
    // finds an empty slot, and every slot index is masked into the buffer.
    slots.withUnsafeMutableBufferPointer { slots in
      let mask = slots.count - 1
      for index in range {
        var slot = hashes[index] & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt32(index + 1)
      }
    }
  }

  private mutating func insert(_ index: Int, _ hash: Int) {
    let mask = slots.count - 1
    var slot = hash & mask
    while slots[slot] != 0 { slot = (slot + 1) & mask }
    slots[slot] = UInt32(index + 1)
  }

  private mutating func rehash(_ size: Int) {
    slots = [UInt32](repeating: 0, count: size)
    for (index, hash) in hashes.enumerated() where hash != -1 { insert(index, hash) }
  }
}

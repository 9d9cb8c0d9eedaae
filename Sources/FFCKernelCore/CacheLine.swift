/// Bytes of a cache line on every CPU the kernels run on (x86-64 and arm64 alike): what the
/// prefetches fetch, and the boundary the packed product's scratch and the plan's arena start
/// on, so that no vector load of them straddles two lines.
public let cacheLineBytes = 64

/// `address` moved up to the next cache-line boundary (itself if it is on one).
@inlinable public func cacheLineAligned(_ address: Int) -> Int {
  (address + cacheLineBytes - 1) & ~(cacheLineBytes - 1)
}

/// Elements making a whole number of cache lines in f32 and in f64 (one line of f32, two of f64):
/// the packed product's buffers are sized in these so that each starts on a line.
public let cacheLineElements = 16

/// `count` elements rounded up to whole cache lines (`cacheLineElements`).
@inlinable public func wholeCacheLines(_ count: Int) -> Int {
  (count + cacheLineElements - 1) / cacheLineElements * cacheLineElements
}

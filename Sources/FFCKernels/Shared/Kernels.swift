// Shared by the three ISA kernel modules (see PackedProduct.swift).
import FFCKernelCore

/// This module's kernels, as the dispatcher in FFCTensor sees them.
public enum Kernels: ISAKernels {
  public static var isa: KernelISA { moduleISA }
  public static var tileRows: Int { microTileRows }
  public static var floatTileColumns: Int { Float.Lane.scalarCount }
  public static var doubleTileColumns: Int { Double.Lane.scalarCount }
  public static var vectorBytes: Int { MemoryLayout<TanhLane>.size }

  public static func tanh(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int)
  {
    VectorTanh.apply(x, out, count: count)
  }
}

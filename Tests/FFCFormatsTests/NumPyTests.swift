import FFCFormats
import FFCTensor
import Foundation
import Testing

private func read(_ name: String) throws -> Tensor {
  try NumPy.array(MappedFile(Fixture.path(name), displayName: name))
}

@Test func npyFilesOfNumPyReadWithTheirValues() throws {
  let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6.5])
  #expect(try read("x_f32.npy") == x)
  #expect(try read("x_f64_big.npy") == x)
  #expect(try read("x_fortran.npy") == x)
  #expect(try read("y_i64.npy") == Tensor(shape: [2], scalars: [0, 2]))
  #expect(try read("t_rank3.npy") == Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Double.init)))
}

@Test func npzArchivesReadTheirMembersByName() throws {
  let arrays = try NumPyArchive.arrays(MappedFile(Fixture.path("xy.npz"), displayName: "xy.npz"))
  #expect(arrays.map(\.name) == ["X", "y"])
  #expect(arrays[0].value == Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6.5]))
  #expect(arrays[1].value == Tensor(shape: [2], scalars: [0, 2]))
  let deflated = try NumPyArchive.arrays(
    MappedFile(Fixture.path("xy_deflate.npz"), displayName: "d.npz"))
  #expect(deflated.map(\.name) == ["X", "y"])
  #expect(deflated.map(\.value) == arrays.map(\.value))
}

/// A .npy file of the given header text and data bytes.
private func npy(_ header: String, data: Int = 8, version: UInt8 = 1) -> [UInt8] {
  let text = Array(header.utf8)
  let length: [UInt8] =
    version == 1
    ? [UInt8(text.count & 0xFF), UInt8(text.count >> 8)]
    : [UInt8(text.count & 0xFF), UInt8(text.count >> 8 & 0xFF), 0, 0]
  return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + text
    + [UInt8](repeating: 0, count: data)
}

@Test(arguments: [
  (Array("NUMPY".utf8), "not a .npy file"),
  ([0x93] + Array("NUMPY".utf8) + [1, 0, 0xFF, 0xFF], "runs past the end"),
  (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"), ""),
  (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"), "needs 12 bytes"),
  (npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }"), "not one ffc reads"),
  (npy("{'descr': '<f4', 'fortran_order': False}"), "lacks"),
  (npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}"), "True or False"),
  (npy("{'descr': '<f4', 'shape': (2,), 'shape': (2,)}"), "twice"),
  (
    npy("{'descr': '<f4', 'fortran_order': False, 'shape': (9999999999999999999,), }"),
    "whole number"
  ),
  (
    npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"),
    "more elements"
  ),
  (npy("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }"), "quoted string"),
  (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", version: 2), ""),
  (npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", version: 7), "version 7"),
])
func npyRefusesBadFilesByName(bytes: [UInt8], problem: String) {
  do {
    let value = try NumPy.array(MappedFile(bytes: bytes, displayName: "bad.npy"))
    #expect(problem.isEmpty, "read a bad file")
    #expect(value == Tensor(shape: [2], scalars: [0, 0]))
  } catch {
    #expect(error.file == "bad.npy")
    #expect(!problem.isEmpty && error.description.contains(problem), "\(error.description)")
  }
}

@Test func npzRefusesDamagedArchives() throws {
  let good = Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("xy.npz"))))
  for cut in [0, 10, 30, good.count / 2, good.count - 1] {
    #expect(throws: FormatError.self) {
      try NumPyArchive.arrays(MappedFile(bytes: Array(good[..<cut]), displayName: "cut.npz"))
    }
  }
  // Every single-byte change is read or refused, never a crash or an over-read.
  for index in good.indices {
    var changed = good
    changed[index] ^= 0xFF
    _ = try? NumPyArchive.arrays(MappedFile(bytes: changed, displayName: "x.npz"))
  }
}

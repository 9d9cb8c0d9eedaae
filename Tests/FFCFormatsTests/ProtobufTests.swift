import Testing

@testable import FFCFormats

@Test func varintsRoundTripAtTheirBoundaries() throws {
  let values: [Int64] = [0, 1, 127, 128, 300, 16_383, 16_384, Int64.max, -1, Int64.min]
  var writer = ProtobufWriter()
  for value in values { writer.varint(3, value) }
  var reader = ProtobufReader(writer.bytes)
  for value in values {
    let field = try #require(try reader.nextField())
    #expect(field.number == 3 && field.type == .varint)
    #expect(Int64(bitPattern: try reader.varint()) == value)
  }
  #expect(try reader.nextField() == nil)
}

@Test func aVarintOfOneHundredFiftyIsTheSpecificationsExample() {
  var writer = ProtobufWriter()
  writer.varint(1, 150)
  #expect(writer.bytes == [0x08, 0x96, 0x01])
}

@Test func packedAndUnpackedRepeatedFieldsReadAlike() throws {
  var packed = ProtobufWriter()
  packed.packedVarints(1, [3, 270, 86_942])
  var unpacked = ProtobufWriter()
  for value: Int64 in [3, 270, 86_942] { unpacked.varint(1, value) }
  for bytes in [packed.bytes, unpacked.bytes] {
    var reader = ProtobufReader(bytes)
    var values: [Int64] = []
    while let (_, type) = try reader.nextField() { try reader.repeatedVarints(type, into: &values) }
    #expect(values == [3, 270, 86_942])
  }
  var floats = ProtobufWriter()
  floats.packedFloats(4, [1.5, -2])
  var reader = ProtobufReader(floats.bytes)
  var values: [Float] = []
  let field = try #require(try reader.nextField())
  try reader.repeatedFloats(field.type, into: &values)
  #expect(values == [1.5, -2])
}

@Test func unknownFieldsOfEveryWireTypeAreSkipped() throws {
  var writer = ProtobufWriter()
  writer.varint(9, 1 << 40)
  writer.fixed32(10, 7)
  writer.fixed64(11, 8)
  writer.string(12, "skipped")
  writer.string(2, "kept")
  var reader = ProtobufReader(writer.bytes)
  var kept: String?
  while let (field, type) = try reader.nextField() {
    if field == 2 { kept = try reader.string() } else { try reader.skip(type) }
  }
  #expect(kept == "kept")
}

@Test(
  arguments: [
    ([0x08, 0x96], "a varint is cut off"),
    ([0x12, 0x05, 0x61], "runs past the end"),
    ([0x0b], "unsupported wire type 3"),
    ([0x0d, 0x01, 0x02], "cut off"),
    ([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], "longer than 64 bits"),
    ([0x00], "field number 0"),
  ] as [([UInt8], String)])
func malformedBytesAreErrorsNotOverReads(bytes: [UInt8], message: String) {
  var reader = ProtobufReader(bytes)
  #expect {
    while let (_, type) = try reader.nextField() { try reader.skip(type) }
  } throws: { error in
    (error as? ProtobufError)?.message.contains(message) ?? false
  }
}

@Test func aKnownFieldWithTheWrongWireTypeIsAnError() {
  var writer = ProtobufWriter()
  writer.varint(7, 1)  // ModelProto.graph must be a message
  #expect(throws: ProtobufError.self) { try ONNXModel(decoding: writer.bytes) }
}

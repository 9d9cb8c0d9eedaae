import FFCFormats
import Testing

@Test func formatsModuleLinks() {
  #expect(String(describing: Formats.self) == "Formats")
}

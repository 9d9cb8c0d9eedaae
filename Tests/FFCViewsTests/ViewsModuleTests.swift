import FFCViews
import Testing

@Test func viewsModuleLinks() {
  #expect(String(describing: Views.self) == "Views")
}

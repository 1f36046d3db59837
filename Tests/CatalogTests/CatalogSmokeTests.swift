import Testing
@testable import Catalog

@Test func CatalogBuilds() { #expect(Bool(true)) }

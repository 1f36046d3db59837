import Testing
@testable import Catalog

private let validPaths: [(String, [String])] = [
    ("lake://", []),
    ("lake:///", []),
    ("lake://bronze", ["bronze"]),
    ("lake://bronze/", ["bronze"]),
    ("lake://bronze/sales/2026-11-27.csv", ["bronze", "sales", "2026-11-27.csv"]),
    ("lake://gold/año/ventas 2025.parquet", ["gold", "año", "ventas 2025.parquet"]),
    ("lake://silver/.hidden/a..b", ["silver", ".hidden", "a..b"]),
    // A combining mark after "/" forms one Character with it; the separator still splits.
    ("lake://bronze/\u{301}x", ["bronze", "\u{301}x"]),
]

private let invalidPaths: [(String, LakePath.ParseError)] = [
    ("bronze/a.csv", .missingScheme),
    ("hdfs://bronze/a.csv", .missingScheme),
    ("LAKE://bronze", .missingScheme),
    ("lake:/bronze", .missingScheme),
    ("lake://bronze//a.csv", .emptyComponent(position: 1)),
    ("lake:////bronze", .emptyComponent(position: 0)),
    ("lake://bronze/a//", .emptyComponent(position: 2)),
    ("lake://bronze/../gold", .dotComponent(position: 1)),
    ("lake://bronze/./a", .dotComponent(position: 1)),
    ("lake://..", .dotComponent(position: 0)),
    ("lake://bronze/a\u{0}b", .controlCharacter(position: 1, scalar: 0)),
    ("lake://bronze/a\nb", .controlCharacter(position: 1, scalar: 0x0A)),
    ("lake://bronze/\u{7F}", .controlCharacter(position: 1, scalar: 0x7F)),
    ("lake://bronze/\u{85}", .controlCharacter(position: 1, scalar: 0x85)),
    ("lake://platinum/a.csv", .unknownZone("platinum")),
    ("lake://Bronze", .unknownZone("Bronze")),
    ("lake://bronze/" + String(repeating: "x", count: 256), .componentTooLong(position: 1, bytes: 256, limit: 255)),
    ("lake://bronze/" + Array(repeating: String(repeating: "y", count: 202), count: 5).joined(separator: "/"),
     .tooLong(bytes: 1028, limit: 1024)),
    ("lake://" + String(repeating: "z", count: 2000), .tooLong(bytes: 2007, limit: 1024)),
    ("lake://bronze" + String(repeating: "/d", count: 64), .tooDeep(components: 65, limit: 64)),
]

private let prefixCases: [(String, String, Bool)] = [
    ("lake://bronze/sales/a.csv", "lake://bronze/sales", true),
    ("lake://bronze/sales/a.csv", "lake://bronze/sales/", true),
    ("lake://bronze/sales", "lake://bronze/sales", true),
    ("lake://bronze/sales", "lake://", true),
    ("lake://bronze/sales2/a.csv", "lake://bronze/sales", false),
    ("lake://bronze/sa", "lake://bronze/sales", false),
    ("lake://bronze", "lake://bronze/sales", false),
    ("lake://silver/sales", "lake://bronze/sales", false),
]

/// Path rules after the Hadoop FileSystem specification ("Paths and Path Elements": no empty,
/// `.` or `..` elements), plus a closed set of zones at the top (DESIGN.md, "Medallion ETL").
@Suite struct LakePathTests {
    @Test(arguments: validPaths)
    func parsesValidPaths(text: String, components: [String]) throws {
        let parsed = try LakePath(text)
        #expect(parsed.components == components)
        #expect(try LakePath(parsed.description) == parsed)
    }

    @Test(arguments: invalidPaths)
    func refusesInvalidPaths(text: String, expected: LakePath.ParseError) {
        #expect(throws: expected) { try LakePath(text) }
    }

    @Test func componentsAreCheckedToo() {
        #expect(throws: LakePath.ParseError.slashInComponent(position: 1)) { try LakePath(components: ["bronze", "a/b"]) }
        #expect(throws: LakePath.ParseError.unknownZone("x")) { try LakePath(components: ["x"]) }
    }

    @Test func navigation() {
        let file = path("lake://bronze/sales/2026/a.csv")
        #expect(file.parent == path("lake://bronze/sales/2026"))
        #expect(file.name == "a.csv")
        #expect(file.zone == .bronze)
        #expect(file.ancestors.map(\.description) == ["lake://", "lake://bronze", "lake://bronze/sales", "lake://bronze/sales/2026"])
        #expect(LakePath.root.parent == nil)
        #expect(LakePath.root.zone == nil)
        #expect(path("lake://gold").parent == .root)
        #expect(path("lake://gold").isZone)
    }

    @Test(arguments: prefixCases)
    func prefixMatchingIsComponentWise(candidate: String, prefix: String, within: Bool) {
        #expect(path(candidate).isWithin(path(prefix)) == within)
    }

    @Test func ordersComponentWiseSoSubtreesAreContiguous() {
        // As whole strings "a-b" < "a/z" ('-' < '/'), which would split a's subtree.
        let sorted = ["lake://bronze/a-b", "lake://bronze/a/z", "lake://bronze/a", "lake://", "lake://bronze/b"]
            .map(path).sorted().map(\.description)
        #expect(sorted == ["lake://", "lake://bronze/a", "lake://bronze/a/z", "lake://bronze/a-b", "lake://bronze/b"])
    }

    @Test func comparesBytesNotCanonicalEquivalence() {
        let composed = path("lake://bronze/caf\u{E9}")
        let decomposed = path("lake://bronze/cafe\u{301}")
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        #expect((composed < decomposed) != (decomposed < composed))
    }

    @Test func replacingPrefixRevalidates() throws {
        let deep = path("lake://bronze/a/" + String(repeating: "q", count: 200))
        let moved = try deep.replacingPrefix(path("lake://bronze/a"), with: path("lake://silver/b"))
        #expect(moved.description == "lake://silver/b/" + String(repeating: "q", count: 200))
        let long = path("lake://gold/" + Array(repeating: String(repeating: "w", count: 200), count: 5).joined(separator: "/"))
        #expect(throws: LakePath.ParseError.self) { try deep.replacingPrefix(path("lake://bronze/a"), with: long) }
    }
}

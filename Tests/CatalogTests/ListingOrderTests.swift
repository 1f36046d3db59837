import Testing
@testable import Catalog

/// `ls` pages resume after a cursor by `State.listedBefore`, so that order must
/// be exactly the order `list` returns: a folder, then its contents, names in
/// byte order — which is not the byte order of whole paths ("a-c" < "a/b").
@Suite struct ListingOrderTests {
    @Test func listOrderIsListedBeforeOrder() {
        var harness = Harness.bootstrapped()
        for path in ["lake://bronze/a/b.csv", "lake://bronze/a-c.csv", "lake://bronze/a/z/y.csv", "lake://bronze/b.csv",
                     "lake://bronze/a0.csv", "lake://bronze/A.csv"] {
            #expect(harness.put(path, [path.count]).refusal == nil, "\(path)")
        }
        let listed = ((try? harness.state.list(prefix: path("lake://bronze"), recursive: true)) ?? []).map(\.path)
        #expect(listed.count == 8, "6 files and the folders a and a/z")
        for (earlier, later) in zip(listed, listed.dropFirst()) {
            #expect(Catalog.State.listedBefore(earlier, later) && !Catalog.State.listedBefore(later, earlier),
                    "\(earlier) then \(later)")
        }
        #expect(listed.map(\.description).prefix(3) == ["lake://bronze/A.csv", "lake://bronze/a", "lake://bronze/a/b.csv"])
    }
}

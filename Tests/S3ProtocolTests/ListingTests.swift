import Testing
@testable import S3Protocol

struct ListingTests {
    static func objects(_ keys: [String]) -> [ObjectSummary] {
        keys.map { ObjectSummary(key: $0, sizeBytes: 1, lastModifiedEpochMillis: 0, etag: "\"e\"") }
    }

    @Test func pagesWalkEveryKeyOnceInByteOrder() {
        let keys = (0..<25).map { "k\($0 < 10 ? "0" : "")\($0)" } + ["a/b", "a-b"]
        var seen: [String] = []
        var request = ListRequest(maxKeys: 4)
        var pages = 0
        while true {
            let page = ListPage.make(Self.objects(keys.shuffled()), request: request)
            seen += page.objects.map(\.key)
            pages += 1
            guard page.isTruncated, let next = page.nextMarker else { break }
            #expect(ListPage.marker(fromToken: ListPage.token(for: next)) == next)
            request.after = next
        }
        #expect(seen == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(seen.first == "a-b")
        #expect(pages == 7)
    }

    @Test func delimiterGroupsCommonPrefixesAcrossPages() {
        let keys = ["d/1", "d/2", "d/3", "e", "f/x/1", "f/y", "g"]
        let first = ListPage.make(Self.objects(keys), request: ListRequest(delimiter: "/", maxKeys: 2))
        #expect(first.commonPrefixes == ["d/"])
        #expect(first.objects.map(\.key) == ["e"])
        #expect(first.isTruncated)
        let second = ListPage.make(Self.objects(keys), request: ListRequest(delimiter: "/", maxKeys: 2, after: first.nextMarker))
        #expect(second.commonPrefixes == ["f/"])
        #expect(second.objects.map(\.key) == ["g"])
        #expect(!second.isTruncated)
        let inside = ListPage.make(Self.objects(keys), request: ListRequest(prefix: "f/", delimiter: "/"))
        #expect(inside.commonPrefixes == ["f/x/"])
        #expect(inside.objects.map(\.key) == ["f/y"])
    }

    @Test func badTokensAreRefused() {
        #expect(ListPage.marker(fromToken: "zz") == nil)
        #expect(ListPage.marker(fromToken: "1abc") == nil)
        let request = S3Request(method: "GET", target: "/b?list-type=2&continuation-token=nope", headers: [])
        #expect(throws: S3Error.self) { try ListRequest(query: request, v2: true) }
        let negative = S3Request(method: "GET", target: "/b?list-type=2&max-keys=-1", headers: [])
        #expect(throws: S3Error.self) { try ListRequest(query: negative, v2: true) }
    }

    @Test(arguments: [
        ("bytes=0-9", Int64(100), Int64(0), Int64(10)),
        ("bytes=90-", 100, 90, 10),
        ("bytes=-5", 100, 95, 5),
        ("bytes=50-1000", 100, 50, 50),
        ("bytes=-500", 100, 0, 100),
    ])
    func ranges(header: String, size: Int64, offset: Int64, length: Int64) throws {
        let range = try #require(ByteRange.parse(header))
        let resolved = try range.resolve(size: size)
        #expect(resolved.offset == offset && resolved.length == length)
    }

    @Test func unsatisfiableAndIgnoredRanges() throws {
        #expect(throws: S3Error.self) { try ByteRange.parse("bytes=100-")?.resolve(size: 100) }
        #expect(ByteRange.parse("bytes=5-1") == nil)
        #expect(ByteRange.parse("bytes=0-1,3-4") == nil)
        #expect(ByteRange.parse("items=0-1") == nil)
    }

    @Test func preconditions() {
        let etag = "\"abc\""
        #expect(throws: Never.self) { try Preconditions(ifMatch: "abc").check(etag: etag, lastModifiedEpochSeconds: 10) }
        #expect { try Preconditions(ifMatch: "\"other\"").check(etag: etag, lastModifiedEpochSeconds: 10) }
            throws: { ($0 as? S3Error)?.code == .preconditionFailed }
        #expect { try Preconditions(ifNoneMatch: "*").check(etag: etag, lastModifiedEpochSeconds: 10) }
            throws: { ($0 as? S3Error)?.code == .notModified }
        #expect { try Preconditions(ifModifiedSince: 10).check(etag: etag, lastModifiedEpochSeconds: 10) }
            throws: { ($0 as? S3Error)?.code == .notModified }
        #expect(throws: Never.self) { try Preconditions(ifModifiedSince: 9).check(etag: etag, lastModifiedEpochSeconds: 10) }
    }

    @Test func routes() throws {
        func route(_ method: String, _ target: String, _ headers: [(String, String)] = []) throws -> Operation {
            try Operation.route(S3Request(method: method, target: target, headers: headers.map { (name: $0.0, value: $0.1) }))
        }
        #expect(try route("GET", "/") == .listBuckets)
        #expect(try route("GET", "/gold?list-type=2&prefix=a") == .listObjectsV2(bucket: "gold"))
        #expect(try route("GET", "/gold") == .listObjectsV1(bucket: "gold"))
        #expect(try route("PUT", "/gold/a%20b/c.parquet") == .putObject(bucket: "gold", key: "a b/c.parquet"))
        #expect(try route("PUT", "/gold/k", [("x-amz-copy-source", "/gold/j")]) == .copyObject(bucket: "gold", key: "k", source: "/gold/j"))
        #expect(try route("POST", "/gold/k?uploads") == .createMultipartUpload(bucket: "gold", key: "k"))
        #expect(try route("PUT", "/gold/k?partNumber=2&uploadId=u") == .uploadPart(bucket: "gold", key: "k", uploadID: "u", partNumber: 2))
        #expect(throws: S3Error.self) { try route("PUT", "/gold/k?partNumber=0&uploadId=u") }
        #expect(throws: S3Error.self) { try route("PATCH", "/gold/k") }
        #expect(throws: S3Error.self) { try route("GET", "/gold/%zz") }
        #expect(try Operation.copySource("gold/a%2Fb?versionId=1") == ("gold", "a/b"))
    }

    @Test func xmlReaderTakesDeleteAndRefusesHostileInput() throws {
        let body = Array("<?xml version=\"1.0\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key></Object><Quiet>true</Quiet></Delete>".utf8)
        let parsed = try XML.parseDelete(body)
        #expect(parsed.keys == ["a&b", "c"])
        #expect(parsed.quiet)
        for hostile in ["<Delete>", "<Delete><Object></Delete>", "<!DOCTYPE x [<!ENTITY a 'b'>]><Delete/>", "",
                        String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100), "<Delete>&bogus;</Delete>"] {
            #expect { try XML.parseDelete(Array(hostile.utf8)) } throws: { ($0 as? S3Error)?.code == .malformedXML }
        }
        #expect(XML.escape("<a&'\">") == "&lt;a&amp;&apos;&quot;&gt;")
    }
}

import Testing
@testable import S3Protocol

/// The worked examples of the S3 API reference ("Signature Calculations for the Authorization
/// Header: Transferring Payload in a Single Chunk" and "Authenticating Requests: Using Query
/// Parameters"), with their published signatures.
struct SigV4Tests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let exampleTime = SigV4.epochSeconds(amzDate: "20130524T000000Z")!

    static var getObject: S3Request {
        S3Request(method: "GET", target: "/test.txt", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
            ("Range", "bytes=0-9"),
            ("x-amz-content-sha256", SigV4.emptyPayloadHash),
            ("x-amz-date", "20130524T000000Z"),
        ])
    }

    @Test func getObjectExampleCanonicalRequestAndSignature() throws {
        let request = Self.getObject
        let claim = try #require(try SigV4.claim(of: request))
        #expect(claim.accessKeyID == "AKIAIOSFODNN7EXAMPLE")
        let canonical = try SigV4.canonicalRequest(request, claim: claim)
        #expect(canonical == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        #expect(Digest.sha256Hex(canonical) == "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        _ = try SigV4.verify(request, claim: claim, secret: Self.secret, nowEpochSeconds: Self.exampleTime + 60)
    }

    @Test func putObjectExample() throws {
        let request = S3Request(method: "PUT", target: "/test%24file.text", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"),
            ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"),
        ])
        #expect(Hex.encodeForTest(Digest.sha256(Array("Welcome to Amazon S3.".utf8))) == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let claim = try #require(try SigV4.claim(of: request))
        _ = try SigV4.verify(request, claim: claim, secret: Self.secret, nowEpochSeconds: Self.exampleTime)
    }

    @Test func presignedExample() throws {
        let target = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        let request = S3Request(method: "GET", target: target, headers: [("Host", "examplebucket.s3.amazonaws.com")])
        let claim = try #require(try SigV4.claim(of: request))
        #expect(claim.isPresigned)
        #expect(claim.payloadHash == SigV4.unsignedPayload)
        _ = try SigV4.verify(request, claim: claim, secret: Self.secret, nowEpochSeconds: Self.exampleTime + 3600)
        // A day and a second later it has expired.
        #expect(throws: S3Error(.accessDenied, "Request has expired")) {
            try SigV4.verify(request, claim: claim, secret: Self.secret, nowEpochSeconds: Self.exampleTime + 86_401)
        }
    }

    @Test func wrongSecretTamperingAndSkewAreRefused() throws {
        let request = Self.getObject
        let claim = try #require(try SigV4.claim(of: request))
        #expect { try SigV4.verify(request, claim: claim, secret: "not-the-secret", nowEpochSeconds: Self.exampleTime) }
            throws: { ($0 as? S3Error)?.code == .signatureDoesNotMatch }
        var tampered = request
        tampered.headers[2] = ("Range", "bytes=0-99")
        #expect { try SigV4.verify(tampered, claim: claim, secret: Self.secret, nowEpochSeconds: Self.exampleTime) }
            throws: { ($0 as? S3Error)?.code == .signatureDoesNotMatch }
        var flipped = claim
        flipped.signature = "0" + claim.signature.dropFirst()
        #expect { try SigV4.verify(request, claim: flipped, secret: Self.secret, nowEpochSeconds: Self.exampleTime) }
            throws: { ($0 as? S3Error)?.code == .signatureDoesNotMatch }
        #expect { try SigV4.verify(request, claim: claim, secret: Self.secret, nowEpochSeconds: Self.exampleTime + 3600) }
            throws: { ($0 as? S3Error)?.code == .requestTimeTooSkewed }
    }

    @Test func malformedAuthorizationGetsTypedErrors() throws {
        for header in ["AWS4-HMAC-SHA256 garbage", "AWS4-HMAC-SHA256 Credential=a/b,SignedHeaders=host,Signature=00", "Basic abc"] {
            let request = S3Request(method: "GET", target: "/", headers: [("Authorization", header), ("x-amz-date", "20130524T000000Z"), ("x-amz-content-sha256", "x")])
            #expect(throws: S3Error.self) { try SigV4.claim(of: request) }
        }
        #expect(try SigV4.claim(of: S3Request(method: "GET", target: "/", headers: [])) == nil)
    }

    @Test(arguments: [
        ("20130524T000000Z", Int64(1_369_353_600)),
        ("19700101T000000Z", 0),
        ("20261202T185016Z", 1_796_237_416),
    ])
    func amzDates(text: String, seconds: Int64) {
        #expect(SigV4.epochSeconds(amzDate: text) == seconds)
        #expect(SigV4.amzDate(epochSeconds: seconds) == text)
    }

    @Test func httpDates() {
        #expect(CivilTime.httpDate(epochSeconds: 1_369_353_600) == "Fri, 24 May 2013 00:00:00 GMT")
        #expect(CivilTime.parseHTTPDate("Fri, 24 May 2013 00:00:00 GMT") == 1_369_353_600)
        #expect(CivilTime.iso8601(epochMillis: 1_369_353_600_123) == "2013-05-24T00:00:00.123Z")
    }

    @Test func uriEncoding() {
        #expect(URIEncoding.encode("a b/c$~", keepSlash: true) == "a%20b/c%24~")
        #expect(URIEncoding.encode("a/b", keepSlash: false) == "a%2Fb")
        #expect(URIEncoding.decode("a%2", plusIsSpace: false) == nil)
        #expect(URIEncoding.decode("%ff", plusIsSpace: false) == nil)
        #expect(URIEncoding.decode("a+b%20c", plusIsSpace: true) == "a b c")
    }
}

import YonkeCore
extension Hex {
    static func encodeForTest(_ bytes: [UInt8]) -> String { encode(bytes) }
}

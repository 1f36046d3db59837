import YonkeCore

/// AWS Signature Version 4 as S3 uses it (the S3 API reference, "Authenticating Requests (AWS
/// Signature Version 4)"): in the `Authorization` header or in a presigned URL's query. Pure:
/// the caller passes the clock and looks the secret up.
public enum SigV4 {
    public static let algorithm = "AWS4-HMAC-SHA256"
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let streamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    public static let streamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    /// How far a header-signed request's `x-amz-date` may be from the server's clock (S3: 15 min).
    public static let allowedSkewSeconds: Int64 = 15 * 60
    /// The longest a presigned URL may live (S3: seven days).
    public static let maxPresignSeconds: Int64 = 7 * 24 * 3600

    /// What a request claims: who signed, when, over which headers, and the signature.
    public struct Claim: Sendable, Equatable {
        public var accessKeyID: String
        /// `yyyyMMdd`, `region`, `service` of the credential scope.
        public var date: String
        public var region: String
        public var service: String
        /// `yyyyMMdd'T'HHmmss'Z'`.
        public var amzDate: String
        public var signedHeaders: [String]
        public var signature: String
        /// The payload hash the signature covers (`x-amz-content-sha256`, or UNSIGNED-PAYLOAD).
        public var payloadHash: String
        /// Presigned: how long from `amzDate` the URL is valid.
        public var expiresSeconds: Int64?

        public var scope: String { "\(date)/\(region)/\(service)/aws4_request" }
        public var isPresigned: Bool { expiresSeconds != nil }
    }

    /// Finds the signature in the request; nil if it carries none (anonymous).
    public static func claim(of request: S3Request) throws(S3Error) -> Claim? {
        if let header = request.header("authorization") { return try headerClaim(header, request: request) }
        if request.queryValue("X-Amz-Algorithm") != nil { return try presignedClaim(request) }
        return nil
    }

    static func headerClaim(_ header: String, request: S3Request) throws(S3Error) -> Claim {
        let malformed = { (why: String) in S3Error(.authorizationHeaderMalformed, "the Authorization header is malformed: \(why)") }
        guard header.hasPrefix(algorithm + " ") else {
            if header.hasPrefix("AWS ") { throw S3Error(.invalidRequest, "Signature Version 2 is not supported; use SigV4 (AWS4-HMAC-SHA256)") }
            throw malformed("it must start with \(algorithm)")
        }
        var fields: [String: String] = [:]
        for part in header.dropFirst(algorithm.count + 1).split(separator: ",") {
            let trimmed = part.trimmingSpaces
            guard let equals = trimmed.firstIndex(of: "=") else { throw malformed("'\(trimmed)' is not NAME=VALUE") }
            fields[String(trimmed[..<equals])] = String(trimmed[trimmed.index(after: equals)...])
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else {
            throw malformed("Credential, SignedHeaders and Signature are all needed")
        }
        guard let amzDate = request.header("x-amz-date") ?? request.header("date") else {
            throw S3Error(.accessDenied, "the request has no x-amz-date header")
        }
        guard let payload = request.header("x-amz-content-sha256") else {
            throw S3Error(.invalidRequest, "the request has no x-amz-content-sha256 header (SigV4 needs it for S3)")
        }
        let scope = try parseCredential(credential, malformed: malformed)
        return Claim(accessKeyID: scope.key, date: scope.date, region: scope.region, service: scope.service,
                     amzDate: amzDate, signedHeaders: signed.split(separator: ";").map(String.init),
                     signature: signature.lowercased(), payloadHash: payload, expiresSeconds: nil)
    }

    static func presignedClaim(_ request: S3Request) throws(S3Error) -> Claim {
        let malformed = { (why: String) in S3Error(.authorizationQueryParametersError, "the presigned URL is malformed: \(why)") }
        guard request.queryValue("X-Amz-Algorithm") == algorithm else { throw malformed("X-Amz-Algorithm must be \(algorithm)") }
        guard let credential = request.queryValue("X-Amz-Credential"), let amzDate = request.queryValue("X-Amz-Date"),
              let signed = request.queryValue("X-Amz-SignedHeaders"), let signature = request.queryValue("X-Amz-Signature"),
              let expiresText = request.queryValue("X-Amz-Expires") else {
            throw malformed("X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature are all needed")
        }
        guard let expires = Int64(expiresText), expires >= 1, expires <= maxPresignSeconds else {
            throw malformed("X-Amz-Expires must be 1…\(maxPresignSeconds) seconds")
        }
        let scope = try parseCredential(credential, malformed: malformed)
        return Claim(accessKeyID: scope.key, date: scope.date, region: scope.region, service: scope.service,
                     amzDate: amzDate, signedHeaders: signed.split(separator: ";").map(String.init),
                     signature: signature.lowercased(),
                     payloadHash: request.header("x-amz-content-sha256") ?? unsignedPayload, expiresSeconds: expires)
    }

    private static func parseCredential(_ text: String, malformed: (String) -> S3Error) throws(S3Error)
        -> (key: String, date: String, region: String, service: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[4] == "aws4_request", !parts[0].isEmpty, parts[1].count == 8 else {
            throw malformed("Credential must be KEY/yyyyMMdd/REGION/SERVICE/aws4_request")
        }
        return (parts[0], parts[1], parts[2], parts[3])
    }

    // MARK: - The canonical request

    /// The canonical request (step 1 of the signing process), from the raw request.
    public static func canonicalRequest(_ request: S3Request, claim: Claim) throws(S3Error) -> String {
        guard let decodedPath = URIEncoding.decode(request.rawPath, plusIsSpace: false) else {
            throw S3Error(.invalidURI, "the request path is not valid percent-encoding")
        }
        let uri = URIEncoding.encode(decodedPath.isEmpty ? "/" : decodedPath, keepSlash: true)
        var pairs: [(String, String)] = []
        for (name, value) in request.query where !(claim.isPresigned && name == "X-Amz-Signature") {
            pairs.append((URIEncoding.encode(name, keepSlash: false), URIEncoding.encode(value, keepSlash: false)))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let query = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        var headerLines = ""
        let signed = claim.signedHeaders.map { $0.lowercased() }
        guard signed.contains("host") else { throw S3Error(.accessDenied, "the signature must cover the host header") }
        for name in signed {
            let values = request.headers.filter { $0.name.lowercased() == name }.map { collapseSpaces($0.value) }
            guard !values.isEmpty else { throw S3Error(.accessDenied, "signed header '\(name)' is not in the request") }
            headerLines += name + ":" + values.joined(separator: ",") + "\n"
        }
        return [request.method, uri, query, headerLines, signed.joined(separator: ";"), claim.payloadHash].joined(separator: "\n")
    }

    public static func stringToSign(canonicalRequest: String, claim: Claim) -> String {
        [algorithm, claim.amzDate, claim.scope, Digest.sha256Hex(canonicalRequest)].joined(separator: "\n")
    }

    public static func signingKey(secret: String, date: String, region: String, service: String) -> [UInt8] {
        let dateKey = Digest.hmacSHA256(key: Array(("AWS4" + secret).utf8), date)
        let regionKey = Digest.hmacSHA256(key: dateKey, region)
        let serviceKey = Digest.hmacSHA256(key: regionKey, service)
        return Digest.hmacSHA256(key: serviceKey, "aws4_request")
    }

    public static func signature(stringToSign: String, signingKey: [UInt8]) -> String {
        Hex.encode(Digest.hmacSHA256(key: signingKey, stringToSign))
    }

    /// Checks the claim against the secret and the clock; returns the signing key (aws-chunked
    /// uploads sign each chunk with it, chained from this signature).
    public static func verify(_ request: S3Request, claim: Claim, secret: String, nowEpochSeconds: Int64) throws(S3Error) -> [UInt8] {
        guard claim.service == "s3" else { throw S3Error(.signatureDoesNotMatch, "the credential scope's service must be s3") }
        guard let signedAt = epochSeconds(amzDate: claim.amzDate) else {
            throw S3Error(.accessDenied, "x-amz-date '\(claim.amzDate)' is not yyyyMMdd'T'HHmmss'Z'")
        }
        guard claim.amzDate.hasPrefix(claim.date) else {
            throw S3Error(.signatureDoesNotMatch, "the credential scope's date is not the request's date")
        }
        if let expires = claim.expiresSeconds {
            guard nowEpochSeconds <= signedAt + expires else { throw S3Error(.accessDenied, "Request has expired") }
            guard signedAt <= nowEpochSeconds + allowedSkewSeconds else { throw S3Error(.accessDenied, "the presigned URL is dated in the future") }
        } else {
            guard abs(nowEpochSeconds - signedAt) <= allowedSkewSeconds else {
                throw S3Error(.requestTimeTooSkewed, "the difference between the request time and the server's time is too large")
            }
        }
        let canonical = try canonicalRequest(request, claim: claim)
        let toSign = stringToSign(canonicalRequest: canonical, claim: claim)
        let key = signingKey(secret: secret, date: claim.date, region: claim.region, service: claim.service)
        let expected = signature(stringToSign: toSign, signingKey: key)
        guard constantTimeEqual(expected, claim.signature) else {
            throw S3Error(.signatureDoesNotMatch, "The request signature we calculated does not match the signature you provided. Check your key and signing method.")
        }
        return key
    }

    /// The string to sign of one aws-chunked chunk (S3 API reference, "Signature Calculations
    /// for the Authorization Header: Transferring Payload in Multiple Chunks").
    public static func chunkStringToSign(claim: Claim, previousSignature: String, chunkSHA256Hex: String) -> String {
        [algorithm + "-PAYLOAD", claim.amzDate, claim.scope, previousSignature, emptyPayloadHash, chunkSHA256Hex].joined(separator: "\n")
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    private static func collapseSpaces(_ value: String) -> String {
        var out = ""
        var lastWasSpace = false
        for character in value.trimmingSpaces {
            if character == " " || character == "\t" {
                if !lastWasSpace { out.append(" ") }
                lastWasSpace = true
            } else {
                out.append(character)
                lastWasSpace = false
            }
        }
        return out
    }

    /// `20130524T000000Z` → seconds since 1970 (UTC); nil if malformed.
    public static func epochSeconds(amzDate: String) -> Int64? {
        let bytes = Array(amzDate.utf8)
        guard bytes.count == 16, bytes[8] == UInt8(ascii: "T"), bytes[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        return CivilTime.daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
    }

    /// Formats seconds since 1970 as `yyyyMMdd'T'HHmmss'Z'`.
    public static func amzDate(epochSeconds: Int64) -> String {
        let (year, month, day, hour, minute, second) = CivilTime.civil(epochSeconds: epochSeconds)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)\(two(month))\(two(day))T\(two(hour))\(two(minute))\(two(second))Z"
    }
}

/// Proleptic Gregorian calendar arithmetic (H. Hinnant's days-from-civil), so the pure core needs
/// no Foundation date formatter.
public enum CivilTime {
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(epochSeconds: Int64) -> (Int64, Int64, Int64, Int64, Int64, Int64) {
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let secondsOfDay = epochSeconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondsOfDay / 3600, secondsOfDay % 3600 / 60, secondsOfDay % 60)
    }

    /// RFC 1123 (`Wed, 21 Oct 2015 07:28:00 GMT`), for Last-Modified.
    public static func httpDate(epochSeconds: Int64) -> String {
        let (year, month, day, hour, minute, second) = civil(epochSeconds: epochSeconds)
        let days = epochSeconds >= 0 ? epochSeconds / 86_400 : (epochSeconds - 86_399) / 86_400
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(weekday), \(two(day)) \(months[Int(month - 1)]) \(year) \(two(hour)):\(two(minute)):\(two(second)) GMT"
    }

    /// Parses RFC 1123 dates (`If-Modified-Since`); nil if malformed.
    public static func parseHTTPDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT",
              let day = Int64(parts[1]), let year = Int64(parts[3]) else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let monthIndex = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3, (1...31).contains(day), clock[0] < 24, clock[1] < 60, clock[2] < 61 else { return nil }
        return daysFromCivil(year: year, month: Int64(monthIndex + 1), day: day) * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    /// ISO 8601 with milliseconds (`2026-12-02T18:50:16.000Z`), for XML listings.
    public static func iso8601(epochMillis: Int64) -> String {
        let seconds = epochMillis >= 0 ? epochMillis / 1000 : (epochMillis - 999) / 1000
        let millis = epochMillis - seconds * 1000
        let (year, month, day, hour, minute, second) = civil(epochSeconds: seconds)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second)).\(ms)Z"
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return slice
    }
}

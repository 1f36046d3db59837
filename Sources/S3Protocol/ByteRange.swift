/// `Range: bytes=…` as GetObject takes it (RFC 9110 §14.1.2, one range only, as S3).
public enum ByteRange: Sendable, Equatable {
    case from(Int64, through: Int64?)
    case suffix(Int64)

    /// nil when the header is not a single bytes range S3 would honour (S3 then ignores it).
    public static func parse(_ header: String) -> ByteRange? {
        guard header.hasPrefix("bytes=") else { return nil }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let count = Int64(last), count >= 0 else { return nil }
            return .suffix(count)
        }
        guard let start = Int64(first), start >= 0 else { return nil }
        if last.isEmpty { return .from(start, through: nil) }
        guard let end = Int64(last), end >= start else { return nil }
        return .from(start, through: end)
    }

    /// The bytes to send of an object of `size`: offset and length; `InvalidRange` when none.
    public func resolve(size: Int64) throws(S3Error) -> (offset: Int64, length: Int64) {
        switch self {
        case .from(let start, let end):
            guard start < size else {
                throw S3Error(.invalidRange, "The requested range is not satisfiable (object is \(size) bytes)")
            }
            let last = min(end ?? (size - 1), size - 1)
            return (start, last - start + 1)
        case .suffix(let count):
            guard count > 0, size > 0 else { throw S3Error(.invalidRange, "The requested range is not satisfiable") }
            let length = min(count, size)
            return (size - length, length)
        }
    }
}

/// GetObject/HeadObject preconditions (S3 API reference, GetObject, "If-Match" etc.): ETags
/// compare with or without quotes; dates in seconds.
public struct Preconditions: Sendable, Equatable {
    public var ifMatch: String?
    public var ifNoneMatch: String?
    public var ifModifiedSince: Int64?
    public var ifUnmodifiedSince: Int64?

    public init(request: S3Request) {
        ifMatch = request.header("if-match")
        ifNoneMatch = request.header("if-none-match")
        ifModifiedSince = request.header("if-modified-since").flatMap(CivilTime.parseHTTPDate)
        ifUnmodifiedSince = request.header("if-unmodified-since").flatMap(CivilTime.parseHTTPDate)
    }

    public init(ifMatch: String? = nil, ifNoneMatch: String? = nil, ifModifiedSince: Int64? = nil, ifUnmodifiedSince: Int64? = nil) {
        self.ifMatch = ifMatch
        self.ifNoneMatch = ifNoneMatch
        self.ifModifiedSince = ifModifiedSince
        self.ifUnmodifiedSince = ifUnmodifiedSince
    }

    /// Throws `PreconditionFailed` (412) or `NotModified` (304) in S3's order of evaluation.
    public func check(etag: String, lastModifiedEpochSeconds: Int64) throws(S3Error) {
        if let ifMatch {
            guard Self.matches(ifMatch, etag) else { throw S3Error(.preconditionFailed, "At least one of the pre-conditions you specified did not hold") }
        } else if let since = ifUnmodifiedSince, lastModifiedEpochSeconds > since {
            throw S3Error(.preconditionFailed, "At least one of the pre-conditions you specified did not hold")
        }
        if let ifNoneMatch {
            if Self.matches(ifNoneMatch, etag) { throw S3Error(.notModified, "Not Modified") }
        } else if let since = ifModifiedSince, lastModifiedEpochSeconds <= since {
            throw S3Error(.notModified, "Not Modified")
        }
    }

    static func matches(_ header: String, _ etag: String) -> Bool {
        let bare = { (text: Substring) in text.trimmingSpaces.replacing("\"", with: "") }
        let wanted = bare(Substring(etag))
        return header.split(separator: ",").contains { bare($0) == "*" || bare($0) == wanted }
    }
}

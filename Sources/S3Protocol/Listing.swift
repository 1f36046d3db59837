/// One object as a listing shows it.
public struct ObjectSummary: Sendable, Equatable {
    public var key: String
    public var sizeBytes: Int64
    public var lastModifiedEpochMillis: Int64
    public var etag: String

    public init(key: String, sizeBytes: Int64, lastModifiedEpochMillis: Int64, etag: String) {
        self.key = key
        self.sizeBytes = sizeBytes
        self.lastModifiedEpochMillis = lastModifiedEpochMillis
        self.etag = etag
    }
}

/// What ListObjects (v1 or v2) asks for.
public struct ListRequest: Sendable, Equatable {
    public static let maxKeysLimit = 1000

    public var prefix: String
    public var delimiter: String?
    public var maxKeys: Int
    /// Keys (and common prefixes) at or before this are skipped: v2's start-after or decoded
    /// continuation token, v1's marker.
    public var after: String?

    public init(prefix: String = "", delimiter: String? = nil, maxKeys: Int = maxKeysLimit, after: String? = nil) {
        self.prefix = prefix
        self.delimiter = delimiter
        self.maxKeys = maxKeys
        self.after = after
    }

    /// From a ListObjectsV2 (`v2`) or v1 query.
    public init(query request: S3Request, v2: Bool) throws(S3Error) {
        prefix = request.queryValue("prefix") ?? ""
        let delimiter = request.queryValue("delimiter")
        self.delimiter = (delimiter?.isEmpty ?? true) ? nil : delimiter
        if let text = request.queryValue("max-keys") {
            guard let value = Int(text), value >= 0 else { throw S3Error(.invalidArgument, "max-keys must be a non-negative integer") }
            maxKeys = min(value, Self.maxKeysLimit)
        } else {
            maxKeys = Self.maxKeysLimit
        }
        if v2 {
            if let token = request.queryValue("continuation-token") {
                guard let decoded = ListPage.marker(fromToken: token) else {
                    throw S3Error(.invalidArgument, "The continuation token provided is incorrect")
                }
                after = decoded
            } else {
                after = request.queryValue("start-after").flatMap { $0.isEmpty ? nil : $0 }
            }
        } else {
            after = request.queryValue("marker").flatMap { $0.isEmpty ? nil : $0 }
        }
    }
}

/// One page of a listing: S3's rules (objects and common prefixes in key byte order, together
/// at most max-keys; a common prefix counts once).
public struct ListPage: Sendable, Equatable {
    public var objects: [ObjectSummary] = []
    public var commonPrefixes: [String] = []
    public var isTruncated = false
    /// The last key or prefix returned when truncated: where the next page starts after.
    public var nextMarker: String?

    /// `objects` in any order; sorted here by UTF-8 bytes, as S3 orders keys.
    public static func make(_ objects: [ObjectSummary], request: ListRequest) -> ListPage {
        let sorted = objects.filter { $0.key.utf8.starts(with: request.prefix.utf8) }
            .sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        var page = ListPage()
        var count = 0
        var lastPrefix: String?
        for object in sorted {
            if let after = request.after, !after.utf8.lexicographicallyPrecedes(object.key.utf8) { continue }
            var commonPrefix: String?
            if let delimiter = request.delimiter {
                let rest = object.key.utf8.dropFirst(request.prefix.utf8.count)
                if let range = String(decoding: rest, as: UTF8.self).range(of: delimiter) {
                    let restString = String(decoding: rest, as: UTF8.self)
                    commonPrefix = request.prefix + restString[..<range.upperBound]
                }
            }
            if let commonPrefix {
                if commonPrefix == lastPrefix { continue }
                // A prefix at or before the marker was returned on an earlier page.
                if let after = request.after, !after.utf8.lexicographicallyPrecedes(commonPrefix.utf8) || after.hasPrefix(commonPrefix) { continue }
                if count == request.maxKeys { page.isTruncated = true; break }
                page.commonPrefixes.append(commonPrefix)
                lastPrefix = commonPrefix
                page.nextMarker = commonPrefix
            } else {
                if count == request.maxKeys { page.isTruncated = true; break }
                page.objects.append(object)
                page.nextMarker = object.key
            }
            count += 1
        }
        if !page.isTruncated { page.nextMarker = nil }
        return page
    }

    /// Continuation tokens are opaque to clients: the marker, hex-encoded with a version tag.
    public static func token(for marker: String) -> String {
        "1" + marker.utf8.map { byte in
            let hex = Array("0123456789abcdef".utf8)
            return String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]], as: UTF8.self)
        }.joined()
    }

    public static func marker(fromToken token: String) -> String? {
        guard token.first == "1" else { return nil }
        let hex = Array(token.utf8.dropFirst())
        guard hex.count % 2 == 0, hex.count <= 2 * 2048 else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < hex.count {
            guard let high = nibble(hex[index]), let low = nibble(hex[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }
}

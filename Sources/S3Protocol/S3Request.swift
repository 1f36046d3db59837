/// One HTTP request as the S3 door sees it before any I/O decision: method, the raw (still
/// percent-encoded) path and query, and the headers in arrival order.
public struct S3Request: Sendable {
    public var method: String
    public var rawPath: String
    public var rawQuery: String
    public var headers: [(name: String, value: String)]

    public init(method: String, target: String, headers: [(name: String, value: String)]) {
        self.method = method
        if let mark = target.firstIndex(of: "?") {
            rawPath = String(target[..<mark])
            rawQuery = String(target[target.index(after: mark)...])
        } else {
            rawPath = target
            rawQuery = ""
        }
        self.headers = headers
    }

    /// The first value of a header (names compare case-insensitively).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// Query parameters, decoded, in arrival order (`?uploads` gives `("uploads", "")`).
    public var query: [(name: String, value: String)] {
        guard !rawQuery.isEmpty else { return [] }
        return rawQuery.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = URIEncoding.decode(String(parts[0]), plusIsSpace: true) ?? String(parts[0])
            let value = parts.count > 1 ? (URIEncoding.decode(String(parts[1]), plusIsSpace: true) ?? String(parts[1])) : ""
            return (name, value)
        }
    }

    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }
    public func hasQuery(_ name: String) -> Bool { query.contains { $0.name == name } }

    /// Path-style addressing (`/bucket/key/with/slashes`): bucket and key, decoded.
    public func bucketAndKey() throws(S3Error) -> (bucket: String?, key: String?) {
        guard rawPath.hasPrefix("/") else { throw S3Error(.invalidURI, "the request path must start with '/'") }
        guard let decoded = URIEncoding.decode(String(rawPath.dropFirst()), plusIsSpace: false) else {
            throw S3Error(.invalidURI, "the request path is not valid percent-encoded UTF-8")
        }
        guard !decoded.isEmpty else { return (nil, nil) }
        guard let slash = decoded.firstIndex(of: "/") else { return (decoded, nil) }
        let bucket = String(decoded[..<slash])
        let key = String(decoded[decoded.index(after: slash)...])
        return (bucket, key.isEmpty ? nil : key)
    }
}

/// RFC 3986 percent-encoding as SigV4 spells it: unreserved characters stay, everything else is
/// `%XX` with uppercase hex, and `/` stays only in paths.
public enum URIEncoding {
    public static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                out.append("/")
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    /// nil when a `%` is not followed by two hex digits or the bytes are not UTF-8.
    public static func decode(_ text: String, plusIsSpace: Bool) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else if byte == UInt8(ascii: "+") && plusIsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

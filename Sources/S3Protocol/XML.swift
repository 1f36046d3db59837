/// The XML shapes of S3's answers (S3 API reference, each operation's "Response Syntax") and a
/// small reader for the two bodies clients send (Delete, CompleteMultipartUpload).
public enum XML {
    public static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    public static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    public static func element(_ name: String, _ value: String) -> String { "<\(name)>\(escape(value))</\(name)>" }

    public static func listBuckets(_ buckets: [(name: String, createdAtEpochMillis: Int64)], owner: String) -> String {
        var out = header + "<ListAllMyBucketsResult xmlns=\"\(namespace)\"><Owner>" + element("ID", owner) + element("DisplayName", owner) + "</Owner><Buckets>"
        for bucket in buckets {
            out += "<Bucket>" + element("Name", bucket.name) + element("CreationDate", CivilTime.iso8601(epochMillis: bucket.createdAtEpochMillis)) + "</Bucket>"
        }
        return out + "</Buckets></ListAllMyBucketsResult>"
    }

    public static func location() -> String {
        header + "<LocationConstraint xmlns=\"\(namespace)\"></LocationConstraint>"
    }

    public static func objectFields(_ object: ObjectSummary) -> String {
        element("Key", object.key) + element("LastModified", CivilTime.iso8601(epochMillis: object.lastModifiedEpochMillis))
            + element("ETag", object.etag) + element("Size", String(object.sizeBytes)) + element("StorageClass", "STANDARD")
    }

    public static func listObjectsV2(bucket: String, request: ListRequest, page: ListPage, continuationToken: String?,
                                     startAfter: String?, fetchOwner: Bool) -> String {
        var out = header + "<ListBucketResult xmlns=\"\(namespace)\">" + element("Name", bucket) + element("Prefix", request.prefix)
        if let continuationToken { out += element("ContinuationToken", continuationToken) }
        if let startAfter { out += element("StartAfter", startAfter) }
        out += element("KeyCount", String(page.objects.count + page.commonPrefixes.count)) + element("MaxKeys", String(request.maxKeys))
        if let delimiter = request.delimiter { out += element("Delimiter", delimiter) }
        out += element("IsTruncated", page.isTruncated ? "true" : "false")
        if let next = page.nextMarker { out += element("NextContinuationToken", ListPage.token(for: next)) }
        for object in page.objects {
            out += "<Contents>" + objectFields(object)
            if fetchOwner { out += "<Owner><ID>yonke</ID><DisplayName>yonke</DisplayName></Owner>" }
            out += "</Contents>"
        }
        for prefix in page.commonPrefixes { out += "<CommonPrefixes>" + element("Prefix", prefix) + "</CommonPrefixes>" }
        return out + "</ListBucketResult>"
    }

    public static func listObjectsV1(bucket: String, request: ListRequest, page: ListPage, marker: String) -> String {
        var out = header + "<ListBucketResult xmlns=\"\(namespace)\">" + element("Name", bucket) + element("Prefix", request.prefix)
            + element("Marker", marker) + element("MaxKeys", String(request.maxKeys))
        if let delimiter = request.delimiter { out += element("Delimiter", delimiter) }
        out += element("IsTruncated", page.isTruncated ? "true" : "false")
        if let next = page.nextMarker, request.delimiter != nil { out += element("NextMarker", next) }
        for object in page.objects { out += "<Contents>" + objectFields(object) + "</Contents>" }
        for prefix in page.commonPrefixes { out += "<CommonPrefixes>" + element("Prefix", prefix) + "</CommonPrefixes>" }
        return out + "</ListBucketResult>"
    }

    public static func copyObjectResult(etag: String, lastModifiedEpochMillis: Int64) -> String {
        header + "<CopyObjectResult>" + element("LastModified", CivilTime.iso8601(epochMillis: lastModifiedEpochMillis))
            + element("ETag", etag) + "</CopyObjectResult>"
    }

    public static func deleteResult(deleted: [String], errors: [(key: String, error: S3Error)], quiet: Bool) -> String {
        var out = header + "<DeleteResult xmlns=\"\(namespace)\">"
        if !quiet { for key in deleted { out += "<Deleted>" + element("Key", key) + "</Deleted>" } }
        for (key, error) in errors {
            out += "<Error>" + element("Key", key) + element("Code", error.code.rawValue) + element("Message", error.message) + "</Error>"
        }
        return out + "</DeleteResult>"
    }

    // MARK: - Reading

    /// A parsed element: name, text and children. Enough for S3's request bodies (no attributes
    /// are needed, no DTDs or entities beyond the five predefined ones are accepted).
    public struct Node: Sendable, Equatable {
        public var name: String
        public var text: String
        public var children: [Node]

        public func child(_ name: String) -> Node? { children.first { $0.name == name } }
        public func all(_ name: String) -> [Node] { children.filter { $0.name == name } }
    }

    public static let maxDepth = 16
    public static let maxElements = 100_000

    public static func parse(_ bytes: [UInt8]) throws(S3Error) -> Node {
        var parser = Reader(bytes: bytes)
        return try parser.document()
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0
        var elements = 0

        static func malformed(_ why: String) -> S3Error {
            S3Error(.malformedXML, "The XML you provided was not well-formed or did not validate against our published schema: \(why)")
        }

        mutating func document() throws(S3Error) -> Node {
            skipSpace()
            if starts("<?xml") {
                guard let end = find("?>") else { throw Self.malformed("unterminated XML declaration") }
                position = end + 2
            }
            skipSpace()
            let root = try element(depth: 0)
            skipSpace()
            guard position == bytes.count else { throw Self.malformed("content after the root element") }
            return root
        }

        mutating func element(depth: Int) throws(S3Error) -> Node {
            guard depth < XML.maxDepth else { throw Self.malformed("nested deeper than \(XML.maxDepth)") }
            elements += 1
            guard elements <= XML.maxElements else { throw Self.malformed("more than \(XML.maxElements) elements") }
            guard position < bytes.count, bytes[position] == UInt8(ascii: "<") else { throw Self.malformed("expected an element") }
            position += 1
            let name = readName()
            guard !name.isEmpty else { throw Self.malformed("an element has no name") }
            // Attributes (xmlns) are skipped up to the tag's end.
            while position < bytes.count, bytes[position] != UInt8(ascii: ">") {
                if bytes[position] == UInt8(ascii: "/"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: ">") {
                    position += 2
                    return Node(name: localName(name), text: "", children: [])
                }
                position += 1
            }
            guard position < bytes.count else { throw Self.malformed("unterminated tag <\(name)>") }
            position += 1
            var node = Node(name: localName(name), text: "", children: [])
            var text: [UInt8] = []
            while true {
                guard position < bytes.count else { throw Self.malformed("<\(name)> is not closed") }
                if starts("</") {
                    position += 2
                    let closing = readName()
                    guard closing == name else { throw Self.malformed("</\(closing)> closes <\(name)>") }
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ">") else { throw Self.malformed("bad closing tag") }
                    position += 1
                    node.text = try unescape(text)
                    return node
                } else if starts("<!--") {
                    guard let end = find("-->") else { throw Self.malformed("unterminated comment") }
                    position = end + 3
                } else if starts("<!") || starts("<?") {
                    throw Self.malformed("DTDs, CDATA and processing instructions are not accepted")
                } else if bytes[position] == UInt8(ascii: "<") {
                    node.children.append(try element(depth: depth + 1))
                } else {
                    text.append(bytes[position])
                    position += 1
                }
            }
        }

        private func localName(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }

        mutating func readName() -> String {
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: ">") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: " ") || byte == 9 || byte == 10 || byte == 13 { break }
                position += 1
            }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func skipSpace() {
            while position < bytes.count, [32, 9, 10, 13].contains(bytes[position]) { position += 1 }
        }

        func starts(_ text: String) -> Bool {
            let pattern = Array(text.utf8)
            guard position + pattern.count <= bytes.count else { return false }
            return Array(bytes[position..<position + pattern.count]) == pattern
        }

        func find(_ text: String) -> Int? {
            let pattern = Array(text.utf8)
            guard bytes.count >= pattern.count else { return nil }
            var index = position
            while index + pattern.count <= bytes.count {
                if bytes[index] == pattern[0], Array(bytes[index..<index + pattern.count]) == pattern { return index }
                index += 1
            }
            return nil
        }

        func unescape(_ raw: [UInt8]) throws(S3Error) -> String {
            guard let text = String(validating: raw, as: UTF8.self) else { throw Self.malformed("text is not UTF-8") }
            guard text.contains("&") else { return text }
            var out = ""
            var rest = Substring(text)
            while let amp = rest.firstIndex(of: "&") {
                out += rest[..<amp]
                guard let semi = rest[amp...].firstIndex(of: ";") else { throw Self.malformed("unterminated entity") }
                let entity = rest[rest.index(after: amp)..<semi]
                switch entity {
                case "amp": out += "&"
                case "lt": out += "<"
                case "gt": out += ">"
                case "quot": out += "\""
                case "apos": out += "'"
                default:
                    if entity.hasPrefix("#x"), let value = UInt32(entity.dropFirst(2), radix: 16), let scalar = Unicode.Scalar(value) {
                        out.unicodeScalars.append(scalar)
                    } else if entity.hasPrefix("#"), let value = UInt32(entity.dropFirst()), let scalar = Unicode.Scalar(value) {
                        out.unicodeScalars.append(scalar)
                    } else {
                        throw Self.malformed("unknown entity &\(entity);")
                    }
                }
                rest = rest[rest.index(after: semi)...]
            }
            return out + rest
        }
    }

    /// `<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object>…</Delete>` (at most 1000 keys).
    public static func parseDelete(_ bytes: [UInt8]) throws(S3Error) -> (keys: [String], quiet: Bool) {
        let root = try parse(bytes)
        guard root.name == "Delete" else { throw Reader.malformed("the root element must be Delete") }
        let keys = root.all("Object").compactMap { $0.child("Key")?.text }
        guard !keys.isEmpty, keys.count == root.all("Object").count else { throw Reader.malformed("every Object needs a Key") }
        guard keys.count <= 1000 else { throw Reader.malformed("at most 1000 keys per request") }
        return (keys, root.child("Quiet")?.text == "true")
    }
}

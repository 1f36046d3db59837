/// Decodes Thrift compact-protocol structs from untrusted bytes. Every read is
/// bounds-checked, varints are at most 10 bytes, nesting is limited, and list
/// sizes are checked against the bytes left, so hostile input gets a typed
/// error and never an allocation the input cannot pay for.
struct CompactReader {
    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    private var depth = 0
    let maxDepth: Int

    /// Reads `bytes[start..<end]`.
    init(_ bytes: [UInt8], start: Int = 0, end: Int? = nil, maxDepth: Int = 32) {
        self.bytes = bytes
        self.position = max(0, min(start, bytes.count))
        self.end = max(self.position, min(end ?? bytes.count, bytes.count))
        self.maxDepth = maxDepth
    }

    var remaining: Int { end - position }

    // MARK: structs

    /// Reads one struct: calls `field` for every field with its id and wire
    /// type; `field` reads the value (or calls `skip`).
    mutating func readStruct(_ field: (inout CompactReader, Int16, CompactType) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { throw ParquetError.nestingTooDeep(limit: maxDepth) }
        var lastID: Int16 = 0
        while true {
            let header = try byte("field header")
            if header == 0 { return }
            guard let type = CompactType(rawValue: header & 0x0F), type != .stop else {
                throw ParquetError.malformedThrift("unknown field type \(header & 0x0F)")
            }
            let delta = header >> 4
            let id: Int16
            if delta == 0 {
                let raw = try zigzagVarint("field id")
                guard let exact = Int16(exactly: raw) else { throw ParquetError.malformedThrift("field id \(raw)") }
                id = exact
            } else {
                let (sum, overflow) = lastID.addingReportingOverflow(Int16(delta))
                guard !overflow else { throw ParquetError.malformedThrift("field id overflow") }
                id = sum
            }
            lastID = id
            try field(&self, id, type)
        }
    }

    // MARK: typed values (the wire type must match what the schema expects)

    mutating func i32(_ type: CompactType, _ what: String) throws -> Int32 {
        guard type == .i32 || type == .i16 || type == .byte else { throw mismatch(what, type) }
        if type == .byte { return Int32(Int8(bitPattern: try byte(what))) }
        let raw = try zigzagVarint(what)
        guard let value = Int32(exactly: raw) else { throw ParquetError.malformedThrift("\(what) out of i32 range") }
        return value
    }

    mutating func i64(_ type: CompactType, _ what: String) throws -> Int64 {
        guard type == .i64 || type == .i32 || type == .i16 else { throw mismatch(what, type) }
        return try zigzagVarint(what)
    }

    mutating func i8(_ type: CompactType, _ what: String) throws -> Int8 {
        guard type == .byte else { throw mismatch(what, type) }
        return Int8(bitPattern: try byte(what))
    }

    func bool(_ type: CompactType, _ what: String) throws -> Bool {
        switch type {
        case .booleanTrue: return true
        case .booleanFalse: return false
        default: throw mismatch(what, type)
        }
    }

    mutating func binary(_ type: CompactType, _ what: String) throws -> [UInt8] {
        guard type == .binary else { throw mismatch(what, type) }
        let length = try length(what)
        let value = Array(bytes[position..<(position + length)])
        position += length
        return value
    }

    mutating func string(_ type: CompactType, _ what: String) throws -> String {
        let raw = try binary(type, what)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw ParquetError.malformedThrift("\(what) is not UTF-8")
        }
        return text
    }

    /// Reads a list header; returns the element type and count. Each element
    /// takes at least one byte, so a count beyond the bytes left is refused.
    mutating func listHeader(_ type: CompactType, _ what: String) throws -> (CompactType, Int) {
        guard type == .list || type == .set else { throw mismatch(what, type) }
        let header = try byte(what)
        guard let element = CompactType(rawValue: header & 0x0F) else {
            throw ParquetError.malformedThrift("\(what): unknown element type \(header & 0x0F)")
        }
        var count = Int(header >> 4)
        if count == 15 {
            let raw = try varint(what)
            guard raw <= UInt64(Int32.max) else { throw ParquetError.malformedThrift("\(what): list size \(raw)") }
            count = Int(raw)
        }
        guard count <= remaining else {
            throw ParquetError.truncated("\(what): list of \(count) in \(remaining) bytes")
        }
        return (element, count)
    }

    /// A list of structs, each decoded by `element`.
    mutating func structList<T>(_ type: CompactType, _ what: String,
                                _ element: (inout CompactReader) throws -> T) throws -> [T] {
        let (elementType, count) = try listHeader(type, what)
        guard elementType == .struct else { throw mismatch(what + " element", elementType) }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }

    mutating func i32List(_ type: CompactType, _ what: String) throws -> [Int32] {
        let (elementType, count) = try listHeader(type, what)
        var out: [Int32] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try i32(elementType, what)) }
        return out
    }

    mutating func stringList(_ type: CompactType, _ what: String) throws -> [String] {
        let (elementType, count) = try listHeader(type, what)
        var out: [String] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try string(elementType, what)) }
        return out
    }

    /// Skips a value of any type (fields this reader does not know).
    mutating func skip(_ type: CompactType) throws {
        switch type {
        case .stop: throw ParquetError.malformedThrift("stop where a value was expected")
        case .booleanTrue, .booleanFalse: return
        case .byte: _ = try byte("skipped byte")
        case .i16, .i32, .i64: _ = try varint("skipped integer")
        case .double:
            guard remaining >= 8 else { throw ParquetError.truncated("skipped double") }
            position += 8
        case .binary:
            position += try length("skipped binary")
        case .list, .set:
            let (element, count) = try listHeader(type, "skipped list")
            try nested {
                for _ in 0..<count {
                    if element == .booleanTrue || element == .booleanFalse { _ = try $0.byte("list bool") } else { try $0.skip(element) }
                }
            }
        case .map:
            let size = try varint("map size")
            if size == 0 { return }
            guard size <= UInt64(remaining) else { throw ParquetError.truncated("map of \(size)") }
            let kinds = try byte("map types")
            guard let key = CompactType(rawValue: kinds >> 4), let value = CompactType(rawValue: kinds & 0x0F) else {
                throw ParquetError.malformedThrift("map types \(kinds)")
            }
            try nested {
                for _ in 0..<Int(size) {
                    for kind in [key, value] {
                        if kind == .booleanTrue || kind == .booleanFalse { _ = try $0.byte("map bool") } else { try $0.skip(kind) }
                    }
                }
            }
        case .struct:
            try readStruct { reader, _, fieldType in try reader.skip(fieldType) }
        }
    }

    // MARK: primitives

    private mutating func nested(_ body: (inout CompactReader) throws -> Void) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= maxDepth else { throw ParquetError.nestingTooDeep(limit: maxDepth) }
        try body(&self)
    }

    private mutating func length(_ what: String) throws -> Int {
        let raw = try varint(what)
        guard raw <= UInt64(remaining) else {
            throw ParquetError.truncated("\(what): \(raw) bytes claimed, \(remaining) left")
        }
        return Int(raw)
    }

    mutating func byte(_ what: String) throws -> UInt8 {
        guard position < end else { throw ParquetError.truncated(what) }
        defer { position += 1 }
        return bytes[position]
    }

    private mutating func varint(_ what: String) throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte(what)
            guard shift < 64, !(shift == 63 && b > 1) else { throw ParquetError.malformedThrift("\(what): varint too long") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    private mutating func zigzagVarint(_ what: String) throws -> Int64 {
        let raw = try varint(what)
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    private func mismatch(_ what: String, _ type: CompactType) -> ParquetError {
        .malformedThrift("\(what) has wire type \(type.name)")
    }
}

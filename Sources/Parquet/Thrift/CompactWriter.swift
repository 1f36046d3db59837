/// Encodes Thrift compact-protocol structs into bytes. Only what Parquet's
/// footer and page headers need: i32, i64, binary, bool, struct, list.
struct CompactWriter {
    private(set) var bytes: [UInt8] = []
    /// The last field id written in each open struct (deltas are per struct).
    private var lastFieldIDs: [Int16] = [0]

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    // MARK: fields

    mutating func field(_ id: Int16, i32 value: Int32) {
        fieldHeader(id, .i32)
        varint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i64 value: Int64) {
        fieldHeader(id, .i64)
        varint(zigzag(value))
    }

    mutating func field(_ id: Int16, i16 value: Int16) {
        fieldHeader(id, .i16)
        varint(zigzag(Int64(value)))
    }

    mutating func field(_ id: Int16, i8 value: Int8) {
        fieldHeader(id, .byte)
        bytes.append(UInt8(bitPattern: value))
    }

    mutating func field(_ id: Int16, bool value: Bool) {
        fieldHeader(id, value ? .booleanTrue : .booleanFalse)
    }

    mutating func field(_ id: Int16, binary value: [UInt8]) {
        fieldHeader(id, .binary)
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    mutating func field(_ id: Int16, string value: String) {
        field(id, binary: Array(value.utf8))
    }

    /// A struct field; `body` writes the inner fields (the stop byte is added here).
    mutating func field(_ id: Int16, struct body: (inout CompactWriter) -> Void) {
        fieldHeader(id, .struct)
        structBody(body)
    }

    mutating func field(_ id: Int16, struct value: some ThriftEncodable) {
        field(id) { value.encode(to: &$0) }
    }

    mutating func field(_ id: Int16, i32List values: [Int32]) {
        fieldHeader(id, .list)
        listHeader(count: values.count, element: .i32)
        for value in values { varint(zigzag(Int64(value))) }
    }

    mutating func field(_ id: Int16, stringList values: [String]) {
        fieldHeader(id, .list)
        listHeader(count: values.count, element: .binary)
        for value in values {
            let utf8 = Array(value.utf8)
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func field<T: ThriftEncodable>(_ id: Int16, structList values: [T]) {
        fieldHeader(id, .list)
        listHeader(count: values.count, element: .struct)
        for value in values { structBody { value.encode(to: &$0) } }
    }

    /// A whole top-level struct (the footer, a page header).
    mutating func topLevel(_ value: some ThriftEncodable) {
        structBody { value.encode(to: &$0) }
    }

    // MARK: primitives

    private mutating func structBody(_ body: (inout CompactWriter) -> Void) {
        lastFieldIDs.append(0)
        body(&self)
        bytes.append(CompactType.stop.rawValue)
        lastFieldIDs.removeLast()
    }

    private mutating func fieldHeader(_ id: Int16, _ type: CompactType) {
        let last = lastFieldIDs[lastFieldIDs.count - 1]
        let delta = Int(id) - Int(last)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            varint(zigzag(Int64(id)))
        }
        lastFieldIDs[lastFieldIDs.count - 1] = id
    }

    private mutating func listHeader(count: Int, element: CompactType) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | element.rawValue)
        } else {
            bytes.append(0xF0 | element.rawValue)
            varint(UInt64(count))
        }
    }

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value << 1) ^ (value >> 63))
    }
}

/// A Thrift struct that can write its fields.
protocol ThriftEncodable {
    func encode(to writer: inout CompactWriter)
}

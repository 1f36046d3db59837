/// Variable-length values (strings, binaries, fixed-length byte arrays) in
/// one contiguous buffer with offsets, as Arrow lays them out: appending a
/// value is a copy, not an allocation, so a million strings cost two arrays.
public struct ByteArrays: Sendable, Hashable {
    /// Every value's bytes, back to back.
    public private(set) var bytes: [UInt8] = []
    /// `count + 1` offsets into `bytes`; value i is `bytes[offsets[i]..<offsets[i + 1]]`.
    public private(set) var offsets: [Int] = [0]

    public init() {}

    public init(reservingValues values: Int, bytes byteCount: Int) {
        offsets.reserveCapacity(values + 1)
        bytes.reserveCapacity(byteCount)
    }

    public init(_ values: [[UInt8]]) {
        for value in values { append(value) }
    }

    public init(strings: [String]) {
        for value in strings { append(value) }
    }

    public var count: Int { offsets.count - 1 }
    public var isEmpty: Bool { count == 0 }

    public subscript(index: Int) -> ArraySlice<UInt8> {
        bytes[offsets[index]..<offsets[index + 1]]
    }

    public func length(at index: Int) -> Int { offsets[index + 1] - offsets[index] }

    /// Value `index` as a string, or nil when it is not valid UTF-8.
    public func string(at index: Int) -> String? {
        String(validating: self[index], as: UTF8.self)
    }

    public var strings: [String?] { (0..<count).map(string(at:)) }
    public var arrays: [[UInt8]] { (0..<count).map { Array(self[$0]) } }

    public mutating func append(_ value: some Sequence<UInt8>) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
    }

    public mutating func append(_ value: String) {
        var value = value
        value.withUTF8 { bytes.append(contentsOf: $0) }
        offsets.append(bytes.count)
    }

    public mutating func append(_ buffer: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: buffer)
        offsets.append(bytes.count)
    }

    public mutating func append(contentsOf other: ByteArrays) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        offsets.reserveCapacity(offsets.count + other.count)
        for i in 1..<other.offsets.count { offsets.append(base + other.offsets[i]) }
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        bytes.removeAll(keepingCapacity: keepingCapacity)
        offsets.removeAll(keepingCapacity: keepingCapacity)
        offsets.append(0)
    }

    /// Appends raw already-laid-out values: `data` holds them back to back and
    /// `ends` their end offsets relative to `data` (the reader's fast path).
    mutating func appendLaidOut(data: ArraySlice<UInt8>, lengths: [Int]) {
        var end = bytes.count
        bytes.append(contentsOf: data)
        offsets.reserveCapacity(offsets.count + lengths.count)
        for length in lengths {
            end += length
            offsets.append(end)
        }
    }
}

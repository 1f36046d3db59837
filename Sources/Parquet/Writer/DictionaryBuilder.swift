/// A column chunk's dictionary, built as values are appended: an open-addressing
/// hash table from value to index, and the index of every value. It gives up
/// (and the chunk is written PLAIN) once the dictionary's PLAIN size passes
/// `limitBytes`, the "fallback to plain past a size" of every Parquet writer.
struct DictionaryBuilder {
    /// Fixed-width values as bit patterns (width bytes each), or nil for byte arrays.
    private let width: Int?
    private let limitBytes: Int
    private(set) var fixedValues: [UInt64] = []
    private(set) var byteValues = ByteArrays()
    /// Slot → dictionary index + 1 (0: empty). Capacity is a power of two.
    private var slots: [UInt32]
    private var shift: UInt64
    /// PLAIN size of the dictionary page.
    private(set) var plainBytes = 0
    private(set) var overflowed = false

    var count: Int { width == nil ? byteValues.count : fixedValues.count }

    init(physical: PhysicalType, fixedLength: Int?, limitBytes: Int) {
        switch physical {
        case .int32, .float: width = 4
        case .int64, .double: width = 8
        default: width = nil
        }
        _ = fixedLength
        self.limitBytes = limitBytes
        slots = [UInt32](repeating: 0, count: 1024)
        shift = 64 - 10
    }

    /// Appends the dictionary index of `values[range]` to `indices`; false
    /// when the dictionary passed its limit on the way (the caller drops the
    /// indices of this range and writes it PLAIN; the dictionary keeps what it had).
    mutating func add(_ values: ColumnValues, range: Range<Int>, fixedLength: Int?, into indices: inout [UInt32]) -> Bool {
        guard !overflowed else { return false }
        var ok = true
        switch values {
        case .int32(let v): v.withUnsafeBufferPointer { p in for i in range where !insert(UInt64(UInt32(bitPattern: p[i])), &indices) { ok = false; return } }
        case .int64(let v): v.withUnsafeBufferPointer { p in for i in range where !insert(UInt64(bitPattern: p[i]), &indices) { ok = false; return } }
        case .float(let v): v.withUnsafeBufferPointer { p in for i in range where !insert(UInt64(p[i].bitPattern), &indices) { ok = false; return } }
        case .double(let v): v.withUnsafeBufferPointer { p in for i in range where !insert(p[i].bitPattern, &indices) { ok = false; return } }
        case .bytes(let v):
            v.bytes.withUnsafeBufferPointer { bytes in
                v.offsets.withUnsafeBufferPointer { offsets in
                    for i in range {
                        let value = UnsafeBufferPointer(rebasing: bytes[offsets[i]..<offsets[i + 1]])
                        if !insert(value, prefix: fixedLength == nil ? 4 : 0, &indices) { ok = false; return }
                    }
                }
            }
        case .boolean: overflowed = true; ok = false
        }
        return ok
    }

    /// Bit width of the indices into this dictionary (at least 1).
    var indexBitWidth: Int { max(1, RLEHybrid.bitWidth(forMax: UInt32(max(1, count) - 1))) }

    private mutating func insert(_ key: UInt64, _ indices: inout [UInt32]) -> Bool {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            if fixedValues[Int(entry) - 1] == key { indices.append(entry - 1); return true }
            slot = (slot + 1) & mask
        }
        plainBytes += width ?? 8
        guard plainBytes <= limitBytes else { overflowed = true; return false }
        fixedValues.append(key)
        let index = UInt32(fixedValues.count)
        slots[slot] = index
        indices.append(index - 1)
        if fixedValues.count * 2 > slots.count { grow() }
        return true
    }

    private mutating func insert(_ value: UnsafeBufferPointer<UInt8>, prefix: Int, _ indices: inout [UInt32]) -> Bool {
        let hash = Self.hash(value)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash >> shift)
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let index = Int(entry) - 1
            if byteValues.length(at: index) == value.count && equal(index, value) {
                indices.append(entry - 1)
                return true
            }
            slot = (slot + 1) & mask
        }
        plainBytes += value.count + prefix
        guard plainBytes <= limitBytes else { overflowed = true; return false }
        byteValues.append(UnsafeRawBufferPointer(value))
        let index = UInt32(byteValues.count)
        slots[slot] = index
        indices.append(index - 1)
        if byteValues.count * 2 > slots.count { grow() }
        return true
    }

    private func equal(_ index: Int, _ value: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = byteValues.offsets[index]
        return byteValues.bytes.withUnsafeBufferPointer { stored in
            value.isEmpty || memcmp(stored.baseAddress! + start, value.baseAddress!, value.count) == 0
        }
    }

    private mutating func grow() {
        let capacity = slots.count * 2
        shift -= 1
        slots = [UInt32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for index in 0..<count {
            var slot: Int
            if width != nil {
                slot = Int(truncatingIfNeeded: (fixedValues[index] &* 0x9E37_79B9_7F4A_7C15) >> shift)
            } else {
                let start = byteValues.offsets[index], end = byteValues.offsets[index + 1]
                slot = byteValues.bytes.withUnsafeBufferPointer {
                    Int(truncatingIfNeeded: Self.hash(UnsafeBufferPointer(rebasing: $0[start..<end])) >> shift)
                }
            }
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(index + 1)
        }
    }

    /// A fast 64-bit hash of bytes (8 at a time, multiply-xorshift mixing);
    /// the top bits pick the slot, so they must be well mixed.
    private static func hash(_ value: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(value.count)
        let raw = UnsafeRawBufferPointer(value)
        var i = 0
        while i + 8 <= raw.count {
            let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var k: UInt64 = 0
        while i < raw.count { tail |= UInt64(raw[i]) << k; k += 8; i += 1 }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        h = h &* 0x9E37_79B9_7F4A_7C15
        return h ^ (h >> 32)
    }

    /// The dictionary page body: every distinct value, PLAIN-encoded.
    func plainDictionary(fixedLength: Int?, into out: inout [UInt8]) {
        if let width {
            out.reserveCapacity(out.count + fixedValues.count * width)
            for v in fixedValues {
                withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0.prefix(width)) }
            }
        } else {
            Plain.encode(byteValues, range: 0..<byteValues.count, fixedLength: fixedLength != nil, into: &out)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

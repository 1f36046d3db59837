/// Min, max and null count of one column chunk, gathered as values are
/// appended (never in a second scan), in the order the spec gives each type
/// (`parquet.thrift`, ColumnOrder): signed for integers, IEEE order without
/// NaN for floats, unsigned bytewise for strings and binaries, signed
/// two's complement for fixed-length decimals.
struct StatisticsAccumulator {
    enum Order { case boolean, signedInteger, floating, unsignedBytes, signedBytes }

    let order: Order
    let physical: PhysicalType
    private(set) var nullCount: Int64 = 0
    private var minInteger = Int64.max, maxInteger = Int64.min
    private var minFloating = Double.infinity, maxFloating = -Double.infinity
    private var minBytes: [UInt8]?, maxBytes: [UInt8]?
    private var sawValue = false
    private var sawFloating = false

    init(type: ParquetColumnType) {
        physical = type.physicalType
        switch physical {
        case .boolean: order = .boolean
        case .int32, .int64, .int96: order = .signedInteger
        case .float, .double: order = .floating
        case .byteArray: order = .unsignedBytes
        case .fixedLenByteArray:
            if case .decimal = type { order = .signedBytes } else { order = .unsignedBytes }
        }
    }

    mutating func addNulls(_ count: Int) { nullCount += Int64(count) }

    mutating func add(_ values: ColumnValues, range: Range<Int>) {
        guard !range.isEmpty else { return }
        sawValue = true
        switch values {
        case .boolean(let all):
            // false < true
            let v = all[range]
            if v.contains(false) { minInteger = min(minInteger, 0); maxInteger = max(maxInteger, 0) }
            if v.contains(true) { minInteger = min(minInteger, 1); maxInteger = max(maxInteger, 1) }
        case .int32(let v):
            v.withUnsafeBufferPointer { p in
                var lo = Int32.max, hi = Int32.min
                for x in UnsafeBufferPointer(rebasing: p[range]) { lo = min(lo, x); hi = max(hi, x) }
                minInteger = min(minInteger, Int64(lo)); maxInteger = max(maxInteger, Int64(hi))
            }
        case .int64(let v):
            v.withUnsafeBufferPointer { p in
                var lo = Int64.max, hi = Int64.min
                for x in UnsafeBufferPointer(rebasing: p[range]) { lo = min(lo, x); hi = max(hi, x) }
                minInteger = min(minInteger, lo); maxInteger = max(maxInteger, hi)
            }
        case .float(let v):
            for x in v[range] where !x.isNaN { sawFloating = true; minFloating = min(minFloating, Double(x)); maxFloating = max(maxFloating, Double(x)) }
        case .double(let v):
            for x in v[range] where !x.isNaN { sawFloating = true; minFloating = min(minFloating, x); maxFloating = max(maxFloating, x) }
        case .bytes(let v):
            v.bytes.withUnsafeBufferPointer { bytes in
                v.offsets.withUnsafeBufferPointer { offsets in
                    var lo = minBytes.map { ($0, true) }, hi = maxBytes.map { ($0, true) }
                    // Track the current min and max as ranges into this batch; copy out once at the end.
                    var loRange: Range<Int>? = nil, hiRange: Range<Int>? = nil
                    for i in range {
                        let range = offsets[i]..<offsets[i + 1]
                        let value = UnsafeBufferPointer(rebasing: bytes[range])
                        let belowMin: Bool
                        if let r = loRange { belowMin = less(value, UnsafeBufferPointer(rebasing: bytes[r])) }
                        else if let (m, _) = lo { belowMin = m.withUnsafeBufferPointer { less(value, $0) } }
                        else { belowMin = true }
                        if belowMin { loRange = range; lo = nil }
                        let aboveMax: Bool
                        if let r = hiRange { aboveMax = less(UnsafeBufferPointer(rebasing: bytes[r]), value) }
                        else if let (m, _) = hi { aboveMax = m.withUnsafeBufferPointer { less($0, value) } }
                        else { aboveMax = true }
                        if aboveMax { hiRange = range; hi = nil }
                    }
                    if let r = loRange { minBytes = Array(bytes[r]) }
                    if let r = hiRange { maxBytes = Array(bytes[r]) }
                }
            }
        }
    }

    private func less(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if order == .signedBytes, let x = a.first, let y = b.first, x != y {
            return Int8(bitPattern: x) < Int8(bitPattern: y)
        }
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] }
        return a.count < b.count
    }

    /// The chunk's statistics; min/max are left out when longer than `maxValueBytes`.
    func statistics(maxValueBytes: Int) -> Statistics {
        var s = Statistics(nullCount: nullCount)
        guard sawValue else { return s }
        switch physical {
        case .boolean:
            s.minValue = [UInt8(minInteger)]; s.maxValue = [UInt8(maxInteger)]
        case .int32:
            s.minValue = littleEndian(Int32(truncatingIfNeeded: minInteger)); s.maxValue = littleEndian(Int32(truncatingIfNeeded: maxInteger))
        case .int64, .int96:
            s.minValue = littleEndian(minInteger); s.maxValue = littleEndian(maxInteger)
        case .float, .double:
            guard sawFloating else { return s }
            // Spec: a min of +0 is written as −0 and a max of −0 as +0.
            let lo = minFloating == 0 ? -0.0 : minFloating
            let hi = maxFloating == 0 ? 0.0 : maxFloating
            if physical == .float {
                s.minValue = littleEndian(Float(lo).bitPattern); s.maxValue = littleEndian(Float(hi).bitPattern)
            } else {
                s.minValue = littleEndian(lo.bitPattern); s.maxValue = littleEndian(hi.bitPattern)
            }
        case .byteArray, .fixedLenByteArray:
            guard let lo = minBytes, let hi = maxBytes, lo.count <= maxValueBytes, hi.count <= maxValueBytes else { return s }
            s.minValue = lo; s.maxValue = hi
        }
        return s
    }

    private func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }
}

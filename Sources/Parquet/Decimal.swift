/// Decimal helpers: Parquet stores a decimal as its unscaled integer (123.45
/// at scale 2 is 12345), in INT32/INT64 for small precisions and as big-endian
/// two's complement bytes beyond. These turn PostgreSQL's `numeric` text into
/// that integer and back, exactly (no floating point).
public enum Decimal {
    /// The largest precision the writer accepts (Arrow's decimal256).
    public static let maxPrecision = 76

    /// Bytes a FIXED_LEN_BYTE_ARRAY needs for `precision` digits: the least n
    /// with 10^precision − 1 < 2^(8n − 1) (`LogicalTypes.md`, DECIMAL).
    public static func byteLength(precision: Int) -> Int {
        var n = 1
        // 10^p − 1 < 2^(8n−1) ⇔ p·log2(10) < 8n − 1 (10^p is never a power of two).
        while Double(precision) * 3.321928094887362 >= Double(8 * n - 1) { n += 1 }
        return n
    }

    /// The unscaled value of decimal text (`-12.30`) at `scale`, as an Int64.
    public static func unscaledInt64(_ text: some StringProtocol, scale: Int) throws -> Int64 {
        let (negative, digits) = try digits(text, scale: scale)
        var value: Int64 = 0
        for digit in digits {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { throw ParquetError.invalidBatch("decimal \(text) does not fit 64 bits") }
            value = sum
        }
        return negative ? -value : value
    }

    /// The unscaled value of decimal text at `scale`, as `byteLength` big-endian
    /// two's complement bytes.
    public static func unscaledBytes(_ text: some StringProtocol, scale: Int, byteLength: Int) throws -> [UInt8] {
        let (negative, digits) = try digits(text, scale: scale)
        var magnitude = [UInt8](repeating: 0, count: byteLength)
        for digit in digits {
            var carry = UInt16(digit)
            for i in stride(from: byteLength - 1, through: 0, by: -1) {
                let v = UInt16(magnitude[i]) * 10 + carry
                magnitude[i] = UInt8(truncatingIfNeeded: v)
                carry = v >> 8
            }
            guard carry == 0, magnitude[0] & 0x80 == 0 else {
                throw ParquetError.invalidBatch("decimal \(text) does not fit \(byteLength) bytes")
            }
        }
        if negative { negate(&magnitude) }
        return magnitude
    }

    /// Decimal text of an unscaled integer (for tests and display).
    public static func text(unscaled: Int64, scale: Int) -> String {
        let negative = unscaled < 0
        let magnitude = unscaled.magnitude
        return format(String(magnitude), negative: negative, scale: scale)
    }

    /// Decimal text of big-endian two's complement bytes.
    public static func text(unscaledBytes bytes: some Collection<UInt8>, scale: Int) -> String {
        var value = Array(bytes)
        let negative = (value.first ?? 0) & 0x80 != 0
        if negative { negate(&value) }
        // Repeated division by 10 of the big-endian magnitude.
        var digits: [UInt8] = []
        while value.contains(where: { $0 != 0 }) {
            var remainder: UInt16 = 0
            for i in value.indices {
                let v = remainder << 8 | UInt16(value[i])
                value[i] = UInt8(v / 10)
                remainder = v % 10
            }
            digits.append(UInt8(remainder))
        }
        let text = digits.isEmpty ? "0" : String(digits.reversed().map { Character(String($0)) })
        return format(text, negative: negative, scale: scale)
    }

    private static func format(_ digits: String, negative: Bool, scale: Int) -> String {
        var digits = digits
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return (negative && digits.contains(where: { $0 != "0" && $0 != "." }) ? "-" : "") + digits
    }

    private static func negate(_ bytes: inout [UInt8]) {
        var carry: UInt16 = 1
        for i in stride(from: bytes.count - 1, through: 0, by: -1) {
            let v = UInt16(~bytes[i]) + carry
            bytes[i] = UInt8(truncatingIfNeeded: v)
            carry = v >> 8
        }
    }

    /// Sign and the digits of the unscaled value, padding the fraction to `scale`.
    private static func digits(_ text: some StringProtocol, scale: Int) throws -> (Bool, [UInt8]) {
        var utf8 = Array(text.utf8)[...]
        var negative = false
        if let first = utf8.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            utf8 = utf8.dropFirst()
        }
        var whole: [UInt8] = [], fraction: [UInt8] = []
        var seenPoint = false
        for c in utf8 {
            if c == UInt8(ascii: ".") && !seenPoint { seenPoint = true; continue }
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else {
                throw ParquetError.invalidBatch("not a decimal number: \(text)")
            }
            if seenPoint { fraction.append(c - 48) } else { whole.append(c - 48) }
        }
        guard !(whole.isEmpty && fraction.isEmpty) else { throw ParquetError.invalidBatch("not a decimal number: \(text)") }
        while fraction.count > scale, fraction.last == 0 { fraction.removeLast() }
        guard fraction.count <= scale else {
            throw ParquetError.invalidBatch("decimal \(text) has more than \(scale) fractional digits")
        }
        fraction += [UInt8](repeating: 0, count: scale - fraction.count)
        return (negative, whole + fraction)
    }
}

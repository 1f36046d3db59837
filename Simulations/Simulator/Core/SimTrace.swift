/// A run's trace: every line feeds a running FNV-1a hash (so two runs of one
/// seed can be compared cheaply), and the last `keepLast` lines are kept for
/// the report of a failing seed. With `echo`, lines are printed as they come.
public struct SimTrace: Sendable {
    public private(set) var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    public private(set) var lineCount = 0
    private var ring: [String] = []
    private var ringStart = 0
    public let keepLast: Int
    public let echo: Bool
    /// When false, `record` skips building strings (fast path for benchmark
    /// runs); the hash then covers only what callers pass to `mix`.
    public let isEnabled: Bool

    public init(keepLast: Int = 40, echo: Bool = false, isEnabled: Bool = true) {
        self.keepLast = keepLast
        self.echo = echo
        self.isEnabled = isEnabled
    }

    public mutating func record(_ time: SimTime, _ line: @autoclosure () -> String) {
        guard isEnabled else { return }
        let text = "\(time) \(line())"
        for byte in text.utf8 { mixByte(byte) }
        mixByte(0x0A)
        lineCount += 1
        if echo { print(text) }
        if keepLast > 0 {
            if ring.count < keepLast { ring.append(text) } else {
                ring[ringStart] = text
                ringStart = (ringStart + 1) % keepLast
            }
        }
    }

    /// Mixes a value into the hash without a line (cheap, always on).
    public mutating func mix(_ value: UInt64) {
        var v = value
        for _ in 0..<8 { mixByte(UInt8(truncatingIfNeeded: v)); v >>= 8 }
    }

    public var lastLines: [String] {
        Array(ring[ringStart...]) + Array(ring[..<ringStart])
    }

    private mutating func mixByte(_ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }
}

import YonkeCore

/// A byte-rate limiter with a burst allowance. Pure: time comes in as
/// milliseconds. A taker may go into debt (a whole block is admitted at once);
/// the debt is paid back at `bytesPerSecond` before the next admission, so
/// over any long window the rate stays at the limit.
public struct TokenBucket: Sendable, Equatable {
    public let bytesPerSecond: Int64
    public let burstBytes: Int64
    public private(set) var tokens: Double
    public private(set) var lastMilliseconds: Int64

    public init(bytesPerSecond: Int64, burstBytes: Int64, nowMilliseconds: Int64) {
        invariant(bytesPerSecond > 0, "a token bucket needs a positive rate: \(bytesPerSecond)")
        self.bytesPerSecond = bytesPerSecond
        self.burstBytes = max(1, burstBytes)
        tokens = Double(max(1, burstBytes))
        lastMilliseconds = nowMilliseconds
    }

    public mutating func refill(nowMilliseconds: Int64) {
        guard nowMilliseconds > lastMilliseconds else { return }
        let earned = Double(nowMilliseconds - lastMilliseconds) * Double(bytesPerSecond) / 1000
        tokens = min(Double(burstBytes), tokens + earned)
        lastMilliseconds = nowMilliseconds
    }

    /// True when something may start now (no debt left).
    public var isReady: Bool { tokens > 0 }

    public mutating func take(_ bytes: Int64) { tokens -= Double(bytes) }

    /// How long until `bytes` can be taken without going into debt.
    public func waitMilliseconds(for bytes: Int64) -> Int64 {
        let missing = Double(min(bytes, burstBytes)) - tokens
        guard missing > 0 else { return 0 }
        return Int64((missing * 1000 / Double(bytesPerSecond)).rounded(.up))
    }
}

import YonkeCore

/// Simulated time in microseconds since the start of a run. Microseconds (not
/// ticks) so that network latency, clock skew and protocol ticks share one axis
/// without rounding every delay to a tick.
public struct SimTime: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }
    public static func ms(_ milliseconds: Int64) -> SimTime { SimTime(microseconds: milliseconds * 1_000) }
    public static func seconds(_ seconds: Int64) -> SimTime { SimTime(microseconds: seconds * 1_000_000) }
    public static let zero = SimTime(microseconds: 0)

    public var milliseconds: Double { Double(microseconds) / 1_000 }
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    public static func < (lhs: SimTime, rhs: SimTime) -> Bool { lhs.microseconds < rhs.microseconds }
    public static func + (lhs: SimTime, rhs: SimTime) -> SimTime { SimTime(microseconds: lhs.microseconds + rhs.microseconds) }
    public static func - (lhs: SimTime, rhs: SimTime) -> SimTime { SimTime(microseconds: lhs.microseconds - rhs.microseconds) }

    public var description: String {
        let ms = microseconds / 1_000
        let frac = microseconds % 1_000
        return "\(ms).\(String(repeating: "0", count: 3 - String(frac).count))\(frac)ms"
    }
}

/// One node's view of time: it runs at `rate` times real time (clock drift)
/// from `offset` (skew at start). Protocol timers are counted on the local clock,
/// so a fast clock fires its ticks early in global time — exactly what a
/// skewed machine does to a timeout-based protocol.
public struct SimClock: Hashable, Sendable {
    /// Local seconds per global second, e.g. 1.02 for a clock 2% fast.
    public var rate: Double
    public var offset: SimTime

    public init(rate: Double = 1, offset: SimTime = .zero) {
        invariant(rate > 0.1 && rate < 10, "clock rate out of range: \(rate)")
        self.rate = rate
        self.offset = offset
    }

    public func localTime(atGlobal global: SimTime) -> SimTime {
        SimTime(microseconds: offset.microseconds + Int64((Double(global.microseconds) * rate).rounded()))
    }

    /// How much global time passes while this clock advances by `local`.
    public func globalDuration(ofLocal local: SimTime) -> SimTime {
        SimTime(microseconds: max(1, Int64((Double(local.microseconds) / rate).rounded())))
    }
}

import Synchronization

/// Counts the unauthenticated connections a listener dropped, and keeps a
/// flood from becoming a flood of log lines: the first few drops of each
/// window are logged one by one, the rest only as one summary line per window.
final class FloodReport: Sendable {
    enum Reason: Int, CaseIterable, Sendable, CustomStringConvertible {
        /// Over `Limits.maxPendingHandshakesPerSource`.
        case sourceFull
        /// Over `Limits.maxPendingHandshakes`, from the busiest source.
        case gateFull
        /// Displaced by a newcomer from a quieter source.
        case evicted
        /// Not authenticated within `Limits.handshakeTimeoutMilliseconds`.
        case deadline
        /// Closed, refused or broken before it was authenticated.
        case failed

        var description: String {
            switch self {
            case .sourceFull: "over the per-source limit"
            case .gateFull: "gate full"
            case .evicted: "evicted for a quieter source"
            case .deadline: "past the handshake deadline"
            case .failed: "failed or closed"
            }
        }
    }

    /// Detailed lines per window; every drop beyond is only counted.
    static let detailedLinesPerWindow = 10
    static let windowSeconds: Int64 = 10

    private struct State {
        var windowStart = ContinuousClock.now
        var counts = [Int](repeating: 0, count: Reason.allCases.count)
        var detailedLines = 0
        var totals = [Int](repeating: 0, count: Reason.allCases.count)
    }
    private let state = Mutex(State())

    /// Records one drop. Returns whether to log it in detail and, once a window
    /// is over, the summary line of that window.
    func record(_ reason: Reason) -> (logDetail: Bool, summary: String?) {
        let now = ContinuousClock.now
        return state.withLock { s in
            s.counts[reason.rawValue] += 1
            s.totals[reason.rawValue] += 1
            var summary: String?
            if now - s.windowStart >= .seconds(Self.windowSeconds) {
                let dropped = s.counts.reduce(0, +)
                if dropped > s.detailedLines {
                    let parts = Reason.allCases.filter { s.counts[$0.rawValue] > 0 }
                        .map { "\(s.counts[$0.rawValue]) \($0)" }
                    summary = "dropped \(dropped) unauthenticated connections in \(now - s.windowStart): "
                        + parts.joined(separator: ", ")
                }
                s.windowStart = now
                s.counts = [Int](repeating: 0, count: Reason.allCases.count)
                s.detailedLines = 0
            }
            let logDetail = s.detailedLines < Self.detailedLinesPerWindow
            if logDetail { s.detailedLines += 1 }
            return (logDetail, summary)
        }
    }

    /// Drops since the listener started, by reason (tests and metrics).
    func total(_ reason: Reason) -> Int { state.withLock { $0.totals[reason.rawValue] } }
}

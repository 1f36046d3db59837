#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation
import YonkeCore

/// Bytes, rate and ETA on one rewritten stderr line, only when stderr is a
/// terminal: piped or scripted runs stay quiet.
final class Progress {
    private let label: String
    private let totalBytes: Int64
    private let start = ContinuousClock.now
    private var doneBytes: Int64 = 0
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private let enabled: Bool

    static var onTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    init(label: String, totalBytes: Int64, enabled: Bool = Progress.onTerminal) {
        self.label = label
        self.totalBytes = totalBytes
        self.enabled = enabled
    }

    var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func advance(by bytes: Int64) {
        doneBytes += bytes
        guard enabled, ContinuousClock.now - lastDraw > .milliseconds(200) else { return }
        lastDraw = ContinuousClock.now
        let rate = Double(doneBytes) / max(elapsedSeconds, 1e-6)
        let remaining = rate > 0 ? Double(totalBytes - doneBytes) / rate : 0
        let percent = totalBytes > 0 ? 100 * Double(doneBytes) / Double(totalBytes) : 100
        let line = String(
            format: "%@ %5.1f%%  %@ / %@  %@/s  ETA %.0fs", label, percent,
            ByteCount.format(doneBytes), ByteCount.format(totalBytes), ByteCount.format(Int64(rate)), remaining)
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

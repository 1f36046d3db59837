import BlockCodec
import YonkeCore

/// What one pass over a store found. Corrupt blocks are reported, never
/// deleted here: the master decides when a good copy exists elsewhere.
public struct ScrubReport: Sendable, Equatable {
    public var checkedBlocks = 0
    public var checkedBytes: Int64 = 0
    public var corrupt: [BlockID: String] = [:]
}

extension BlockStore {
    /// Decodes every block (authenticating each frame and the digest).
    /// `shouldContinue` lets the caller stop or pace a long pass between blocks.
    public func scrub(shouldContinue: (ScrubReport) -> Bool = { _ in true }) throws(BlockStoreError) -> ScrubReport {
        guard codec != nil else { throw .invalidStore(path: root, reason: "no keyring loaded, cannot verify blocks") }
        var report = ScrubReport()
        for id in blockReport() {
            guard shouldContinue(report) else { break }
            do {
                let plaintext = try read(id)
                report.checkedBytes += Int64(plaintext.count)
            } catch .notFound {
                continue // deleted while we walked
            } catch {
                report.corrupt[id] = error.description
            }
            report.checkedBlocks += 1
        }
        return report
    }
}

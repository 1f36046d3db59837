import Catalog
import YonkeProtocol
import YonkeClient

/// The master's soft state about blocks: where each is (`BlockMap`) and each
/// node's last reported usage. Rebuilt from reports after a failover.
struct BlockLedger: Sendable {
    var map = BlockMap()
    /// Last report's disks per node.
    var usage: [String: [BlockReport.Disk]] = [:]

    /// Applies a report; false when it was an addition from a node never fully
    /// reported (the master should ask it for a full report).
    /// `refused`: blocks past `BlockMap.maxBlocksPerNode` (a flood of additions), not recorded.
    @discardableResult
    mutating func apply(_ report: BlockReport, from node: String) -> (known: Bool, refused: Int) {
        // Usage counts only from a node whose full report arrived, so the
        // master keeps asking (at each of its usage reports) until one does.
        let known = report.isFull || usage[node] != nil
        if known { usage[node] = report.disks }
        let refused: Int
        if report.isFull {
            refused = map.onBlockReport(node: node, blocks: report.blocks)
        } else {
            refused = map.onBlocksAdded(node: node, blocks: report.blocks)
            map.onBlocksRemoved(node: node, blocks: report.removed)
        }
        return (known, refused)
    }
}

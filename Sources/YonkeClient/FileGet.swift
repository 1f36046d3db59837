import BlockCodec
import Foundation
import YonkeCore
import YonkeProtocol

/// Reading a file from the lake: every frame of every block verified (the
/// block id is the end-to-end digest), each block from the first live replica,
/// falling back to the next on error or corruption (a corrupt one is reported
/// to the master for repair). Up to `window` blocks are fetched at once, from
/// different replicas, while the oldest is handed to `write` in order.
public enum FileGet {
    public static let window = 3

    public struct Outcome: Sendable {
        public let path: String
        public let size: Int64
        public let blocks: Int
    }

    /// Looks the file up, tells `found` its size, then hands its plaintext to
    /// `write`, block by block, in order.
    public static func get(
        _ path: String, cluster: ClusterClient,
        found: (Int64) -> Void = { _ in }, write: ([UInt8]) throws -> Void
    ) async throws -> Outcome {
        let info: CatalogOps.FileInfo
        do { info = try await CatalogOps.stat(path, client: cluster) } catch { throw ClientError.cluster(error, while: "looking up \(path)") }
        guard !info.isDirectory else { throw ClientError("\(path) is a directory", hint: "list it with `yonke ls \(path) --long`") }
        found(info.sizeBytes)
        let largest = info.blocks.map(\.sizeBytes).max() ?? 1
        let keyring: Keyring
        do { keyring = try await cluster.keyring() } catch { throw ClientError.cluster(error, while: "asking for the cluster's keyring") }
        let codec = try BlockCodec(keyring: keyring, blockSizeBytes: Int(max(largest, 1)),
                                   parallelism: ProcessInfo.processInfo.activeProcessorCount)
        let locations: [BlockID: [BlockTarget]]
        do { locations = try await Self.locations(of: info.blocks.map(\.id), cluster: cluster) } catch {
            throw ClientError.cluster(error, while: "asking where the blocks of \(path) are")
        }
        let reader = BlockClient(settings: cluster.settings)
        var written: Int64 = 0
        var pending: [Int: Task<[UInt8], any Error>] = [:]
        defer { for task in pending.values { task.cancel() } }
        func fetch(_ index: Int) -> Task<[UInt8], any Error> {
            let block = info.blocks[index]
            let replicas = Self.spread(locations[block.id] ?? [], index: index)
            return Task { try await reader.readDecoded(id: block.id, replicas: replicas, codec: codec, reportingTo: cluster) }
        }
        for index in info.blocks.indices {
            for ahead in index..<min(index + window, info.blocks.count) where pending[ahead] == nil {
                pending[ahead] = fetch(ahead)
            }
            guard let current = pending.removeValue(forKey: index) else { preconditionFailure("block \(index) was not fetched") }
            let plaintext: [UInt8]
            do { plaintext = try await current.value } catch {
                throw ClientError("block \(index) of \(path) could not be read: \(error)",
                                  hint: "every replica failed; run `yonke stat \(path)` to see where its replicas are")
            }
            guard Int64(plaintext.count) == info.blocks[index].sizeBytes else {
                throw ClientError("block \(index) of \(path) has \(plaintext.count) bytes, the catalog says \(info.blocks[index].sizeBytes)",
                                  hint: "report this: the catalog and the block disagree")
            }
            try write(plaintext)
            written += Int64(plaintext.count)
        }
        guard written == info.sizeBytes else {
            throw ClientError("read \(written) bytes of \(path), the catalog says \(info.sizeBytes)",
                              hint: "report this: the file's block list is inconsistent")
        }
        return Outcome(path: info.path, size: written, blocks: info.blocks.count)
    }

    /// Starts each block's read at a different replica (the rest stay as
    /// fallbacks), so blocks read in parallel come from different machines.
    static func spread(_ replicas: [BlockTarget], index: Int) -> [BlockTarget] {
        guard !replicas.isEmpty else { return replicas }
        let start = index % replicas.count
        return Array(replicas[start...] + replicas[..<start])
    }

    /// Replica locations are soft state: a master elected a moment ago knows a
    /// block's replicas only once their nodes have sent it their reports (they
    /// do at once on a new master term), and of a block just written once its
    /// holders' additions arrive. So a block with no known replica is asked
    /// for again for a few seconds before the read gives up on it.
    public static func locations(of ids: [BlockID], cluster: ClusterClient) async throws -> [BlockID: [BlockTarget]] {
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let found = try await BlockClient.locations(ids, client: cluster)
            if ids.allSatisfy({ !(found[$0] ?? []).isEmpty }) || ContinuousClock.now >= deadline { return found }
            try await Task.sleep(for: .milliseconds(200))
        }
    }
}

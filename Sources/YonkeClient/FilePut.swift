import BlockCodec
import BlockStore
import Foundation
import YonkeCore
import YonkeProtocol

/// Storing a local file in the lake: each block encoded here (the nodes only
/// see ciphertext), streamed down a pipeline of the replicas the master chose,
/// and, once every block has all its replicas, one catalog entry that replaces
/// any earlier version at the path. Used by `yonke put`; gateways and tasks
/// inside nodes call it too.
public enum FilePut {
    public struct Options: Sendable {
        public var source: String
        public var tier: String
        public var contentType: String

        public init(source: String, tier: String, contentType: String) {
            self.source = source
            self.tier = tier
            self.contentType = contentType
        }
    }

    public struct Outcome: Sendable, Encodable {
        public let path: String
        public let size: Int64
        public let blocks: Int
        /// Encoded bytes per replica.
        public let storedBytes: Int64
        public let replication: Int
        public let version: UInt64
    }

    /// A local file's blocks, stored on all their replicas but in no catalog entry yet.
    public struct StoredBlocks: Sendable {
        public let blocks: [(id: BlockID, plaintextBytes: Int64)]
        public let sizeBytes: Int64
        /// Encoded bytes per replica.
        public let storedBytes: Int64
        public let replication: Int
    }

    /// Two blocks in flight: the next one is encoded while the last one
    /// streams to its replicas. `progress` gets the plaintext bytes of each
    /// block once it is handed to its pipeline.
    public static func put(
        file: String, to path: String, options: Options, cluster: ClusterClient,
        progress: (Int64) -> Void = { _ in }
    ) async throws -> Outcome {
        let stored = try await storeBlocks(file: file, tier: options.tier, cluster: cluster, progress: progress)
        let result: CatalogOps.CommitResult
        do {
            result = try await CatalogOps.commitFile(
                path, sizeBytes: stored.sizeBytes, blocks: stored.blocks, source: options.source,
                contentType: options.contentType, tier: options.tier, client: cluster)
        } catch {
            throw ClientError.cluster(error, while: "committing \(path) to the catalog (its blocks are stored)")
        }
        return Outcome(path: result.file.path, size: stored.sizeBytes, blocks: stored.blocks.count, storedBytes: stored.storedBytes,
                       replication: stored.replication, version: result.file.version)
    }

    /// Cuts `file` into blocks, encodes them here and streams each to its replicas; commits
    /// nothing (`put` does, and an ingest run commits all its files with its bookmark).
    public static func storeBlocks(
        file: String, tier: String, cluster: ClusterClient, progress: (Int64) -> Void = { _ in }
    ) async throws -> StoredBlocks {
        let status: CatalogOps.ClusterStatus
        do { status = try await CatalogOps.status(client: cluster) } catch {
            throw ClientError.cluster(error, while: "asking the cluster for its settings")
        }
        let keyring: Keyring
        do { keyring = try await cluster.keyring() } catch { throw ClientError.cluster(error, while: "asking for the cluster's keyring") }
        let codec = try BlockCodec(
            keyring: keyring, blockSizeBytes: Int(status.blockSizeBytes),
            parallelism: ProcessInfo.processInfo.activeProcessorCount)
        let reader: FileBlockReader
        do { reader = try FileBlockReader(path: file, blockSizeBytes: Int(status.blockSizeBytes)) } catch {
            throw ClientError(error, while: "opening \(file)", hint: "check the path and that it is a readable file")
        }
        let blocks = BlockClient(settings: cluster.settings)
        var stored: [(id: BlockID, plaintextBytes: Int64)] = []
        var storedBytes: Int64 = 0
        var plaintext: [UInt8] = []
        var encodedBuffer: [UInt8] = []
        try await withThrowingTaskGroup(of: (Int, BlockID, Int64, Int64).self) { group in
            var index = 0
            var inFlight = 0
            var results: [Int: (BlockID, Int64)] = [:]
            func collect() async throws {
                guard let (done, id, plain, encoded) = try await group.next() else { return }
                results[done] = (id, plain)
                storedBytes += encoded
                inFlight -= 1
            }
            while case let length = try reader.next(into: &plaintext), length > 0 {
                let summary = try plaintext.withUnsafeBytes {
                    try codec.encode(UnsafeRawBufferPointer(rebasing: $0[0..<length]), reusing: &encodedBuffer)
                }
                let encoded = Array(encodedBuffer[0..<summary.byteCount])
                let blockIndex = index
                let wanted = status.replicationFactor
                let tier = tier
                group.addTask {
                    let result = try await blocks.put(encoded: encoded, id: summary.id, tier: tier, replicas: wanted, cluster: cluster)
                    guard result.storedOn.count >= wanted else {
                        let why = result.failed.map { "\($0.node): \($0.reason)" }.joined(separator: "; ")
                        throw ClientError(
                            "block \(blockIndex) (\(summary.id.short)) reached only \(result.storedOn.count) of \(wanted) replicas (stored on \(result.storedOn.joined(separator: ", ")); failed: \(why))",
                            hint: "run `yonke capacity` and `yonke status`: machines may be full or down")
                    }
                    return (blockIndex, summary.id, Int64(length), Int64(encoded.count))
                }
                inFlight += 1
                index += 1
                progress(Int64(length))
                if inFlight >= 2 { try await collect() }
            }
            while inFlight > 0 { try await collect() }
            stored = (0..<index).compactMap { results[$0].map { (id: $0.0, plaintextBytes: $0.1) } }
        }
        return StoredBlocks(blocks: stored, sizeBytes: reader.fileSizeBytes, storedBytes: storedBytes,
                            replication: status.replicationFactor)
    }
}

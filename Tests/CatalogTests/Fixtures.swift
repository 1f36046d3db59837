import Testing
import YonkeCore
@testable import Catalog

/// Test paths are literals known to be valid.
func path(_ text: String) -> LakePath {
    do { return try LakePath(text) } catch {
        Issue.record("bad test path \(text): \(error)")
        return .root
    }
}

func blockID(_ n: Int) -> BlockID {
    var bytes = [UInt8](repeating: 0, count: BlockID.byteCount)
    for i in 0..<4 { bytes[i] = UInt8(truncatingIfNeeded: n >> (24 - 8 * i)) }
    bytes[31] = 0xAB
    return BlockID(bytes: bytes) ?? { fatalError("32 bytes") }()
}

/// Block `n` always has the same size, as content addressing implies.
func block(_ n: Int) -> Catalog.BlockEntry {
    Catalog.BlockEntry(id: blockID(n), sizeBytes: Int64(1000 + n))
}

let keyA = String(repeating: "a1", count: 32)
let keyB = String(repeating: "b2", count: 32)
let keyC = String(repeating: "c3", count: 32)

/// A state plus the next log index, as a Raft apply loop would hold them.
struct Harness {
    var state = Catalog.State()
    var index: UInt64 = 0
    var nowEpochMillis: Int64 = 1_764_201_600_000

    static func bootstrapped(policy: Catalog.ReplicationPolicy = .standard) -> Harness {
        var harness = Harness()
        let outcome = harness.apply(.bootstrap(clusterName: "test", policy: policy, epochMillis: harness.nowEpochMillis))
        #expect(outcome == .applied(.bootstrapped))
        return harness
    }

    @discardableResult
    mutating func apply(_ command: Catalog.Command) -> Catalog.Outcome {
        index += 1
        return state.apply(command, index: index)
    }

    @discardableResult
    mutating func put(_ text: String, _ blocks: [Int], tier: Catalog.Tier = .hot, overwrite: Bool = false,
                      createParents: Bool = true, source: String = "crm") -> Catalog.Outcome {
        apply(.commitFile(Catalog.CommitFile(
            path: path(text), blocks: blocks.map(block),
            metadata: Catalog.FileMetadata(source: source, contentType: "text/csv", tier: tier),
            overwrite: overwrite, createParents: createParents, epochMillis: nowEpochMillis)))
    }

    @discardableResult
    mutating func mkdir(_ text: String, parents: Bool = false) -> Catalog.Outcome {
        apply(.makeDirectory(path: path(text), parents: parents, epochMillis: nowEpochMillis))
    }

    func names(_ prefix: String, recursive: Bool = false) -> [String] {
        ((try? state.list(prefix: path(prefix), recursive: recursive)) ?? []).map(\.path.description)
    }
}

import Testing
import YonkeCore
@testable import Catalog

/// A deliberately naive namespace: flat sets, every rule a scan over all paths. Slow and obvious,
/// so the real tree (children lists, reference counts, subtree walks) can be checked against it.
private struct NaiveNamespace {
    var directories: Set<LakePath> = Set([LakePath.root] + Catalog.Zone.allCases.map(LakePath.init(zone:)))
    var files: [LakePath: (blocks: [Catalog.BlockEntry], tier: Catalog.Tier)] = [:]

    func exists(_ path: LakePath) -> Bool { directories.contains(path) || files[path] != nil }

    /// nil when every ancestor is a directory; otherwise whether some ancestor is a file.
    func ancestorsProblem(_ path: LakePath, create: Bool) -> Bool {
        path.ancestors.contains { files[$0] != nil || (!create && !directories.contains($0)) }
    }

    /// Whether the command should apply; applies it if so. Only namespace commands are modelled.
    mutating func apply(_ command: Catalog.Command) -> Bool? {
        switch command {
        case .makeDirectory(let path, let parents, _):
            if files[path] != nil { return false }
            if directories.contains(path) { return parents }
            if ancestorsProblem(path, create: parents) { return false }
            for ancestor in path.ancestors { directories.insert(ancestor) }
            directories.insert(path)
            return true
        case .commitFile(let commit):
            let path = commit.path
            if directories.contains(path) { return false }
            if files[path] != nil && !commit.overwrite { return false }
            if ancestorsProblem(path, create: commit.createParents) { return false }
            var sizes: [BlockID: Int64] = [:]
            for entry in files.values.flatMap(\.blocks) + commit.blocks {
                if let known = sizes[entry.id], known != entry.sizeBytes { return false }
                sizes[entry.id] = entry.sizeBytes
            }
            for ancestor in path.ancestors { directories.insert(ancestor) }
            files[path] = (commit.blocks, commit.metadata.tier)
            return true
        case .delete(let path, let recursive):
            if path.depth <= 1 || !exists(path) { return false }
            let inside = directories.filter { $0.isWithin(path) && $0 != path }.count + files.keys.filter { $0.isWithin(path) }.count
            if directories.contains(path) && inside > 0 && !recursive { return false }
            directories = directories.filter { !$0.isWithin(path) }
            files = files.filter { !$0.key.isWithin(path) }
            return true
        case .move(let from, let to):
            if from.depth <= 1 || to.depth <= 1 || !exists(from) || to.isWithin(from) || exists(to) { return false }
            if ancestorsProblem(to, create: false) { return false }
            let movingDirectories = directories.filter { $0.isWithin(from) }
            let movingFiles = files.filter { $0.key.isWithin(from) }
            for path in Array(movingDirectories) + Array(movingFiles.keys) where (try? path.replacingPrefix(from, with: to)) == nil {
                return false
            }
            directories.subtract(movingDirectories)
            for (path, _) in movingFiles { files[path] = nil }
            for path in movingDirectories { if let moved = try? path.replacingPrefix(from, with: to) { directories.insert(moved) } }
            for (path, file) in movingFiles { if let moved = try? path.replacingPrefix(from, with: to) { files[moved] = file } }
            return true
        case .setTier(let path, let tier):
            if !exists(path) { return false }
            for key in files.keys where key.isWithin(path) { files[key]?.tier = tier }
            return true
        default:
            return nil
        }
    }
}

@Suite struct ModelTests {
    @Test(arguments: [UInt64(21), 22, 23, 24])
    func treeAgreesWithANaiveModel(seed: UInt64) {
        var harness = Harness.bootstrapped()
        var model = NaiveNamespace()
        var source = CommandSource(seed: seed)
        var checked = 0
        for step in 0..<400 {
            let command = source.next()
            let outcome = harness.apply(command)
            guard let shouldApply = model.apply(command) else { continue }
            checked += 1
            #expect((outcome.refusal == nil) == shouldApply, "step \(step): \(command) → \(outcome)")
            #expect(Set(harness.state.directories.keys) == model.directories, "step \(step): directories differ after \(command)")
            #expect(Set(harness.state.files.keys) == Set(model.files.keys), "step \(step): files differ after \(command)")
            for (path, file) in harness.state.files {
                #expect(model.files[path]?.blocks == file.blocks && model.files[path]?.tier == file.tier, "step \(step): \(path)")
            }
            for n in 0..<12 {
                let references = model.files.values.reduce(0) { $0 + $1.blocks.filter { $0.id == blockID(n) }.count }
                #expect(harness.state.blockReferences(blockID(n)) == references, "step \(step): block \(n)")
            }
        }
        #expect(checked > 250)
    }
}

import YonkeCore

extension Catalog.State {
    typealias Refusal = Catalog.Refusal

    mutating func onMakeDirectory(_ path: LakePath, parents: Bool, now: Int64) throws(Refusal) -> [LakePath] {
        if files[path] != nil { throw .alreadyExists(path) }
        if directories[path] != nil {
            guard parents else { throw .alreadyExists(path) }
            // `mkdir -p` still refuses a file in the way, as the shell does.
            _ = try missingAncestors(of: path, create: true)
            return []
        }
        let created = try missingAncestors(of: path, create: parents) + [path]
        for directory in created { insertDirectory(directory, now: now) }
        return created
    }

    mutating func onCommitFile(_ commit: Catalog.CommitFile, index: UInt64, now: Int64) throws(Refusal) -> Catalog.FileCommitted {
        let path = commit.path
        if directories[path] != nil { throw .isADirectory(path) }
        let previous = files[path]
        if previous != nil && !commit.overwrite { throw .alreadyExists(path) }
        let createdDirectories = try missingAncestors(of: path, create: commit.createParents)
        var sizeBytes: Int64 = 0
        var claimed: [BlockKey: Int64] = [:]
        for block in commit.blocks {
            let key = BlockKey(block.id)
            let known = blockUsage[key]?.sizeBytes ?? claimed[key]
            if let known, known != block.sizeBytes {
                throw .blockSizeMismatch(block.id, knownBytes: known, claimedBytes: block.sizeBytes)
            }
            claimed[key] = block.sizeBytes
            sizeBytes += block.sizeBytes
        }

        for directory in createdDirectories { insertDirectory(directory, now: now) }
        // New references first, so a block in both versions never touches zero.
        addReferences(commit.blocks, tier: commit.metadata.tier)
        let record = Catalog.FileRecord(
            path: path, sizeBytes: sizeBytes, loadedAtEpochMillis: now, metadata: commit.metadata,
            blocks: commit.blocks, committedIndex: index)
        files[path] = record
        var unreferenced: [BlockID] = []
        if let previous {
            unreferenced = removeReferences(previous.blocks, tier: previous.tier)
        } else {
            addChild(path)
        }
        return Catalog.FileCommitted(file: record, createdDirectories: createdDirectories,
                                     replacedBlocks: previous?.blocks, unreferencedBlocks: unreferenced)
    }

    mutating func onDelete(_ path: LakePath, recursive: Bool) throws(Refusal) -> Catalog.Deleted {
        if path.depth <= 1 { throw .protectedPath(path) }
        if let file = files[path] {
            files[path] = nil
            removeChild(path)
            let unreferenced = removeReferences(file.blocks, tier: file.tier)
            return Catalog.Deleted(files: 1, directories: 0, bytes: file.sizeBytes, unreferencedBlocks: unreferenced)
        }
        guard let directory = directories[path] else { throw .notFound(path) }
        if !directory.children.isEmpty && !recursive { throw .directoryNotEmpty(path) }
        var deleted = Catalog.Deleted(files: 0, directories: 0, bytes: 0, unreferencedBlocks: [])
        for entry in subtree(of: path) {
            if let file = files.removeValue(forKey: entry) {
                deleted.files += 1
                deleted.bytes += file.sizeBytes
                deleted.unreferencedBlocks += removeReferences(file.blocks, tier: file.tier)
            } else {
                directories[entry] = nil
                deleted.directories += 1
            }
        }
        removeChild(path)
        deleted.unreferencedBlocks.sort()
        return deleted
    }

    mutating func onMove(from: LakePath, to: LakePath) throws(Refusal) -> Catalog.Effect {
        if from.depth <= 1 { throw .protectedPath(from) }
        if to.depth <= 1 { throw .protectedPath(to) }
        guard files[from] != nil || directories[from] != nil else { throw .notFound(from) }
        if to.isWithin(from) { throw .moveIntoItself(from: from, to: to) }
        if files[to] != nil || directories[to] != nil { throw .alreadyExists(to) }
        _ = try missingAncestors(of: to, create: false)
        let moving = subtree(of: from)
        var renamed: [(old: LakePath, new: LakePath)] = []
        renamed.reserveCapacity(moving.count)
        for old in moving {
            do throws(LakePath.ParseError) {
                renamed.append((old, try old.replacingPrefix(from, with: to)))
            } catch {
                throw .invalidPath(error)
            }
        }

        removeChild(from)
        // Take everything out before putting anything back: a new key may equal another old one
        // only if `to` were inside `from`, which was refused, but this order does not rely on it.
        var movedFiles: [LakePath: Catalog.FileRecord] = [:]
        var movedDirectories: [LakePath: Catalog.DirectoryRecord] = [:]
        for (old, new) in renamed {
            if var file = files.removeValue(forKey: old) {
                file.path = new
                movedFiles[new] = file
            } else if let directory = directories.removeValue(forKey: old) {
                movedDirectories[new] = directory
            }
        }
        for (_, new) in renamed {
            if let file = movedFiles[new] { files[new] = file }
            if let directory = movedDirectories[new] { directories[new] = directory }
        }
        addChild(to)
        return .moved(from: from, to: to, entries: renamed.count)
    }

    mutating func onSetTier(_ path: LakePath, tier: Catalog.Tier) throws(Refusal) -> Catalog.Effect {
        guard files[path] != nil || directories[path] != nil else { throw .notFound(path) }
        var changedFiles = 0
        var changedBytes: Int64 = 0
        for entry in subtree(of: path) {
            guard var file = files[entry], file.tier != tier else { continue }
            for block in file.blocks {
                let key = BlockKey(block.id)
                blockUsage[key]?.add(-1, in: file.tier)
                blockUsage[key]?.add(1, in: tier)
            }
            file.metadata.tier = tier
            files[entry] = file
            changedFiles += 1
            changedBytes += file.sizeBytes
        }
        return .tierChanged(files: changedFiles, bytes: changedBytes)
    }

    // MARK: - Tree upkeep

    /// The ancestors of `path` that do not exist yet, parents first. Refuses when one is a file,
    /// or when one is missing and `create` is false.
    func missingAncestors(of path: LakePath, create: Bool) throws(Refusal) -> [LakePath] {
        var missing: [LakePath] = []
        for ancestor in path.ancestors {
            if files[ancestor] != nil { throw .notADirectory(ancestor) }
            if directories[ancestor] == nil {
                guard create else { throw .notFound(ancestor) }
                missing.append(ancestor)
            }
        }
        return missing
    }

    /// `path` and everything under it, in path order (a directory before its contents).
    func subtree(of path: LakePath) -> [LakePath] {
        var result: [LakePath] = []
        var stack = [path]
        // Bounded by the number of entries: each is pushed once, by its one parent.
        let limit = files.count + directories.count
        while let next = stack.popLast() {
            invariant(result.count < limit, "subtree walk of \(path) exceeded \(limit) entries")
            result.append(next)
            if let directory = directories[next] {
                for child in directory.children.reversed() {
                    stack.append(LakePath.child(of: next, named: child))
                }
            }
        }
        return result
    }

    mutating func insertDirectory(_ path: LakePath, now: Int64) {
        invariant(directories[path] == nil && files[path] == nil, "\(path) already exists")
        directories[path] = Catalog.DirectoryRecord(createdAtEpochMillis: now, children: [])
        addChild(path)
    }

    // Children are edited in place through the dictionary (`directories[p]?.children…`): copying
    // the record out and back would copy the whole list on every insert, O(n²) for a big folder.
    // Names that arrive in order (dated files) append at the end.

    mutating func addChild(_ path: LakePath) {
        guard let parent = path.parent, let name = path.name else { return }
        // The lookup's temporary copy dies with its statement, so the insert below is in place.
        guard let slot = directories[parent]?.children.slot(of: name) else {
            invariant(false, "parent of \(path) missing")
            return
        }
        invariant(!slot.present, "\(path) already listed in its parent")
        directories[parent]?.children.insert(name, at: slot.position)
    }

    mutating func removeChild(_ path: LakePath) {
        guard let parent = path.parent, let name = path.name,
              let slot = directories[parent]?.children.slot(of: name) else {
            invariant(false, "removing \(path) from a missing parent")
            return
        }
        invariant(slot.present, "\(path) not listed in its parent")
        directories[parent]?.children.remove(at: slot.position)
    }

    // MARK: - Block references

    mutating func addReferences(_ blocks: [Catalog.BlockEntry], tier: Catalog.Tier) {
        for block in blocks {
            let key = BlockKey(block.id)
            var usage = blockUsage[key] ?? Catalog.BlockUsage(sizeBytes: block.sizeBytes)
            invariant(usage.sizeBytes == block.sizeBytes, "block \(block.id) size \(usage.sizeBytes) vs \(block.sizeBytes)")
            usage.add(1, in: tier)
            blockUsage[key] = usage
        }
    }

    /// Returns the blocks that no file references any more, sorted and distinct.
    mutating func removeReferences(_ blocks: [Catalog.BlockEntry], tier: Catalog.Tier) -> [BlockID] {
        var unreferenced: [BlockKey] = []
        for block in blocks {
            let key = BlockKey(block.id)
            guard var usage = blockUsage[key] else {
                invariant(false, "block \(block.id) has no references to remove")
                continue
            }
            usage.add(-1, in: tier)
            if usage.references == 0 {
                blockUsage[key] = nil
                unreferenced.append(key)
            } else {
                blockUsage[key] = usage
            }
        }
        return unreferenced.sorted().map(\.id)
    }
}

extension LakePath {
    /// Names stored in the tree were validated when they went in; the length and depth limits
    /// held for the full path then too (a move re-checks every descendant).
    static func child(of parent: LakePath, named name: String) -> LakePath {
        LakePath(trusted: parent.components + [name])
    }
}

extension Array where Element == String {
    /// Where `name` is or would go in this byte-ordered list.
    func slot(of name: String) -> (position: Int, present: Bool) {
        let position = insertionIndex(of: name)
        return (position, position < count && LakePath.same(self[position], name))
    }

    /// First position whose name is not before `name` in byte order (the array is sorted).
    func insertionIndex(of name: String) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if LakePath.precedes(self[middle], name) { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

import YonkeCore

extension Catalog {
    /// A block every replica set must hold, with the copies its files' tiers ask for.
    public struct BlockInfo: Hashable, Sendable {
        public var id: BlockID
        public var sizeBytes: Int64
        public var references: Int
        public var replicationTarget: Int
        /// The tier that decides where its replicas go: hot when any hot file holds it.
        public var tier: Tier = .cold
    }

    public struct Totals: Hashable, Sendable {
        public struct Bucket: Hashable, Sendable {
            public var files = 0
            public var bytes: Int64 = 0

            public init(files: Int = 0, bytes: Int64 = 0) {
                self.files = files
                self.bytes = bytes
            }
        }

        public var files = 0
        public var directories = 0
        /// What users stored: the sum of file sizes.
        public var bytes: Int64 = 0
        /// What the stores hold once identical blocks are kept once (before replication).
        public var uniqueBlockBytes: Int64 = 0
        public var uniqueBlocks = 0
        /// One bucket per zone and per tier, in declaration order (`Zone.allCases`).
        public var byZone = [Bucket](repeating: Bucket(), count: Zone.allCases.count)
        public var byTier = [Bucket](repeating: Bucket(), count: Tier.allCases.count)

        public func zone(_ zone: Zone) -> Bucket { byZone[Int(zone.code)] }
        public func tier(_ tier: Tier) -> Bucket { byTier[Int(tier.code)] }

        mutating func add(_ file: FileRecord) {
            files += 1
            bytes += file.sizeBytes
            byZone[Int(file.zone.code)].files += 1
            byZone[Int(file.zone.code)].bytes += file.sizeBytes
            byTier[Int(file.tier.code)].files += 1
            byTier[Int(file.tier.code)].bytes += file.sizeBytes
        }
    }
}

extension Catalog.State {
    public func stat(_ path: LakePath) -> Catalog.Entry? {
        if let file = files[path] { return .file(file) }
        if let directory = directories[path] {
            return .directory(path: path, createdAtEpochMillis: directory.createdAtEpochMillis)
        }
        return nil
    }

    public func file(at path: LakePath) -> Catalog.FileRecord? { files[path] }

    /// A directory's entries (all descendants when `recursive`, a directory before its contents),
    /// in path order; a file lists as itself.
    /// `list`'s order (a folder, then what is inside it, names in byte order):
    /// whether `a` comes before `b`. A page of a long listing starts after its cursor by it.
    public static func listedBefore(_ a: LakePath, _ b: LakePath) -> Bool {
        for (x, y) in zip(a.components, b.components) where x != y { return LakePath.precedes(x, y) }
        return a.components.count < b.components.count
    }

    public func list(prefix: LakePath = .root, recursive: Bool = false) throws(Catalog.Refusal) -> [Catalog.Entry] {
        if let file = files[prefix] { return [.file(file)] }
        guard let directory = directories[prefix] else { throw .notFound(prefix) }
        let paths = recursive
            ? Array(subtree(of: prefix).dropFirst())
            : directory.children.map { LakePath.child(of: prefix, named: $0) }
        return paths.compactMap(stat)
    }

    public var totals: Catalog.Totals {
        var totals = Catalog.Totals()
        totals.directories = directories.count
        for path in files.keys.sorted() {
            if let file = files[path] { totals.add(file) }
        }
        totals.uniqueBlocks = blockUsage.count
        totals.uniqueBlockBytes = blockUsage.keys.sorted().reduce(0) { $0 + (blockUsage[$1]?.sizeBytes ?? 0) }
        return totals
    }

    /// Every referenced block, sorted by id: what healing and rebalancing must keep alive.
    public func allBlocks() -> [Catalog.BlockInfo] {
        blockUsage.keys.sorted().compactMap { blockInfo($0.id) }
    }

    public func blockInfo(_ id: BlockID) -> Catalog.BlockInfo? {
        guard let usage = blockUsage[BlockKey(id)] else { return nil }
        return Catalog.BlockInfo(id: id, sizeBytes: usage.sizeBytes, references: usage.references,
                                 replicationTarget: usage.replicationTarget(policy),
                                 tier: usage.hotReferences > 0 ? .hot : (usage.coldReferences > 0 ? .cold : .glacier))
    }

    /// How many block-list slots, across all files, name this block (0 once it may be collected).
    public func blockReferences(_ id: BlockID) -> Int { blockUsage[BlockKey(id)]?.references ?? 0 }

    public func lease(job: String) -> Catalog.Lease? { leases[job] }
    public var allLeases: [Catalog.Lease] { leases.keys.sorted(by: LakePath.precedes).compactMap { leases[$0] } }
    public func bookmark(job: String) -> String? { bookmarks[job] }
    public func node(_ name: String) -> Catalog.NodeRecord? { nodeRecords[name] }
    public func machineState(_ name: String) -> Catalog.MachineState { machineStates[name] ?? .active }
    /// Machines that are draining or removed, by name.
    public var nonActiveMachines: [(name: String, state: Catalog.MachineState)] {
        machineStates.keys.sorted(by: LakePath.precedes).compactMap { name in machineStates[name].map { (name, $0) } }
    }
    public var nodes: [Catalog.NodeRecord] { nodeRecords.keys.sorted(by: LakePath.precedes).compactMap { nodeRecords[$0] } }

    /// Consistency problems between the tree, the files and the derived block counts: empty for
    /// any state `apply` or a snapshot restore produced. Tests and restore call it.
    public func audit() -> [String] {
        var problems: [String] = []
        if isBootstrapped {
            for path in [LakePath.root] + Catalog.Zone.allCases.map(LakePath.init(zone:)) where directories[path] == nil {
                problems.append("missing \(path)")
            }
        }
        for path in directories.keys.sorted() {
            let children = directories[path]?.children ?? []
            for (a, b) in zip(children, children.dropFirst()) where !LakePath.precedes(a, b) {
                problems.append("children of \(path) not sorted: \(a) before \(b)")
            }
            for child in children {
                let childPath = LakePath.child(of: path, named: child)
                if files[childPath] == nil && directories[childPath] == nil {
                    problems.append("\(path) lists missing \(child)")
                }
            }
        }
        for path in (Array(directories.keys) + Array(files.keys)).sorted() where !path.isRoot {
            guard let parent = path.parent, let listed = directories[parent]?.children else {
                problems.append("\(path) has no parent directory")
                continue
            }
            let position = listed.insertionIndex(of: path.name ?? "")
            if position == listed.count || !LakePath.same(listed[position], path.name ?? "") {
                problems.append("\(path) not listed in \(parent)")
            }
            if path.depth == 1 && files[path] != nil { problems.append("file \(path) at zone level") }
        }
        var expected: [BlockKey: Catalog.BlockUsage] = [:]
        for path in files.keys.sorted() {
            guard let file = files[path] else { continue }
            if file.path != path { problems.append("file keyed \(path) says \(file.path)") }
            if file.sizeBytes != file.blocks.reduce(0, { $0 + $1.sizeBytes }) {
                problems.append("\(path) size \(file.sizeBytes) is not the sum of its blocks")
            }
            for block in file.blocks {
                var usage = expected[BlockKey(block.id)] ?? Catalog.BlockUsage(sizeBytes: block.sizeBytes)
                if usage.sizeBytes != block.sizeBytes {
                    problems.append("block \(block.id.short) sized \(usage.sizeBytes) and \(block.sizeBytes)")
                }
                usage.add(1, in: file.tier)
                expected[BlockKey(block.id)] = usage
            }
        }
        if expected != blockUsage { problems.append("block reference counts differ from the files") }
        return problems
    }
}

import YonkeCore

/// A location in the lake: `lake://` (the root), `lake://bronze` (a zone),
/// `lake://bronze/sales/2026-11-27.csv`. Components compare and hash by their UTF-8 bytes, not by
/// Unicode canonical equivalence, so two spellings that render alike are two paths (as in HDFS and
/// S3) and the order is the same on every platform.
public struct LakePath: Hashable, Comparable, Sendable, CustomStringConvertible {
    public static let scheme = "lake://"
    /// Whole path including the scheme; HDFS allows more, but a lake path is typed by people.
    public static let maxBytes = 1024
    /// The usual file-system limit on one name (ext4, XFS, HDFS's default).
    public static let maxComponentBytes = 255
    public static let maxDepth = 64

    public enum ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        case missingScheme
        case emptyComponent(position: Int)
        case slashInComponent(position: Int)
        case dotComponent(position: Int)
        case controlCharacter(position: Int, scalar: UInt32)
        case tooLong(bytes: Int, limit: Int)
        case componentTooLong(position: Int, bytes: Int, limit: Int)
        case tooDeep(components: Int, limit: Int)
        case unknownZone(String)

        public var description: String {
            switch self {
            case .missingScheme: "path must start with lake://"
            case .emptyComponent(let p): "empty component at position \(p) (a doubled '/')"
            case .slashInComponent(let p): "component \(p) contains '/'"
            case .dotComponent(let p): "'.' or '..' at position \(p) is not allowed"
            case .controlCharacter(let p, let s): "control character U+\(String(s, radix: 16, uppercase: true)) in component \(p)"
            case .tooLong(let b, let l): "path is \(b) bytes, limit \(l)"
            case .componentTooLong(let p, let b, let l): "component \(p) is \(b) bytes, limit \(l)"
            case .tooDeep(let c, let l): "path has \(c) components, limit \(l)"
            case .unknownZone(let z): "unknown zone '\(z)' (zones: bronze, silver, gold)"
            }
        }
    }

    /// Empty for the root; otherwise the first is a zone name.
    public let components: [String]

    public static let root = LakePath(trusted: [])

    /// For components already validated (names stored in the tree).
    init(trusted components: [String]) {
        self.components = components
    }

    /// Parses `lake://zone/a/b`; one trailing `/` is allowed (`lake://bronze/2025/`).
    public init(_ text: String) throws(ParseError) {
        let byteCount = text.utf8.count
        guard byteCount <= Self.maxBytes else { throw .tooLong(bytes: byteCount, limit: Self.maxBytes) }
        // Bytes, not Characters: "/" followed by a combining mark is one Character and would
        // otherwise hide a separator inside a component.
        guard text.utf8.starts(with: Self.scheme.utf8) else { throw .missingScheme }
        var rest = Array(text.utf8.dropFirst(Self.scheme.utf8.count))
        if rest.last == UInt8(ascii: "/") { rest.removeLast() }
        let parts = rest.isEmpty
            ? []
            : rest.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
        try self.init(components: parts)
    }

    /// Validates every component, so a path decoded from the wire obeys the same rules as one typed.
    public init(components: [String]) throws(ParseError) {
        guard components.count <= Self.maxDepth else {
            throw .tooDeep(components: components.count, limit: Self.maxDepth)
        }
        var total = Self.scheme.utf8.count + max(0, components.count - 1)
        for (position, component) in components.enumerated() {
            guard !component.isEmpty else { throw .emptyComponent(position: position) }
            guard !component.utf8.contains(UInt8(ascii: "/")) else { throw .slashInComponent(position: position) }
            for scalar in component.unicodeScalars where Self.isControl(scalar) {
                throw .controlCharacter(position: position, scalar: scalar.value)
            }
            guard component != "." && component != ".." else { throw .dotComponent(position: position) }
            let bytes = component.utf8.count
            guard bytes <= Self.maxComponentBytes else {
                throw .componentTooLong(position: position, bytes: bytes, limit: Self.maxComponentBytes)
            }
            total += bytes
        }
        guard total <= Self.maxBytes else { throw .tooLong(bytes: total, limit: Self.maxBytes) }
        if let first = components.first, Catalog.Zone(rawValue: first) == nil { throw .unknownZone(first) }
        self.components = components
    }

    public init(zone: Catalog.Zone) {
        self.init(trusted: [zone.rawValue])
    }

    /// C0, DEL and C1: invisible in a terminal listing and a classic injection vector in logs.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    public var isRoot: Bool { components.isEmpty }
    public var isZone: Bool { components.count == 1 }
    public var depth: Int { components.count }
    public var zone: Catalog.Zone? { components.first.flatMap(Catalog.Zone.init(rawValue:)) }
    public var name: String? { components.last }

    public var parent: LakePath? {
        isRoot ? nil : LakePath(trusted: Array(components.dropLast()))
    }

    /// Root first, then each ancestor down to (not including) this path.
    public var ancestors: [LakePath] {
        (0..<components.count).map { LakePath(trusted: Array(components.prefix($0))) }
    }

    public func appending(_ component: String) throws(ParseError) -> LakePath {
        try LakePath(components: components + [component])
    }

    /// Component-wise: `lake://bronze/sa` is not a prefix of `lake://bronze/sales`.
    /// A path is within itself.
    public func isWithin(_ ancestor: LakePath) -> Bool {
        guard ancestor.components.count <= components.count else { return false }
        for (mine, theirs) in zip(components, ancestor.components) where !Self.same(mine, theirs) {
            return false
        }
        return true
    }

    /// This path with `old` (which it must be within) swapped for `new`; validated again because a
    /// move can push a deep descendant over the length or depth limit.
    public func replacingPrefix(_ old: LakePath, with new: LakePath) throws(ParseError) -> LakePath {
        invariant(isWithin(old), "\(self) is not within \(old)")
        return try LakePath(components: new.components + components.dropFirst(old.components.count))
    }

    public var description: String { Self.scheme + components.joined(separator: "/") }

    public static func == (lhs: LakePath, rhs: LakePath) -> Bool {
        lhs.components.count == rhs.components.count
            && zip(lhs.components, rhs.components).allSatisfy { same($0, $1) }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(components.count)
        for component in components {
            hasher.combine(component.utf8.count)
            let hashed: Void? = component.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            if hashed == nil {
                for byte in component.utf8 { hasher.combine(byte) }
            }
        }
    }

    /// Component-wise byte order, so a directory's descendants sort contiguously right after it.
    public static func < (lhs: LakePath, rhs: LakePath) -> Bool {
        for (l, r) in zip(lhs.components, rhs.components) where !same(l, r) {
            return precedes(l, r)
        }
        return lhs.components.count < rhs.components.count
    }

    static func same(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        // Native strings are contiguous UTF-8: compare the buffers, not two generic views.
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in x.elementsEqual(y) }
        }
        return (fast ?? nil) ?? a.utf8.elementsEqual(b.utf8)
    }
}

extension LakePath {
    /// Byte order for sibling names (the order `ls` prints).
    static func precedes(_ a: String, _ b: String) -> Bool {
        let fast = a.utf8.withContiguousStorageIfAvailable { x in
            b.utf8.withContiguousStorageIfAvailable { y in x.lexicographicallyPrecedes(y) }
        }
        return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// Arithmetic on values that came from outside (a wire, a file, a peer's
/// claim): Swift traps on overflow, and a trap there is a remote kill switch.
/// Sums of sizes and capacities saturate (a report that says "more than
/// Int64.max bytes" is as good as a correct one for every decision made with
/// it); counters that must never wrap refuse instead (`incremented`).
public enum CheckedMath {
    /// `a + b`, clamped to the type's range instead of trapping.
    @inlinable
    public static func saturatingAdd<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        // Only same-sign operands overflow; the sign of either tells the direction.
        return b > 0 ? T.max : T.min
    }

    /// `a - b`, clamped to the type's range.
    @inlinable
    public static func saturatingSubtract<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        let (difference, overflow) = a.subtractingReportingOverflow(b)
        guard overflow else { return difference }
        return b > 0 ? T.min : T.max
    }

    /// `a × b`, clamped to the type's range.
    @inlinable
    public static func saturatingMultiply<T: FixedWidthInteger>(_ a: T, _ b: T) -> T {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard overflow else { return product }
        return (a < 0) == (b < 0) ? T.max : T.min
    }

    /// `a + b`, or nil where it would not fit.
    @inlinable
    public static func adding<T: FixedWidthInteger>(_ a: T, _ b: T) -> T? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    /// `value + 1`, or nil at the type's maximum (a term, an incarnation: must never wrap).
    @inlinable
    public static func incremented<T: FixedWidthInteger>(_ value: T) -> T? { adding(value, 1) }
}

extension Sequence {
    /// The saturating sum of `value` over the elements: never traps, whatever the inputs.
    @inlinable
    public func saturatingSum<T: FixedWidthInteger>(_ value: (Element) throws -> T) rethrows -> T {
        var total: T = 0
        for element in self { total = CheckedMath.saturatingAdd(total, try value(element)) }
        return total
    }
}

/// Bounds on sizes declared from outside, wherever they are declared (a topology
/// file, a join, the catalog's registry, a join grant). With them, a machine's
/// capacity (64 disks × 1 PiB = 2^56) and a cluster's (128 such machines) stay
/// inside Int64 even unchecked, and so does `blockSize + blockSize / 8`; sums
/// are saturating anyway.
public enum SizeLimits {
    /// Blocks are 64 MiB; 1 GiB leaves room for larger settings (the catalog's bound too).
    public static let maxBlockSizeBytes: Int64 = 1 << 30
    /// 1 PiB: a thousand times the largest disk sold today.
    public static let maxDiskCapacityBytes: Int64 = 1 << 50
    public static let maxDisksPerMachine = 64
}

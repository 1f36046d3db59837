import Catalog

/// How two schema versions differ, for `yonke jobs` and the run's log line.
public enum SchemaChange: Hashable, Sendable, CustomStringConvertible {
    case added(Catalog.Column)
    case dropped(Catalog.Column)
    case retyped(name: String, from: String, to: String)

    public var description: String {
        switch self {
        case .added(let c): "added \(c.name) \(c.type)"
        case .dropped(let c): "dropped \(c.name) \(c.type)"
        case let .retyped(name, from, to): "\(name): \(from) → \(to)"
        }
    }

    public static func between(_ old: [Catalog.Column], _ new: [Catalog.Column]) -> [SchemaChange] {
        var changes: [SchemaChange] = []
        for column in new {
            if let before = old.first(where: { $0.name == column.name }) {
                if before.type != column.type { changes.append(.retyped(name: column.name, from: before.type, to: column.type)) }
            } else {
                changes.append(.added(column))
            }
        }
        for column in old where !new.contains(where: { $0.name == column.name }) { changes.append(.dropped(column)) }
        return changes
    }
}

/// Where a run's files go: `TARGET/load_date=YYYY-MM-DD/part-RRRRR-PPPP.parquet`, the run's number
/// then the part's, so no two runs ever name the same file.
public enum LakeLayout {
    public static func partPath(target: String, loadEpochMillis: Int64, run: UInt64, part: Int) -> String {
        let date = CivilDate(epochMillis: loadEpochMillis)
        return "\(target)/load_date=\(date)/part-\(pad(run, 5))-\(pad(UInt64(part), 4)).parquet"
    }

    static func pad(_ n: UInt64, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// A UTC calendar date from epoch time (Hinnant's days-from-civil inverse: no calendar library,
/// the same answer on every platform).
public struct CivilDate: Hashable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(epochMillis: Int64) {
        let days = Int(epochMillis >= 0 ? epochMillis / 86_400_000 : (epochMillis - 86_399_999) / 86_400_000)
        self.init(daysSinceEpoch: days)
    }

    public init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days since 1970-01-01 of a date.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Sunday, as cron counts.
    public static func weekday(daysSinceEpoch: Int) -> Int { ((daysSinceEpoch % 7) + 7 + 4) % 7 }

    public var description: String {
        "\(LakeLayout.pad(UInt64(max(0, year)), 4))-\(LakeLayout.pad(UInt64(month), 2))-\(LakeLayout.pad(UInt64(day), 2))"
    }
}

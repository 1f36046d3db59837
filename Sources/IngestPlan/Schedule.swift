import Catalog

/// `--every 1h` and `--cron "0 * * * *"` (UTC, five fields: minute hour day-of-month month
/// day-of-week; `*`, numbers, `a-b`, lists and `/step`). Pure: times in, times out.
public enum Schedule {
    /// `90s`, `15m`, `1h`, `1d`, `500ms` → milliseconds.
    public static func interval(_ text: String) throws(IngestError) -> Int64 {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            // "ms" ends in "s": only take "s" when what is left is a number.
            guard let value = Int64(number), value > 0 else { continue }
            let (millis, overflow) = value.multipliedReportingOverflow(by: factor)
            guard !overflow, millis >= Catalog.Limits.minScheduleIntervalMillis, millis <= 366 * 86_400_000 else {
                throw .badSchedule(text, reason: "between 1s and 366d")
            }
            return millis
        }
        throw .badSchedule(text, reason: "expected a number and a unit: 30s, 15m, 1h, 1d")
    }

    public static func parse(every: String?, cron: String?) throws(IngestError) -> Catalog.JobSchedule {
        switch (every, cron) {
        case (nil, nil): return .manual
        case (let e?, nil): return .every(millis: try interval(e))
        case (nil, let c?):
            _ = try Cron(c)
            return .cron(c)
        case (_?, _?): throw .badSchedule("--every and --cron", reason: "give one of them, not both")
        }
    }

    /// When a job is next due, counting from its last scheduled start (or its creation).
    public static func nextDue(_ schedule: Catalog.JobSchedule, after: Int64) -> Int64? {
        switch schedule {
        case .manual: return nil
        case .every(let millis): return after + millis
        case .cron(let text): return (try? Cron(text))?.next(after: after)
        }
    }
}

public struct Cron: Hashable, Sendable {
    public var minutes: Set<Int>
    public var hours: Set<Int>
    public var days: Set<Int>
    public var months: Set<Int>
    public var weekdays: Set<Int>
    /// Cron's rule: when both day fields are restricted, a day matching either runs.
    var daysRestricted: Bool
    var weekdaysRestricted: Bool

    public init(_ text: String) throws(IngestError) {
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 5 else { throw .badSchedule(text, reason: "cron needs five fields: minute hour day month weekday") }
        minutes = try Self.field(fields[0], 0...59, text)
        hours = try Self.field(fields[1], 0...23, text)
        days = try Self.field(fields[2], 1...31, text)
        months = try Self.field(fields[3], 1...12, text)
        var weekdays = try Self.field(fields[4], 0...7, text)
        if weekdays.remove(7) != nil { weekdays.insert(0) }
        self.weekdays = weekdays
        daysRestricted = fields[2] != "*"
        weekdaysRestricted = fields[4] != "*"
    }

    static func field(_ text: Substring, _ range: ClosedRange<Int>, _ whole: String) throws(IngestError) -> Set<Int> {
        var values = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            var body = item
            var step = 1
            if let slash = item.firstIndex(of: "/") {
                guard let s = Int(item[item.index(after: slash)...]), s > 0 else {
                    throw .badSchedule(whole, reason: "bad step in \(item)")
                }
                step = s
                body = item[..<slash]
            }
            var low = range.lowerBound
            var high = range.upperBound
            if body != "*" {
                let bounds = body.split(separator: "-", omittingEmptySubsequences: false)
                guard (1...2).contains(bounds.count), let a = Int(bounds[0]), let b = Int(bounds.last ?? bounds[0]),
                      range.contains(a), range.contains(b), a <= b else {
                    throw .badSchedule(whole, reason: "\(item) is outside \(range.lowerBound)–\(range.upperBound)")
                }
                low = a
                high = bounds.count == 2 || step > 1 ? b : a
                if bounds.count == 1 && step > 1 { high = range.upperBound }
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    /// The first whole minute strictly after `after` (epoch ms) that matches; nil when none within
    /// five years (`0 0 30 2 *`).
    public func next(after: Int64) -> Int64? {
        var minute = after / 60_000 + 1
        let limit = minute + 5 * 366 * 1440
        while minute < limit {
            let day = Int(minute / 1440)
            let date = CivilDate(daysSinceEpoch: day)
            let weekday = CivilDate.weekday(daysSinceEpoch: day)
            let dayMatches: Bool = switch (daysRestricted, weekdaysRestricted) {
            case (true, true): days.contains(date.day) || weekdays.contains(weekday)
            case (true, false): days.contains(date.day)
            case (false, true): weekdays.contains(weekday)
            case (false, false): true
            }
            guard months.contains(date.month), dayMatches else {
                minute = Int64(day + 1) * 1440
                continue
            }
            let minuteOfDay = Int(minute % 1440)
            guard hours.contains(minuteOfDay / 60) else {
                minute = Int64(day) * 1440 + Int64(minuteOfDay / 60 + 1) * 60
                continue
            }
            if minutes.contains(minuteOfDay % 60) { return minute * 60_000 }
            minute += 1
        }
        return nil
    }
}

/// The master's schedule as a pure decision: given a job and the catalog's clock, whether to start
/// a run now and why. The master asks on every tick; a new master asks the same replicated state,
/// so the schedule moves with the master role.
public enum JobScheduler {
    public struct Decision: Hashable, Sendable {
        public var job: String
        public var trigger: Catalog.RunTrigger
    }

    /// `liveLease`: the job's lease if still live. A running run without one lost its holder:
    /// retry at once. Otherwise a due schedule starts a run (recorded skipped by the catalog if one
    /// is still going).
    public static func decide(_ job: Catalog.JobRecord, liveLease: Catalog.Lease?, now: Int64) -> Decision? {
        let name = job.definition.name
        if let last = job.runs.last(where: { $0.status == .running }), liveLease?.fencingToken != last.fencingToken {
            return Decision(job: name, trigger: .retry)
        }
        guard let due = nextDue(job), now >= due else { return nil }
        return Decision(job: name, trigger: .schedule)
    }

    public static func nextDue(_ job: Catalog.JobRecord) -> Int64? {
        Schedule.nextDue(job.definition.schedule, after: job.lastScheduledAtEpochMillis ?? job.definition.createdAtEpochMillis)
    }
}

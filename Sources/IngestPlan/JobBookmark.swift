import Foundation

/// What a job remembers between runs, stored as JSON text in the catalog and committed with the
/// run's files: the high-water mark of its bookmark columns, and the source snapshot its last
/// run read in.
///
/// Why the snapshot: a serial id (or a `now()` timestamp) is taken when a row is written, not when
/// its transaction commits, so a row below the high-water mark `H` can become visible after a run
/// that saw `H`. Such a row was invisible to that run's snapshot `S`, which (PostgreSQL's MVCC)
/// means its inserting transaction was in progress at `S` (`xmin ∈ S.xip`) or got its id after
/// `S` was taken (`xmin ≥ S.xmax`). The next run reads `bookmark > H` plus exactly those rows;
/// rows visible to `S` were read by that run, so none is read twice.
public struct JobBookmark: Codable, Hashable, Sendable {
    /// Text forms of the bookmark columns' largest values so far (nil: nothing read yet).
    public var high: [String]?
    /// The snapshot's xmax and in-progress list, as 64-bit xid8 (epoch-extended, no wraparound).
    public var xmax: UInt64
    public var xip: [UInt64]

    public init(high: [String]?, xmax: UInt64, xip: [UInt64]) {
        self.high = high
        self.xmax = xmax
        self.xip = xip
    }

    /// "" (a job that never succeeded) is nil: the first run takes everything.
    public static func decode(_ text: String) throws(IngestError) -> JobBookmark? {
        guard !text.isEmpty else { return nil }
        do {
            return try JSONDecoder().decode(JobBookmark.self, from: Data(text.utf8))
        } catch {
            throw .badBookmark("\(error)")
        }
    }

    public var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `(fecha, id) > (2026-12-02 10:00:00, 41)` for humans (`yonke jobs runs`).
    public static func summary(_ text: String?) -> String {
        guard let text, !text.isEmpty else { return "start" }
        guard let bookmark = try? decode(text) else { return "?" }
        guard let high = bookmark.high else { return "start" }
        return high.count == 1 ? high[0] : "(" + high.joined(separator: ", ") + ")"
    }
}

/// A `pg_snapshot` as `pg_current_snapshot()::text` prints it: `xmin:xmax:xip,xip,…`.
public struct SourceSnapshot: Hashable, Sendable {
    public var xmin: UInt64
    public var xmax: UInt64
    public var xip: [UInt64]

    public init(xmin: UInt64, xmax: UInt64, xip: [UInt64]) {
        self.xmin = xmin
        self.xmax = xmax
        self.xip = xip
    }

    public init(parsing text: String) throws(IngestError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, let xmin = UInt64(parts[0]), let xmax = UInt64(parts[1]), xmin <= xmax else {
            throw .source("unexpected snapshot \(text)")
        }
        var xip: [UInt64] = []
        for item in parts[2].split(separator: ",") {
            guard let xid = UInt64(item), xid >= xmin, xid < xmax else { throw .source("unexpected snapshot \(text)") }
            xip.append(xid)
        }
        self.init(xmin: xmin, xmax: xmax, xip: xip.sorted())
    }
}

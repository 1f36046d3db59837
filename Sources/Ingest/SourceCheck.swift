import Catalog
import IngestPlan
import Logging

/// What `yonke ingest postgres` checks before it makes a job, so that a bad URL, a wrong
/// password, a missing table, an unknown or unorderable bookmark column or an unmapped type is
/// said now, not at the first scheduled run.
public enum SourceCheck {
    public struct Report: Sendable, Encodable {
        public var table: String
        public var columns: [Catalog.Column]
        public var parquetTypes: [String]
        public var rows: Int64
    }

    public static func check(url: SourceURL, table: TableName, bookmarkColumns: [String], password: String?,
                             logger: Logger) async throws -> Report {
        let source = try await PostgresSource.connect(url, password: password, logger: logger)
        do {
            let columns = try await source.describe(table)
            let plan = try ReadPlan(table: table, columns: columns, bookmarkColumns: bookmarkColumns, previous: nil)
            let count = try await source.textRows("SELECT count(*)::text FROM \(table.quoted)")
            await source.close()
            return Report(table: table.description, columns: plan.catalogColumns,
                          parquetTypes: plan.columns.map { "\($0.parquet.type)" },
                          rows: Int64(count.first?.first??.description ?? "0") ?? 0)
        } catch {
            await source.close()
            throw error
        }
    }

    public static func password(file: String?) throws -> String? {
        try IngestRunner.password(file: file ?? "")
    }
}

import ArgumentParser
import Catalog
import Foundation
import Ingest
import IngestPlan
import Logging
import YonkeClient
import YonkeProtocol

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Make incremental ingest jobs that pull a source into bronze.",
        subcommands: [IngestPostgresCommand.self]
    )
}

struct IngestPostgresCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "postgres",
        abstract: "Make a job that pulls a PostgreSQL table into lake://bronze/NAME as Parquet, past a bookmark.",
        discussion: """
            The table is checked now: the server must answer, the password must work, the table must exist, every bookmark column must exist and be orderable, and every column type must map to Parquet. The master then runs the job on its schedule (or on `yonke jobs run NAME`): each run reads the rows past the last committed bookmark in one snapshot, writes lake://bronze/NAME/load_date=YYYY-MM-DD/part-RUN-PART.parquet, and commits the files and the new bookmark in one catalog entry.

            The password is never stored: it is read from --password-file (a path that must hold the password on every machine that may run the job) or from PGPASSWORD in the nodes' environment.

            Example:
              PGPASSWORD=… yonke ingest postgres --url postgres://ana@db.local:5432/shop --table public.random_data --bookmark id --every 1h --name random_data
              yonke ingest postgres --url postgres://etl@10.0.0.7/crm --table sales --bookmark fecha,id --cron "0 * * * *" --name sales --password-file /etc/yonke/crm.pass
            """
    )

    @Option(name: .long, help: "postgres://USER@HOST:PORT/DATABASE[?sslmode=disable|prefer|require], without a password.") var url: String
    @Option(name: .long, help: "SCHEMA.TABLE (default schema public).") var table: String
    @Option(name: .long, help: "Bookmark column(s), most significant first: id, or fecha,id.") var bookmark: String
    @Option(name: .long, help: "The job's name (also the folder under lake://bronze/).") var name: String
    @Option(name: .long, help: "Run every DURATION (30s, 15m, 1h, 1d).") var every: String?
    @Option(name: .long, help: "Run on a five-field cron schedule in UTC, e.g. \"0 * * * *\".") var cron: String?
    @Option(name: .long, help: "A file holding the password, on the machines that run the job (else PGPASSWORD).") var passwordFile: String?
    @Option(name: .long, help: "Where the files go. Default: lake://bronze/NAME.") var target: String?
    @Flag(name: .long, help: "Redefine an existing job, keeping its runs and bookmark.") var replace = false
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let definition = try await checkedDefinition()
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let job: JobWire.Job
        do {
            job = try await CatalogOps.defineJob(definition.job, replace: replace, client: cluster)
        } catch {
            throw CLIError.cluster(error, while: "making job \(name)")
        }
        if client.json {
            try client.printJSON(IngestReport(job: job, check: definition.check))
        } else {
            print("job \(name): \(definition.check.table) → \(job.definition.target), bookmark \(definition.job.bookmarkColumns.joined(separator: ",")), \(JobsText.schedule(job.definition.schedule)); \(definition.check.rows) rows in the table now, \(definition.check.columns.count) columns")
            if let next = job.nextRunAtEpochMillis { print("next run: \(JobsText.time(next))") }
        }
    }

    func checkedDefinition() async throws -> (job: Catalog.JobDefinition, check: SourceCheck.Report) {
        do {
            let source = try SourceURL(parsing: url)
            let tableName = try TableName(parsing: table)
            let columns = bookmark.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !columns.isEmpty else { throw CLIError("--bookmark is empty", hint: "name the column(s) to follow, e.g. --bookmark id") }
            let schedule = try Schedule.parse(every: every, cron: cron)
            let targetPath: LakePath
            do { targetPath = try LakePath(target ?? "lake://bronze/\(name)") } catch {
                throw CLIError("bad target \(target ?? name): \(error)", hint: "use a folder such as lake://bronze/\(name)")
            }
            var logger = Logger(label: "yonke.ingest")
            logger.logLevel = .critical
            let check = try await SourceCheck.check(url: source, table: tableName, bookmarkColumns: columns,
                                                    password: try SourceCheck.password(file: passwordFile), logger: logger)
            let definition = Catalog.JobDefinition(
                name: name, sourceURL: source.description, table: tableName.description, bookmarkColumns: columns,
                schedule: schedule, target: targetPath, passwordFile: passwordFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? "",
                createdAtEpochMillis: 0)
            return (definition, check)
        } catch let error as IngestError {
            throw CLIError("\(error)", hint: "nothing was created; fix the option and run the command again")
        }
    }
}

struct IngestReport: Encodable {
    let job: JobWire.Job
    let check: SourceCheck.Report
}

import Foundation
import Testing

/// Issue 14's acceptance tests for ingest: a real PostgreSQL server, real `yonke` processes, and
/// bronze read back with pyarrow and DuckDB (Tests/YonkeCLITests/ingest_check.py).
@Suite(.serialized)
struct IngestTests {
    static let createTable = """
        CREATE TABLE random_data (id serial PRIMARY KEY, valor text, fecha timestamp DEFAULT now());
        """

    /// `count` rows of 10-character random strings and the current time.
    static func insertRows(_ count: Int) -> String {
        "INSERT INTO random_data (valor, fecha) SELECT substr(md5(random()::text), 1, 10), now() FROM generate_series(1, \(count));"
    }

    /// A writer inserting one row every few milliseconds, `count` times.
    static func generator(_ count: Int) -> String {
        String(repeating: "INSERT INTO random_data (valor) VALUES (substr(md5(random()::text), 1, 10)); SELECT pg_sleep(0.004);\n", count: count)
    }

    /// A writer that takes ids now and commits them `holdSeconds` later (after runs have passed them).
    static func lateWriter(startAfter: Double, rows: Int, holdSeconds: Double) -> String {
        """
        SELECT pg_sleep(\(startAfter));
        BEGIN;
        \(insertRows(rows))
        SELECT pg_sleep(\(holdSeconds));
        \(insertRows(1))
        COMMIT;
        """
    }

    static func runs(_ cluster: LocalCluster, _ job: String) throws -> [[String: Any]] {
        (try cluster.json(["jobs", "runs", job]))["runs"] as? [[String: Any]] ?? []
    }

    /// Polls the job's runs until `done` holds (or fails the test after `seconds`).
    static func waitForRuns(_ cluster: LocalCluster, _ job: String, seconds: Double, _ what: String,
                            _ done: ([[String: Any]]) -> Bool) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(seconds)
        var last: [[String: Any]] = []
        while Date() < deadline {
            last = (try? runs(cluster, job)) ?? last
            if done(last) { return last }
            usleep(300_000)
        }
        throw ClusterFailure("timed out waiting for \(what); runs: \(last)")
    }

    /// Fetches every file of the job from bronze and checks it against the table with pyarrow and
    /// DuckDB; returns the checker's summary.
    static func checkBronze(_ cluster: LocalCluster, _ pg: PostgresServer, job: String) throws -> [String: Any] {
        let folder = cluster.folder.path + "/bronze-\(job)"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let listing = try cluster.json(["ls", "lake://bronze/\(job)/", "--recursive"])
        let entries = (listing["entries"] as? [[String: Any]] ?? []).filter { ($0["isDirectory"] as? Bool) == false }
        for (index, entry) in entries.enumerated() {
            let path = try #require(entry["path"] as? String)
            let get = try cluster.yonke(["get", path, folder + "/\(index).parquet"])
            guard get.status == 0 else { throw ClusterFailure("get \(path): \(get.stderr)") }
        }
        let expected = folder + "/expected.csv"
        let copy = try PostgresServer.run("/usr/bin/psql", [
            "-h", "127.0.0.1", "-p", "\(pg.port)", "-U", "postgres", "-d", "postgres", "-X", "-c",
            "\\copy (SELECT id, valor, fecha FROM random_data ORDER BY id) TO '\(expected)' WITH CSV HEADER"],
            environment: pg.clientEnvironment)
        guard copy.status == 0 else { throw ClusterFailure("psql \\copy: \(copy.stderr)") }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ingest_check.py").path
        let check = try PostgresServer.run("/usr/bin/env", ["python3", script, folder, expected])
        let summary = (try? JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any]) ?? [:]
        #expect(check.status == 0, "bronze differs from the table: \(check.stdout) \(check.stderr)")
        return summary
    }

    @Test func scheduledRunsDeliverEveryCommittedRowOnceWhileTransactionsCommitLate() throws {
        let pg = try PostgresServer()
        try pg.sql(Self.createTable + Self.insertRows(300))
        let cluster = try LocalCluster(nodeEnvironment: pg.clientEnvironment.merging(["YONKE_INGEST_LEASE": "5s"]) { $1 })
        // Writers before the job exists: ids taken by open transactions, committed only after
        // the first runs have ingested higher ids.
        let writers = [
            try pg.background(Self.lateWriter(startAfter: 0, rows: 4, holdSeconds: 5)),
            try pg.background(Self.generator(700)),
            try pg.background(Self.lateWriter(startAfter: 1.5, rows: 3, holdSeconds: 4)),
        ]
        let make = try YonkeProcess.run(["ingest", "postgres", "--url", pg.url, "--table", "public.random_data",
                                         "--bookmark", "id", "--every", "2s", "--name", "random_data"],
                                        environment: cluster.environment.merging(pg.clientEnvironment) { $1 }, timeoutSeconds: 60)
        #expect(make.status == 0, "\(make.stderr)")
        for writer in writers { writer.waitUntilExit() }

        // A new column mid-stream: a new schema version, and new files carry it.
        try pg.sql("ALTER TABLE random_data ADD COLUMN extra integer; " +
                   "INSERT INTO random_data (valor, extra) SELECT substr(md5(random()::text), 1, 10), g FROM generate_series(1, 25) g;")
        let lastWrite = Int64(Date().timeIntervalSince1970 * 1000)
        let runs = try Self.waitForRuns(cluster, "random_data", seconds: 60, "a run after the last write") { runs in
            runs.contains { ($0["status"] as? String) == "succeeded" && (($0["startedAtEpochMillis"] as? NSNumber)?.int64Value ?? 0) > lastWrite + 200 }
        }
        let succeeded = runs.filter { ($0["status"] as? String) == "succeeded" }
        #expect(succeeded.count >= 3, "three scheduled runs at least: \(runs)")
        #expect(runs.allSatisfy { ($0["trigger"] as? String) == "schedule" })
        #expect(runs.allSatisfy { ($0["status"] as? String) != "failed" }, "\(runs)")

        // The late writers were caught by the snapshot window: some run delivered more rows than its
        // high-water mark advanced by (ids below the mark, committed after an earlier run).
        func high(_ bookmark: Any?) -> Int {
            guard let text = bookmark as? String, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
                  let value = (object["high"] as? [String])?.first else { return 0 }
            return Int(value) ?? 0
        }
        let late = succeeded.dropFirst().filter { run in
            ((run["rows"] as? NSNumber)?.intValue ?? 0) > high(run["bookmarkAfter"]) - high(run["bookmarkBefore"])
        }
        #expect(!late.isEmpty, "no run delivered late-committed rows: the test did not exercise the window: \(succeeded)")

        let summary = try Self.checkBronze(cluster, pg, job: "random_data")
        #expect((summary["columns"] as? [String]) == ["extra", "fecha", "id", "valor"], "\(summary)")
        let job = try cluster.json(["jobs", "runs", "random_data"])
        let versions = job["schemaVersions"] as? [[String: Any]] ?? []
        #expect(versions.count == 2, "\(versions)")
        #expect(succeeded.last?["schemaVersion"] as? Int == 2)

        let list = try cluster.yonke(["jobs", "--json"])
        let jobs = (try? JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]]) ?? []
        #expect(jobs.count == 1 && jobs.first?["nextRunAtEpochMillis"] != nil && jobs.first?["lastRun"] != nil, "\(list.stdout)")
    }

    @Test func aKilledRunnerIsRetriedWithoutGapOrDuplicateAndALateRunIsSkipped() throws {
        let pg = try PostgresServer()
        try pg.sql(Self.createTable + Self.insertRows(20_000) +
                   "CREATE TABLE docs (id int, doc jsonb); CREATE TABLE odd (id int, cfg regconfig);")
        let cluster = try LocalCluster(nodeEnvironment: pg.clientEnvironment.merging([
            "YONKE_INGEST_LEASE": "3s", "YONKE_INGEST_TEST_PAUSE": "1:2", "YONKE_INGEST_PAGE_ROWS": "1000",
        ]) { $1 })

        // Bad input: a clear error, and no job.
        let closed = try FreePorts.take(1)[0]
        let bad: [([String], [String: String], String)] = [
            (["--url", "postgres://postgres@127.0.0.1:\(closed)/postgres"], [:], "127.0.0.1:\(closed)"),
            (["--url", pg.url], ["PGPASSWORD": "wrong"], "refused user postgres"),
            (["--url", pg.url, "--table", "public.nothing"], [:], "does not exist"),
            (["--url", pg.url, "--bookmark", "nope"], [:], "is not a column"),
            (["--url", pg.url, "--table", "docs", "--bookmark", "doc"], [:], "no order"),
            (["--url", pg.url, "--table", "odd", "--bookmark", "id"], [:], "no Parquet mapping"),
            (["--url", "postgres://postgres:pw@127.0.0.1:\(pg.port)/postgres"], [:], "carries a password"),
            (["--url", pg.url, "--every", "soon"], [:], "bad schedule"),
        ]
        for (arguments, environment, message) in bad {
            var all = ["ingest", "postgres", "--table", "public.random_data", "--bookmark", "id", "--name", "bad"]
            // Later options win in swift-argument-parser only for flags; put each override first.
            for (index, item) in arguments.enumerated() where index % 2 == 0 {
                if let at = all.firstIndex(of: item) { all.remove(at: at + 1); all.remove(at: at) }
            }
            let result = try YonkeProcess.run(all + arguments,
                                              environment: cluster.environment.merging(pg.clientEnvironment) { $1 }.merging(environment) { $1 },
                                              timeoutSeconds: 60)
            #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let none = try cluster.yonke(["jobs", "--json"])
        #expect(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(none.stdout)")

        let make = try YonkeProcess.run(["ingest", "postgres", "--url", pg.url, "--table", "random_data", "--bookmark", "id",
                                         "--name", "big"], environment: cluster.environment.merging(pg.clientEnvironment) { $1 },
                                        timeoutSeconds: 60)
        #expect(make.status == 0, "\(make.stderr)")
        let first = try cluster.yonke(["jobs", "run", "big", "--json"])
        #expect(first.status == 0, "\(first.stderr)")
        _ = try Self.waitForRuns(cluster, "big", seconds: 20, "run 1 running") { $0.first?["status"] as? String == "running" }
        let holder = try #require(try Self.runs(cluster, "big").first?["holder"] as? String)
        let node = String(holder.prefix { $0 != "/" })

        // A second run while the first holds the lease: recorded skipped, not run.
        let second = try cluster.json(["jobs", "run", "big"])
        #expect(second["status"] as? String == "skipped", "\(second)")

        // The runner dies before its commit: nothing of it is visible; the master retries.
        sleep(1)
        cluster.signal(node, SIGKILL)
        let runs = try Self.waitForRuns(cluster, "big", seconds: 40, "a retry to succeed") { runs in
            runs.contains { ($0["status"] as? String) == "succeeded" && ($0["trigger"] as? String) == "retry" }
        }
        #expect(runs.map { $0["status"] as? String ?? "?" } == ["failed", "skipped", "succeeded"], "\(runs)")
        #expect((runs.first?["message"] as? String ?? "").contains("lost its lease"))
        #expect(runs.last?["rows"] as? Int == 20_000)
        _ = try Self.checkBronze(cluster, pg, job: "big")
    }
}

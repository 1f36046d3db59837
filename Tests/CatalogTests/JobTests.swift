import Testing
@testable import Catalog

/// Ingest jobs (issue 14): a run's files and bookmark commit together or not at all, under the
/// lease's fencing token (Kleppmann, DDIA ch. 8, "Fencing tokens"); never two runs at once.
@Suite struct JobTests {
    static let job = "random_data"

    static func definition(schedule: Catalog.JobSchedule = .every(millis: 60_000), url: String = "postgres://ana@db:5432/shop") -> Catalog.JobDefinition {
        Catalog.JobDefinition(name: job, sourceURL: url, table: "public.random_data", bookmarkColumns: ["id"],
                              schedule: schedule, target: path("lake://bronze/random_data"), createdAtEpochMillis: 0)
    }

    static func defined() -> Harness {
        var harness = Harness()
        harness.apply(.bootstrap(clusterName: "", policy: .test, epochMillis: 0))
        #expect(harness.apply(.defineJob(definition(), replace: false)).effect != nil)
        return harness
    }

    static func start(_ h: inout Harness, _ holder: String, at t: Int64, lease: Int64 = 1000,
                      trigger: Catalog.RunTrigger = .manual) -> Catalog.RunStart? {
        if case .runStarted(let start)? = h.apply(.startRun(job: job, holder: holder, trigger: trigger, leaseMillis: lease, epochMillis: t)).effect {
            return start
        }
        return nil
    }

    static func file(_ name: String, _ blocks: [Int], at t: Int64 = 0) -> Catalog.CommitFile {
        Catalog.CommitFile(path: path("lake://bronze/random_data/load_date=2026-12-02/\(name)"), blocks: blocks.map(block),
                           metadata: Catalog.FileMetadata(source: "postgres:public.random_data", rowCount: 10),
                           overwrite: false, createParents: true, epochMillis: t)
    }

    static func commit(_ run: Catalog.JobRun, holder: String? = nil, token: UInt64? = nil, files: [Catalog.CommitFile],
                       bookmark: String, columns: [Catalog.Column] = [.init(name: "id", type: "integer")], at t: Int64) -> Catalog.Command {
        .commitRun(Catalog.RunCommit(job: job, run: run.number, holder: holder ?? run.holder, fencingToken: token ?? run.fencingToken,
                                     files: files, bookmark: bookmark, rows: 20, bytes: 2000, nullBookmarkRows: 1,
                                     columns: columns, epochMillis: t))
    }

    @Test func aRunCommitsItsFilesAndBookmarkInOneEntry() throws {
        var h = Self.defined()
        let start = try #require(Self.start(&h, "w1/a", at: 10))
        #expect(start.run.number == 1 && start.run.status == .running && start.run.bookmarkBefore == "")
        let outcome = h.apply(Self.commit(start.run, files: [Self.file("part-1.parquet", [1]), Self.file("part-2.parquet", [2])],
                                          bookmark: "{\"high\":[\"41\"]}", at: 20))
        guard case .runCommitted(let committed)? = outcome.effect else { Issue.record("\(outcome)"); return }
        #expect(committed.run.status == .succeeded && committed.run.rows == 20 && committed.run.files.count == 2)
        #expect(committed.run.bookmarkAfter == "{\"high\":[\"41\"]}" && committed.run.nullBookmarkRows == 1)
        #expect(committed.newSchema?.version == 1 && committed.run.schemaVersion == 1)
        let record = try #require(h.state.job(named: Self.job))
        #expect(record.bookmark == "{\"high\":[\"41\"]}")
        #expect(h.state.file(at: path("lake://bronze/random_data/load_date=2026-12-02/part-2.parquet")) != nil)
        #expect(h.state.liveLease(job: Self.job, now: 20) == nil, "a committed run frees its lease")
    }

    @Test func aSecondRunWhileOneHoldsTheLeaseIsRecordedSkipped() throws {
        var h = Self.defined()
        let first = try #require(Self.start(&h, "w1/a", at: 10))
        let second = try #require(Self.start(&h, "w2/b", at: 500, trigger: .schedule))
        #expect(second.lease == nil && second.run.status == .skipped && second.run.number == 2)
        #expect(second.run.message.contains("run 1 still running on w1/a"))
        #expect(h.state.job(named: Self.job)?.lastScheduledAtEpochMillis == 500)
        // The first run is unaffected and still commits.
        #expect(h.apply(Self.commit(first.run, files: [], bookmark: "b1", at: 600)).effect != nil)
    }

    @Test func aRunWhoseLeaseLapsedCannotCommitAndIsRecordedFailedByTheRetry() throws {
        var h = Self.defined()
        let dead = try #require(Self.start(&h, "w1/a", at: 10))
        let retry = try #require(Self.start(&h, "w2/b", at: 2000, trigger: .retry))
        #expect(retry.lease != nil && retry.abandoned?.number == 1 && retry.abandoned?.status == .failed)
        // The old holder wakes up and tries to commit: its token is stale.
        let late = h.apply(Self.commit(dead.run, files: [Self.file("late.parquet", [9])], bookmark: "stale", at: 2100))
        #expect(late.refusal == .runNotRunning(job: Self.job, run: 1, status: .failed))
        #expect(h.state.file(at: path("lake://bronze/random_data/load_date=2026-12-02/late.parquet")) == nil)
        #expect(h.apply(Self.commit(retry.run, files: [Self.file("p.parquet", [3])], bookmark: "fresh", at: 2200)).effect != nil)
        #expect(h.state.job(named: Self.job)?.bookmark == "fresh")
    }

    @Test func wrongTokenHolderOrExpiryIsRefusedAndChangesNothing() throws {
        var h = Self.defined()
        let start = try #require(Self.start(&h, "w1/a", at: 10))
        let before = h.state.digest
        let files = [Self.file("p.parquet", [1])]
        #expect(h.apply(Self.commit(start.run, token: start.run.fencingToken + 7, files: files, bookmark: "x", at: 20)).refusal
                == .staleFencingToken(job: Self.job, presented: start.run.fencingToken + 7, current: start.run.fencingToken))
        #expect(h.apply(Self.commit(start.run, holder: "w9/z", files: files, bookmark: "x", at: 20)).refusal == .leaseNotHeld(job: Self.job))
        #expect(h.apply(Self.commit(start.run, files: files, bookmark: "x", at: 1500)).refusal == .leaseExpired(job: Self.job, atEpochMillis: 1010))
        #expect(h.state.job(named: Self.job)?.bookmark == "" && h.state.file(at: files[0].path) == nil)
        #expect(h.state.job(named: Self.job)?.runs.last?.status == .running)
        _ = before
    }

    @Test func oneBadFileRefusesTheWholeRun() throws {
        var h = Self.defined()
        h.put("lake://bronze/random_data/load_date=2026-12-02/taken.parquet", [5])
        let start = try #require(Self.start(&h, "w1/a", at: 10))
        let outcome = h.apply(Self.commit(start.run, files: [Self.file("fine.parquet", [1]), Self.file("taken.parquet", [2])],
                                          bookmark: "x", at: 20))
        #expect(outcome.refusal == .runFileConflict(path("lake://bronze/random_data/load_date=2026-12-02/taken.parquet")))
        #expect(h.state.file(at: path("lake://bronze/random_data/load_date=2026-12-02/fine.parquet")) == nil)
        #expect(h.state.job(named: Self.job)?.bookmark == "")
        let twice = h.apply(Self.commit(start.run, files: [Self.file("a.parquet", [1]), Self.file("a.parquet", [1])], bookmark: "x", at: 20))
        #expect(twice.refusal == .runFileConflict(path("lake://bronze/random_data/load_date=2026-12-02/a.parquet")))
    }

    @Test func aNewColumnOrAWiderTypeIsANewSchemaVersion() throws {
        var h = Self.defined()
        let v1: [Catalog.Column] = [.init(name: "id", type: "integer"), .init(name: "valor", type: "text")]
        let v2 = v1 + [.init(name: "extra", type: "integer")]
        let v3: [Catalog.Column] = [.init(name: "id", type: "bigint"), .init(name: "valor", type: "text"), .init(name: "extra", type: "integer")]
        var t: Int64 = 10
        for (columns, version) in [(v1, UInt32(1)), (v1, 1), (v2, 2), (v3, 3)] {
            let start = try #require(Self.start(&h, "w1/a", at: t))
            let outcome = h.apply(Self.commit(start.run, files: [], bookmark: "b\(t)", columns: columns, at: t + 1))
            guard case .runCommitted(let committed)? = outcome.effect else { Issue.record("\(outcome)"); return }
            #expect(committed.run.schemaVersion == version)
            t += 10
        }
        #expect(h.state.job(named: Self.job)?.schemaVersions.map(\.version) == [1, 2, 3])
    }

    @Test func resetBookmarkRewindsToARunAndIsRefusedWhileRunning() throws {
        var h = Self.defined()
        for (t, bookmark) in [(Int64(10), "after1"), (30, "after2")] {
            let start = try #require(Self.start(&h, "w1/a", at: t))
            #expect(h.apply(Self.commit(start.run, files: [], bookmark: bookmark, at: t + 1)).effect != nil)
        }
        #expect(h.apply(.resetBookmark(job: Self.job, toRun: 1, epochMillis: 50)).effect
                == .bookmarkReset(job: Self.job, previous: "after2", current: "after1"))
        #expect(h.apply(.resetBookmark(job: Self.job, toRun: 0, epochMillis: 51)).effect
                == .bookmarkReset(job: Self.job, previous: "after1", current: ""))
        #expect(h.apply(.resetBookmark(job: Self.job, toRun: 9, epochMillis: 52)).refusal == .unknownRun(job: Self.job, run: 9))
        _ = try #require(Self.start(&h, "w1/b", at: 60))
        #expect(h.apply(.resetBookmark(job: Self.job, toRun: 1, epochMillis: 61)).refusal == .leaseHeld(by: "w1/b", untilEpochMillis: 1060))
    }

    @Test(arguments: [
        "postgres://ana:secret@db:5432/shop", "postgres://ana@db/shop?password=x", "postgresql://u:p@[::1]:5432/d",
    ])
    func aPasswordInTheURLIsNeverStored(url: String) {
        var h = Harness()
        h.apply(.bootstrap(clusterName: "", policy: .test, epochMillis: 0))
        #expect(h.apply(.defineJob(Self.definition(url: url), replace: false)).refusal == .invalid(.secretInURL))
        #expect(h.state.jobList.isEmpty)
    }

    @Test func definingTwiceNeedsReplace() {
        var h = Self.defined()
        #expect(h.apply(.defineJob(Self.definition(), replace: false)).refusal == .jobExists(Self.job))
        #expect(h.apply(.defineJob(Self.definition(schedule: .cron("0 * * * *")), replace: true)).effect != nil)
        #expect(h.state.job(named: Self.job)?.definition.schedule == .cron("0 * * * *"))
    }

    @Test func jobCommandsAndSnapshotsRoundTrip() throws {
        var h = Self.defined()
        let start = try #require(Self.start(&h, "w1/a", at: 10))
        let commands: [Catalog.Command] = [
            .defineJob(Self.definition(schedule: .cron("*/5 * * * *")), replace: true),
            .startRun(job: Self.job, holder: "w1/a", trigger: .retry, leaseMillis: 5000, epochMillis: 3),
            Self.commit(start.run, files: [Self.file("p.parquet", [1, 2])], bookmark: "{\"xmax\":7}", at: 20),
            .failRun(job: Self.job, run: 4, holder: "w1/a", fencingToken: 9, message: "boom\nline two", epochMillis: 5),
            .resetBookmark(job: Self.job, toRun: 2, epochMillis: 6),
        ]
        for command in commands {
            #expect(try Catalog.Command.decode(command.encoded()) == command)
        }
        _ = Self.start(&h, "w2/b", at: 15, trigger: .schedule)
        #expect(h.apply(commands[2]).effect != nil)
        let restored = try Catalog.State(snapshot: h.state.snapshot())
        #expect(restored == h.state)
        #expect(restored.job(named: Self.job)?.runs.count == 2)
    }
}

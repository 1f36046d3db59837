import Catalog
import NIOCore
import YonkeProtocol

/// Client calls for ingest jobs: the CLI's `yonke ingest` / `yonke jobs`, and the runner inside
/// a node, which is a client of its own cluster like any other.
extension CatalogOps {
    static func jobCall<Request: Encodable, Reply: Decodable>(
        _ op: Op, _ request: Request, as reply: Reply.Type, client: ClusterClient, timeout: Duration = .seconds(20)
    ) async throws -> Reply {
        let answer = try await client.call(op: op.rawValue, payload: JSONPayload.encode(request), timeout: timeout)
        return try JSONPayload.decode(Reply.self, from: answer, what: "\(op) reply")
    }

    public static func defineJob(_ definition: Catalog.JobDefinition, replace: Bool, client: ClusterClient) async throws -> JobWire.Job {
        try await jobCall(.jobDefine, JobWire.DefineJobRequest(definition: JobWire.Definition(definition), replace: replace),
                          as: JobWire.Job.self, client: client)
    }

    public static func jobs(named name: String? = nil, detailed: Bool = false, client: ClusterClient) async throws -> [JobWire.Job] {
        try await jobCall(.jobList, JobWire.JobQuery(name: name, detailed: detailed), as: [JobWire.Job].self, client: client)
    }

    public static func startRun(_ request: JobWire.StartRunRequest, client: ClusterClient) async throws -> JobWire.RunStartReply {
        try await jobCall(.jobStart, request, as: JobWire.RunStartReply.self, client: client)
    }

    public static func renewRun(_ request: JobWire.RenewRunRequest, client: ClusterClient) async throws -> JobWire.Run {
        try await jobCall(.jobRenew, request, as: JobWire.Run.self, client: client)
    }

    public static func commitRun(_ request: JobWire.CommitRunRequest, client: ClusterClient) async throws -> JobWire.Run {
        try await jobCall(.jobCommit, request, as: JobWire.Run.self, client: client, timeout: .seconds(30))
    }

    public static func failRun(_ request: JobWire.FailRunRequest, client: ClusterClient) async throws -> JobWire.Run {
        try await jobCall(.jobFail, request, as: JobWire.Run.self, client: client)
    }

    public static func resetBookmark(job: String, toRun: UInt64, client: ClusterClient) async throws -> JobWire.Job {
        try await jobCall(.jobResetBookmark, JobWire.ResetBookmarkRequest(job: job, toRun: toRun), as: JobWire.Job.self, client: client)
    }

    public static func runNow(job: String, client: ClusterClient) async throws -> JobWire.RunNowReply {
        try await jobCall(.jobRunNow, JobWire.RunNowRequest(job: job), as: JobWire.RunNowReply.self, client: client, timeout: .seconds(30))
    }
}

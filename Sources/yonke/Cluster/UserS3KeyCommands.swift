import ArgumentParser
import YonkeClient
import YonkeProtocol

/// `yonke user s3-key …`: S3 access keys of a user (admin only).
struct UserS3KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3-key", abstract: "S3 access keys of a user (for boto3, the AWS CLI, DuckDB, pyarrow).",
        discussion: "A key acts with its user's role; `yonke user revoke NAME` disables all of the user's keys.",
        subcommands: [UserS3KeyCreateCommand.self])
}

struct UserS3KeyCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Make an S3 access key for a user; prints the secret once.",
        discussion: """
            Example:
              yonke user s3-key create alice
              AWS_ACCESS_KEY_ID=YK… AWS_SECRET_ACCESS_KEY=… aws --endpoint-url http://127.0.0.1:9401 s3 ls
            """)

    @Argument(help: "The user the key acts as.") var name: String
    @OptionGroup var client: ClientOptions

    struct Report: Encodable {
        var user: String
        var accessKeyId: String
        var secretAccessKey: String
    }

    func run() async throws {
        let cluster = try client.connect()
        defer { Task { await cluster.close() } }
        let created: S3KeyWire.Created
        do { created = try await CatalogOps.createS3Key(user: name, client: cluster) } catch {
            throw CLIError.cluster(error, while: "creating an S3 key for \(name)")
        }
        if client.json {
            try client.printJSON(Report(user: created.user, accessKeyId: created.accessKeyID, secretAccessKey: created.secret))
        } else {
            print("access key id:     \(created.accessKeyID)")
            print("secret access key: \(created.secret)")
            print("(the secret is shown only now; the cluster keeps it sealed)")
        }
    }
}

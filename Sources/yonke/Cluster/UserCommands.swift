import YonkeProtocol
import YonkeClient
import ArgumentParser
import Catalog
import Foundation

/// `yonke user …`: people and their roles (admin only).
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, revoke or re-key the people who may use the cluster.",
        discussion: """
            Roles: reader (get, ls, stat, status, capacity), writer (+ put, rm, ingest and ETL jobs), admin (+ tokens, users, drain/remove, rebalance, chaos). The cluster keeps only each credential's public key; the credential file (mode 0600) is the only copy of the secret half. `yonke cluster up` makes the operator's credential (user admin).
            """,
        subcommands: [UserAddCommand.self, UserListCommand.self, UserRevokeCommand.self, UserRotateCommand.self, UserS3KeyCommand.self]
    )
}

struct UserReport: Encodable {
    var name: String
    var role: String
    var publicKey: String
    var created: String
    var keyChanged: String
    var credentialFile: String?

    init(_ record: Catalog.UserRecord, credentialFile: String? = nil) {
        name = record.name
        role = record.role.description
        publicKey = record.publicKeyHex
        created = Self.iso(record.createdAtEpochMillis)
        keyChanged = Self.iso(record.keyChangedAtEpochMillis)
        self.credentialFile = credentialFile
    }

    static func iso(_ millis: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }
}

/// Runs one users request with the caller's credential (the master refuses non-admins); the users afterwards.
private func usersCall(_ request: UsersWire.Request, client: ClientOptions, doing: String) async throws -> [Catalog.UserRecord] {
    let cluster = try client.connect()
    defer { Task { await cluster.close() } }
    do { return try await CatalogOps.users(request, client: cluster) } catch {
        throw CLIError.cluster(error, while: doing)
    }
}

/// A new credential for `user`, written before the cluster learns its key, so a crash in between
/// leaves an unused file rather than a registered key nobody holds.
private func writeCredential(user: String, out: String?, client: ClientOptions) throws -> (UserCredential, String) {
    let clusterID = try client.loadCredential().clusterID
    let path = out ?? "./\(user).credential"
    guard !FileManager.default.fileExists(atPath: path) else {
        throw CLIError("\(path) already exists", hint: "pass --out NEWFILE, or remove the old file first")
    }
    let credential = try UserCredential.generate(clusterID: clusterID, user: user)
    do { try credential.write(to: path) } catch {
        throw CLIError("cannot write \(path): \(error)", hint: "pick a writable --out path")
    }
    return (credential, path)
}

private func report(_ record: Catalog.UserRecord?, file: String?, verb: String, client: ClientOptions) throws {
    guard let record else { return }
    if client.json {
        try client.printJSON(UserReport(record, credentialFile: file))
    } else {
        print("\(verb) \(record.name) (\(record.role))" + (file.map { "; credential in \($0) (mode 0600): hand it over privately" } ?? ""))
    }
}

struct UserAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register a person and write their credential file.",
        discussion: """
            Example:
              yonke user add alice --role writer --out alice.credential
              YONKE_CREDENTIAL=alice.credential yonke put data.csv lake://bronze/data.csv
            """)

    @Argument(help: "The user name (what they link as).") var name: String
    @Option(name: .long, help: "reader, writer or admin.") var role: String
    @Option(name: .long, help: "Where to write the credential. Default: ./NAME.credential.") var out: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        guard let parsed = Catalog.UserRole(name: role) else {
            throw CLIError("'\(role)' is not a role", hint: "pass --role reader, --role writer or --role admin")
        }
        let (credential, path) = try writeCredential(user: name, out: out, client: client)
        let users: [Catalog.UserRecord]
        do {
            users = try await usersCall(.add(name: name, role: parsed, publicKeyHex: credential.publicKeyHex), client: client, doing: "adding user \(name)")
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        try report(users.first { $0.name == name }, file: path, verb: "added", client: client)
    }
}

struct UserListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List users, their roles and key ages.",
        discussion: """
            Example:
              yonke user list --json
            """)

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let users = try await usersCall(.list, client: client, doing: "listing users")
        if client.json {
            try client.printJSON(users.map { UserReport($0) })
            return
        }
        for user in users {
            print("\(user.name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(user.role.description.padding(toLength: 7, withPad: " ", startingAt: 0)) key \(user.publicKeyHex.prefix(16))  since \(UserReport.iso(user.keyChangedAtEpochMillis))")
        }
    }
}

struct UserRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Remove a user: every node refuses them and closes their links within a second.",
        discussion: """
            Example:
              yonke user revoke alice
            """)

    @Argument(help: "The user name.") var name: String
    @OptionGroup var client: ClientOptions

    func run() async throws {
        _ = try await usersCall(.revoke(name: name), client: client, doing: "revoking user \(name)")
        if client.json {
            try client.printJSON(["revoked": name])
        } else {
            print("revoked \(name)")
        }
    }
}

struct UserRotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate", abstract: "Give a user a new key (new credential file); the old one stops working.",
        discussion: """
            Example:
              yonke user rotate alice --out alice-2.credential
            """)

    @Argument(help: "The user name.") var name: String
    @Option(name: .long, help: "Where to write the new credential. Default: ./NAME.credential.") var out: String?
    @OptionGroup var client: ClientOptions

    func run() async throws {
        let (credential, path) = try writeCredential(user: name, out: out, client: client)
        let users: [Catalog.UserRecord]
        do {
            users = try await usersCall(.rotate(name: name, publicKeyHex: credential.publicKeyHex), client: client, doing: "re-keying user \(name)")
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
        try report(users.first { $0.name == name }, file: path, verb: "re-keyed", client: client)
    }
}

import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import Node

/// Polls until every node answers on its port and the cluster names a master.
enum ClusterReadiness {
    struct Ready { let master: String }

    static func wait(
        endpoints: [PeerDirectory.Address], credential: UserCredential, timeoutSeconds: Double,
        stillRunning: () -> Bool
    ) async throws -> Ready? {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var logger = Logger(label: "yonke.client")
        logger.logLevel = .critical
        while Date() < deadline, stillRunning() {
            if let master = try? await masterIfAllUp(endpoints: endpoints, credential: credential, logger: logger) {
                return Ready(master: master)
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    private static func masterIfAllUp(endpoints: [PeerDirectory.Address], credential: UserCredential, logger: Logger) async throws -> String? {
        var master: String?
        for endpoint in endpoints {
            let client = try ClusterClient(endpoints: [endpoint], credential: credential, logger: logger)
            defer { Task { await client.close() } }
            let status = try await CatalogOps.status(client: client)
            guard let known = status.master else { return nil }
            master = master ?? known
        }
        return master
    }
}

import Foundation
import Node
import Transport
import YonkeClient

/// The person running an in-process test cluster: the machines' secrets name this credential's
/// key, so the first master registers it as user `admin`, as `cluster up` does for an operator.
struct TestOperator: Sendable {
    let secrets: ClusterSecrets
    let credential: UserCredential

    init() throws {
        let draft = try ClusterSecrets.generate()
        credential = try UserCredential.generate(clusterID: draft.clusterID, user: "admin")
        secrets = draft.withAdminKey(credential.publicKeyHex)
    }

    var peer: Peer { Peer(name: credential.user, publicKey: credential.identity.publicKey) }

    /// True once `node` admits the operator (it heard the registry entry).
    func isAdmitted(by node: YonkeNode) -> Bool { node.context.registry.principal(for: peer) != nil }
}

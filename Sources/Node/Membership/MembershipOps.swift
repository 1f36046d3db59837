import YonkeProtocol
import YonkeClient
import Foundation
import NIOCore

/// Membership requests (`RPCOperation.membership`) and the client-side
/// helpers the CLI calls. Payloads are JSON: the list is small and the CLI
/// prints it as is.
public enum MembershipOps {
    public static func members(client: ClusterClient) async throws -> [MemberView] {
        let reply = try await client.call(op: RPCOperation.Membership.members.rawValue, payload: ByteBuffer())
        return try decodeMembers(reply)
    }

    static func encodeMembers(_ members: [MemberView]) -> ByteBuffer { JSONPayload.encode(members) }

    static func decodeMembers(_ payload: ByteBuffer) throws -> [MemberView] {
        try JSONPayload.decode([MemberView].self, from: payload, what: "the member list")
    }
}

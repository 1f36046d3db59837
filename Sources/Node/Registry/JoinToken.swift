import YonkeProtocol
import YonkeClient
import Foundation
import YonkeCore

/// What an operator hands to a new machine: `yk1.<cluster id in hex>.<token>`. The cluster id
/// is needed to prove the token (it is part of the token key) and is not secret (every hello
/// carries it); the token is.
public enum JoinToken {
    public static let prefix = "yk1"

    public static func format(clusterID: [UInt8], token: String) -> String {
        "\(prefix).\(Hex.encode(clusterID)).\(token)"
    }

    /// nil unless the text is `yk1.<hex>.<token>` with a non-empty token.
    public static func parse(_ text: String) -> (clusterID: [UInt8], token: String)? {
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == prefix, let id = Hex.decode(String(parts[1])), !id.isEmpty, !parts[2].isEmpty else {
            return nil
        }
        return (id, String(parts[2]))
    }
}

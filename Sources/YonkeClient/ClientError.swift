import YonkeProtocol

/// An error a user can act on: what failed, where, and what to do next. The
/// CLI prints it as is (`CLIError`); a gateway maps it onto its own protocol.
public struct ClientError: Error, CustomStringConvertible {
    public let what: String
    public let hint: String

    public init(_ what: String, hint: String) {
        self.what = what
        self.hint = hint
    }

    public init(_ error: any Error, while doing: String, hint: String) {
        self.init("\(doing): \(error)", hint: hint)
    }

    public var description: String { "\(what)\n  hint: \(hint)" }
}

extension ClientError {
    /// A failure from the cluster, with the next step for the common cases.
    public static func cluster(_ error: any Error, while doing: String) -> ClientError {
        let text = "\(error)"
        let hint: String
        if let failure = error as? RPCFailure, failure.code == .forbidden {
            hint = "your user's role does not allow this: ask an admin (`yonke user list` shows roles)"
        } else if text.contains("not admitted") || text.contains("not a machine of this cluster") || text.contains("neither a machine") {
            hint = "this cluster does not know your credential (revoked, rotated, or another cluster's): ask an admin for a new one with `yonke user add`"
        } else if text.contains("token") || (text.contains("refused") && !text.contains("Connection refused")) {
            hint = "the credential does not match this cluster: use the one `yonke cluster up` printed or one `yonke user add` wrote"
        } else if text.contains("no quorum") {
            hint = "this node is cut off from the master; retry, or point --cluster at a node on the majority side"
        } else if let failure = error as? RPCFailure, failure.code == .notFound {
            hint = "list what is there with `yonke ls lake://bronze/ -r` (paths start with lake://ZONE/)"
        } else if text.contains("no node answered") {
            hint = "is the cluster running? `yonke cluster up topology/local-4.yaml --detach` starts one"
        } else {
            hint = "run `yonke status` to see which nodes are up"
        }
        return ClientError("\(doing): \(text)", hint: hint)
    }
}

import YonkeCore

/// Everything that can end a link. Outside input (a peer's bytes) only ever
/// produces one of these, never a crash; each case names what was wrong.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case cryptoUnavailable(String)
    case invalidSettings(String)
    /// The length prefix asks for more than `Limits.maxFrameBytes`: refused
    /// before a single byte of the body is buffered.
    case frameTooLarge(lengthBytes: UInt32, limitBytes: Int)
    /// The length prefix is smaller than the version and kind bytes it must cover.
    case frameTooSmall(lengthBytes: UInt32)
    case unsupportedFrameVersion(UInt8)
    case unexpectedFrameKind(UInt8, state: String)
    /// The connection ended in the middle of a frame.
    case truncatedFrame(receivedBytes: Int, expectedBytes: Int)
    case malformedHandshake(String)
    /// We refused the peer.
    case refused(Transport.Refusal, detail: String)
    /// The peer refused us and said why.
    case refusedByPeer(Transport.Refusal, detail: String)
    /// A sealed frame did not open: tampered, replayed, reordered or from another session.
    case authenticationFailed(frameIndex: UInt64)
    case handshakeTimeout(milliseconds: Int64)
    case idleTimeout(milliseconds: Int64)
    case payloadTooLarge(bytes: Int, limitBytes: Int)
    case reservedKind(UInt8)
    case malformedFrame(String)
    case tooManyHandshakes(limit: Int)
    /// One source already holds `Limits.maxPendingHandshakesPerSource` pending handshakes.
    case tooManyHandshakesFromSource(source: String, limit: Int)
    /// The gate was full and this pending handshake made room for a newcomer from a quieter source.
    case evictedFromHandshakeGate(limit: Int)
    case socketError(String)
    case connectionClosed

    public var description: String {
        switch self {
        case .cryptoUnavailable(let why): "crypto unavailable: \(why)"
        case .invalidSettings(let why): "invalid transport settings: \(why)"
        case .frameTooLarge(let length, let limit): "frame length \(length) exceeds limit \(limit)"
        case .frameTooSmall(let length): "frame length \(length) is below the 2-byte header"
        case .unsupportedFrameVersion(let version):
            "unsupported frame version \(version) (this node speaks \(Transport.frameVersion))"
        case .unexpectedFrameKind(let kind, let state): "unexpected frame kind \(kind) while \(state)"
        case .truncatedFrame(let received, let expected):
            "connection closed mid-frame: \(received) of \(expected) bytes received"
        case .malformedHandshake(let why): "malformed handshake: \(why)"
        case .refused(let refusal, let detail): "refused peer: \(refusal)\(detail.isEmpty ? "" : " (\(detail))")"
        case .refusedByPeer(let refusal, let detail): "refused: \(refusal)\(detail.isEmpty ? "" : " (\(detail))")"
        case .authenticationFailed(let index):
            "sealed frame #\(index) failed authentication (tampered, replayed or reordered)"
        case .handshakeTimeout(let ms): "handshake not finished within \(ms) ms"
        case .idleTimeout(let ms): "no traffic for \(ms) ms"
        case .payloadTooLarge(let bytes, let limit): "payload of \(bytes) bytes exceeds limit \(limit)"
        case .reservedKind(let kind):
            "message kind \(kind) is reserved for the transport (application kinds are 0...\(Transport.maxApplicationKind))"
        case .malformedFrame(let why): "malformed frame: \(why)"
        case .tooManyHandshakes(let limit): "\(limit) handshakes already in progress; connection dropped"
        case .tooManyHandshakesFromSource(let source, let limit):
            "\(source) already has \(limit) handshakes in progress; connection dropped"
        case .evictedFromHandshakeGate(let limit):
            "\(limit) handshakes in progress; this one made room for a connection from a quieter source"
        case .socketError(let why): "socket error: \(why)"
        case .connectionClosed: "connection closed"
        }
    }
}

extension Transport {
    /// Why a handshake was refused. Sent to the peer as a one-byte code in a
    /// plaintext refusal frame, so a CLI can print "refused: join token mismatch".
    public enum Refusal: UInt8, Sendable, Equatable, CustomStringConvertible {
        case malformedHandshake = 1
        case protocolVersionMismatch = 2
        case clusterMismatch = 3
        case joinTokenMismatch = 4
        case badIdentitySignature = 5
        case unexpectedIdentity = 6
        case notAdmitted = 7
        case other = 255

        public var description: String {
            switch self {
            case .malformedHandshake: "malformed handshake"
            case .protocolVersionMismatch: "protocol version mismatch"
            case .clusterMismatch: "cluster id mismatch"
            case .joinTokenMismatch: "join token mismatch"
            case .badIdentitySignature: "bad node identity signature"
            case .unexpectedIdentity: "unexpected node identity"
            case .notAdmitted: "not admitted"
            case .other: "refused"
            }
        }
    }
}

/// The one place a short or oversized field of a peer's handshake becomes a transport error.
extension TransportError: ByteReadFailure {
    public init(_ error: ByteReadError) { self = .malformedHandshake(error.description) }
}

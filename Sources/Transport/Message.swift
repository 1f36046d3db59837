import NIOCore

extension Transport {
    /// An application message: a kind the node layer defines (0...0xEF) and
    /// opaque bytes, at most `Limits.maxPayloadBytes`.
    public struct Message: Sendable, Equatable {
        public var kind: UInt8
        public var payload: ByteBuffer

        public init(kind: UInt8, payload: ByteBuffer) {
            self.kind = kind
            self.payload = payload
        }
    }
}

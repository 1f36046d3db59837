import NIOCore

extension Transport {
    /// Bounds on what one connection may cost us.
    public struct Limits: Sendable, Equatable {
        /// Largest value accepted in a frame's length prefix (version + kind + payload).
        /// `.lan`: 1 MiB + 64 KiB, so a 1 MiB block frame plus the seal and any
        /// per-message header fits, and nothing much bigger can be forced on us.
        public var maxFrameBytes: Int
        /// A peer must finish the handshake within this, or it is dropped
        /// (a connection that never speaks would otherwise hold a slot forever).
        public var handshakeTimeoutMilliseconds: Int64
        /// An established link with no inbound frame for this long is closed;
        /// nil disables it. The node layer's heartbeats (SWIM probes) must come
        /// more often than this.
        public var idleTimeoutMilliseconds: Int64?
        /// Inbound frames decoded ahead of the reader before we stop reading the
        /// socket (TCP then pushes back on the sender). Memory per link is about
        /// `inboundHighWatermarkFrames · maxFrameBytes` plus socket buffers.
        public var inboundHighWatermarkFrames: Int
        /// Handshakes a listener runs at once; further connections are closed on
        /// arrival until one finishes. Sized well above the cluster's size (every
        /// member reconnecting at once must fit) yet small enough that a flood
        /// costs little: a pending handshake holds only a few KiB.
        public var maxPendingHandshakes: Int

        public init(maxFrameBytes: Int, handshakeTimeoutMilliseconds: Int64,
                    idleTimeoutMilliseconds: Int64?, inboundHighWatermarkFrames: Int,
                    maxPendingHandshakes: Int) {
            self.maxFrameBytes = maxFrameBytes
            self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
            self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
            self.inboundHighWatermarkFrames = inboundHighWatermarkFrames
            self.maxPendingHandshakes = maxPendingHandshakes
        }

        /// Nodes on one LAN: 1 MiB frames, 10 s to handshake, 60 s idle, 4 frames
        /// read ahead, 256 handshakes at once.
        public static let lan = Limits(
            maxFrameBytes: (1 << 20) + (64 << 10),
            handshakeTimeoutMilliseconds: 10_000,
            idleTimeoutMilliseconds: 60_000,
            inboundHighWatermarkFrames: 4,
            maxPendingHandshakes: 256)

        /// Tests: `.lan` sizes with short timeouts so a stuck peer shows quickly.
        public static let test = Limits(
            maxFrameBytes: lan.maxFrameBytes,
            handshakeTimeoutMilliseconds: 2_000,
            idleTimeoutMilliseconds: 10_000,
            inboundHighWatermarkFrames: 4,
            maxPendingHandshakes: 64)

        /// Largest application payload one frame can carry under these limits.
        public var maxPayloadBytes: Int { maxFrameBytes - 2 - Transport.sealOverheadBytes }

        func validate() throws(TransportError) {
            guard maxFrameBytes >= 1024, maxFrameBytes <= Int(Int32.max) else {
                throw .invalidSettings("maxFrameBytes must be in 1024...\(Int32.max), got \(maxFrameBytes)")
            }
            guard handshakeTimeoutMilliseconds > 0 else {
                throw .invalidSettings("handshakeTimeoutMilliseconds must be positive")
            }
            guard maxPendingHandshakes >= 1 else {
                throw .invalidSettings("maxPendingHandshakes must be at least 1")
            }
            guard inboundHighWatermarkFrames >= 1 else {
                throw .invalidSettings("inboundHighWatermarkFrames must be at least 1")
            }
        }
    }
}

import NIOCore

extension Transport {
    /// Bounds on what one connection may cost us.
    public struct Limits: Sendable, Equatable {
        /// Largest value accepted in a frame's length prefix (version + kind + payload).
        /// `.lan`: 1 MiB + 64 KiB, so a 1 MiB block frame plus the seal and any
        /// per-message header fits, and nothing much bigger can be forced on us.
        public var maxFrameBytes: Int
        /// A peer must finish the handshake within this of its arrival, or it is
        /// dropped however it trickles (a connection that never speaks, or speaks
        /// a byte a second, would otherwise hold a slot for as long as it likes).
        /// `.lan`: 2 s, some hundred times what a handshake takes on a LAN.
        public var handshakeTimeoutMilliseconds: Int64
        /// An established link with no inbound frame for this long is closed;
        /// nil disables it. The node layer's heartbeats (SWIM probes) must come
        /// more often than this.
        public var idleTimeoutMilliseconds: Int64?
        /// Inbound frames decoded ahead of the reader before we stop reading the
        /// socket (TCP then pushes back on the sender). Memory per link is about
        /// `inboundHighWatermarkFrames · maxFrameBytes` plus socket buffers.
        public var inboundHighWatermarkFrames: Int
        /// Unauthenticated connections a listener holds at once, from all
        /// sources (see `HandshakeGate`): when full, a newcomer from a quieter
        /// source evicts the busiest source's oldest, others are closed on arrival.
        /// Each costs a descriptor and at most `handshakeFrameBytesMax` of buffer
        /// plus a few KiB of state, so `.lan`'s 8,192 cost at most ~80 MiB; the
        /// listener lowers it to fit the process's descriptor limit
        /// (`DescriptorLimit`).
        public var maxPendingHandshakes: Int
        /// Unauthenticated connections one source (an IPv4 address or an IPv6
        /// /64) holds at once; more are closed on arrival. Well above what honest
        /// peers need (a node restarting dials each peer once; a handshake takes
        /// milliseconds), far below what lets one source crowd out the rest.
        public var maxPendingHandshakesPerSource: Int
        /// Largest frame accepted before the peer is authenticated: a hello, a
        /// proof or a refusal is a few hundred bytes, so a stranger can make us
        /// buffer no more than this (`maxFrameBytes` applies once authenticated).
        public var handshakeFrameBytesMax: Int

        public init(maxFrameBytes: Int, handshakeTimeoutMilliseconds: Int64,
                    idleTimeoutMilliseconds: Int64?, inboundHighWatermarkFrames: Int,
                    maxPendingHandshakes: Int, maxPendingHandshakesPerSource: Int = 32,
                    handshakeFrameBytesMax: Int = 4_096) {
            self.maxFrameBytes = maxFrameBytes
            self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
            self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
            self.inboundHighWatermarkFrames = inboundHighWatermarkFrames
            self.maxPendingHandshakes = maxPendingHandshakes
            self.maxPendingHandshakesPerSource = maxPendingHandshakesPerSource
            self.handshakeFrameBytesMax = handshakeFrameBytesMax
        }

        /// Nodes on one LAN: 1 MiB frames (4 KiB before authentication), 2 s to
        /// handshake, 60 s idle, 4 frames read ahead, 8,192 pending handshakes,
        /// 32 from any one source.
        public static let lan = Limits(
            maxFrameBytes: (1 << 20) + (64 << 10),
            handshakeTimeoutMilliseconds: 2_000,
            idleTimeoutMilliseconds: 60_000,
            inboundHighWatermarkFrames: 4,
            maxPendingHandshakes: 8_192,
            maxPendingHandshakesPerSource: 32,
            handshakeFrameBytesMax: 4_096)

        /// Tests: `.lan` sizes with short timeouts so a stuck peer shows quickly.
        public static let test = Limits(
            maxFrameBytes: lan.maxFrameBytes,
            handshakeTimeoutMilliseconds: 2_000,
            idleTimeoutMilliseconds: 10_000,
            inboundHighWatermarkFrames: 4,
            maxPendingHandshakes: 64,
            maxPendingHandshakesPerSource: 32,
            handshakeFrameBytesMax: 4_096)

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
            guard maxPendingHandshakesPerSource >= 1 else {
                throw .invalidSettings("maxPendingHandshakesPerSource must be at least 1")
            }
            guard handshakeFrameBytesMax >= 512, handshakeFrameBytesMax <= maxFrameBytes else {
                throw .invalidSettings("handshakeFrameBytesMax must be in 512...\(maxFrameBytes), got \(handshakeFrameBytesMax)")
            }
            guard inboundHighWatermarkFrames >= 1 else {
                throw .invalidSettings("inboundHighWatermarkFrames must be at least 1")
            }
        }
    }
}

/// The scrubber's figures since the node started (and the last pass, from disk).
public struct ScrubStatus: Sendable, Hashable, Codable {
    public var verifiedBlocks: Int64 = 0
    /// Encoded bytes read and verified.
    public var verifiedBytes: Int64 = 0
    public var corruptBlocks: Int64 = 0
    /// Blocks this node could not judge (another keyring, a cipher its CPU lacks, a newer format).
    public var unverifiableBlocks: Int64 = 0
    public var completedPasses: Int64 = 0
    /// Unix milliseconds when the last full pass began and ended; nil before the first.
    public var lastPassStartMillis: Int64?
    public var lastPassEndMillis: Int64?
    public var isPassRunning = false

    public init(verifiedBlocks: Int64 = 0, verifiedBytes: Int64 = 0, corruptBlocks: Int64 = 0, unverifiableBlocks: Int64 = 0, completedPasses: Int64 = 0, lastPassStartMillis: Int64? = nil, lastPassEndMillis: Int64? = nil) {
        self.verifiedBlocks = verifiedBlocks
        self.verifiedBytes = verifiedBytes
        self.corruptBlocks = corruptBlocks
        self.unverifiableBlocks = unverifiableBlocks
        self.completedPasses = completedPasses
        self.lastPassStartMillis = lastPassStartMillis
        self.lastPassEndMillis = lastPassEndMillis
    }
}

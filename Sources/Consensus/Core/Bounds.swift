extension Raft {
    /// The largest term a node takes from a message, and the last it campaigns in.
    ///
    /// A term is a claim "a quorum voted for me": every term costs an election,
    /// and with pre-vote a node that cannot win does not even raise its own. At
    /// one election a millisecond, 2^62 terms take 146 million years, so a higher
    /// term is not one any leader could have won — it is forged. Refusing it keeps
    /// every `term + 1` (a campaign, a pre-vote) far from overflow, and a forged
    /// term is never persisted where it would trap each later election.
    public static let maxTerm: Term = 1 << 62

    /// The largest log index a message may name (an append's last entry, a
    /// snapshot's index, an acknowledgement). 2^62 entries at one a nanosecond
    /// is 146 years; above it `index + 1` and `prevIndex + count` could overflow.
    public static let maxIndex: Index = 1 << 62
}

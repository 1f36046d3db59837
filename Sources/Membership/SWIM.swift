/// SWIM membership gossip (Das, Gupta, Motivala 2002) with the Lifeguard
/// refinements (Dadgar, Phillips, Currey 2018), as a pure state machine.
///
/// Terms:
/// - *member*: one running process, identified by `MemberID` = name + a
///   per-start `generation` the shell supplies, so a restarted machine is a new
///   member that supersedes the tombstone of its previous run.
/// - *period*: one protocol period (`Config.probeIntervalTicks`, stretched by
///   Lifeguard's local health multiplier). Each period probes one member.
/// - *incarnation*: a counter only the member itself raises, to refute a
///   suspicion or to publish new metadata (SWIM §4.2).
///
/// Status order for one member (same generation, same incarnation):
/// `alive < suspect < dead`, `left` ranks like `dead`. A higher incarnation of
/// `alive` beats everything of a lower incarnation, including `dead`: that is
/// how a member wrongly declared dead during a partition comes back (the paper
/// makes `dead` final; we follow memberlist, and rely on the member being the
/// only one that can raise its incarnation, so stale gossip cannot resurrect).
///
/// Departures from the paper, all from memberlist/Lifeguard:
/// - suspicion timeouts shrink with independent confirmations (Lifeguard §IV.B);
/// - a local health score stretches probe timeouts when we are the slow one
///   (Lifeguard §IV.A), fed by missed nacks from indirect probers;
/// - a probe without a direct ack is retried once directly alongside the k
///   ping-requests (memberlist's fallback probe): under random loss a false
///   suspicion is one lost datagram, and undoing it costs N·log N gossip;
/// - probes and acks carry the sender's negative belief about the receiver, so
///   a member learns it is suspected or dead from the first message it gets;
/// - pings and acks carry the sender's own incarnation: a member speaking for
///   itself may revive itself in our view (never a crashed run, whose last
///   words carry no newer incarnation than the one it was declared dead at);
/// - an accusation older than our incarnation still makes us raise it: someone
///   missed our refutation, and only news spreads far enough to reach them;
/// - tombstones are probed now and then (`reconnectIntervalPeriods`), and
///   members push-pull their full views (memberlist's anti-entropy, a remote
///   death merged as a local suspicion), so the two halves of a healed
///   partition reconcile even where gossip has died out.
///
/// Nothing here reads a clock, a socket or a global random source: time is the
/// `now` tick passed to each handler, randomness a `SeededGenerator`, and every
/// effect a `SWIM.Directive` for the shell to carry out.
public enum SWIM {
    /// Ticks are the shell's unit of time; presets assume 1 tick = 10 ms.
    public typealias Tick = UInt64
    /// Where the shell delivers messages (`host:port` for the real transport).
    public typealias Address = String
}

import Membership
import YonkeCore

enum Fixture {
    static func id(_ name: String, _ generation: UInt64 = 1) -> SWIM.MemberID {
        SWIM.MemberID(name: name, generation: generation)
    }

    static func alive(_ name: String, incarnation: UInt64 = 0, generation: UInt64 = 1, version: UInt64 = 0) -> SWIM.MemberUpdate {
        SWIM.MemberUpdate(id: id(name, generation), incarnation: incarnation, status: .alive,
                          metadata: TestCluster.metadata(name, version: version))
    }

    static func claim(_ name: String, _ status: SWIM.Status, incarnation: UInt64, generation: UInt64 = 1,
                      accuser: String? = nil) -> SWIM.MemberUpdate {
        SWIM.MemberUpdate(id: id(name, generation), incarnation: incarnation, status: status, accuser: accuser)
    }

    /// `a` knowing `peers` alive, as after a join reply.
    static func instance(_ name: String = "a", peers: [String], config: SWIM.Config = .test, seed: UInt64 = 7) -> SWIM.Instance {
        var instance = SWIM.Instance(config: config, id: id(name), metadata: TestCluster.metadata(name),
                                     generator: SeededGenerator(seed: seed))
        _ = instance.onMessage(.joinReply(SWIM.JoinReply(from: id(peers[0]), members: peers.map { alive($0) })),
                               from: peers[0], now: 0)
        return instance
    }

    /// Delivers `updates` as gossip on an ack nobody waits for.
    static func gossip(_ updates: [SWIM.MemberUpdate], to instance: inout SWIM.Instance, now: SWIM.Tick = 1) -> [SWIM.Directive] {
        instance.onMessage(.ack(SWIM.Ack(from: id("zz-courier"), sequence: 999_999, gossip: updates)), from: "zz-courier", now: now)
    }
}

extension Array where Element == SWIM.Directive {
    var sends: [(SWIM.Message, SWIM.Address)] {
        compactMap { if case .send(let m, let to) = $0 { (m, to) } else { nil } }
    }

    var statusChanges: [SWIM.StatusChange] {
        compactMap { if case .memberStatusChanged(let c) = $0 { c } else { nil } }
    }

    func timers() -> [(SWIM.Timer, SWIM.Tick)] {
        compactMap { if case .schedule(let t, let after) = $0 { (t, after) } else { nil } }
    }
}

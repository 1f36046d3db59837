import Membership
import YonkeCore

/// A few SWIM instances on a one-tick network with per-link cuts and
/// crashes: enough to script the paper's scenarios in unit tests. (The
/// simulator in Simulations/ is the big, lossy version.)
struct TestCluster {
    struct Pending {
        var atTicks: SWIM.Tick
        var order: Int
        var event: Event
    }

    enum Event {
        case deliver(SWIM.Message, from: String, to: String)
        case timer(SWIM.Timer, member: String)
    }

    var config: SWIM.Config
    var instances: [String: SWIM.Instance] = [:]
    var crashed: Set<String> = []
    /// Directed links that drop everything.
    var cut: Set<[String]> = []
    var nowTicks: SWIM.Tick = 0
    var queue: [Pending] = []
    var order = 0
    /// Every status change each member reported, in order.
    var changes: [String: [SWIM.StatusChange]] = [:]
    var metadataChanges: [String: [SWIM.Member]] = [:]
    var generator: SeededGenerator

    init(config: SWIM.Config = .test, seed: UInt64 = 1) {
        self.config = config
        self.generator = SeededGenerator(seed: seed)
    }

    static func metadata(_ name: String, rack: String = "r1", version: UInt64 = 0) -> SWIM.Metadata {
        SWIM.Metadata(address: name, rack: rack, diskClass: .ssd,
                      hot: .init(capacityBytes: 1 << 40, usedBytes: 1 << 30), version: version)
    }

    /// Starts a member and joins it through `seeds` (none for the first).
    mutating func add(_ name: String, generation: UInt64 = 1, seeds: [String] = []) {
        var instance = SWIM.Instance(
            config: config, id: SWIM.MemberID(name: name, generation: generation),
            metadata: Self.metadata(name), generator: generator.fork(), nowTicks: nowTicks)
        let directives = instance.start(now: nowTicks) + instance.join(seeds: seeds, now: nowTicks)
        instances[name] = instance
        crashed.remove(name)
        perform(directives, by: name)
    }

    /// A cluster where everyone already joined through `m0`.
    static func formed(_ count: Int, config: SWIM.Config = .test, seed: UInt64 = 1) -> TestCluster {
        var cluster = TestCluster(config: config, seed: seed)
        for i in 0..<count { cluster.add("m\(i)", seeds: i == 0 ? [] : ["m0"]) }
        cluster.run(forTicks: config.probeIntervalTicks * 20)
        return cluster
    }

    mutating func perform(_ directives: [SWIM.Directive], by name: String) {
        for directive in directives {
            switch directive {
            case .send(let message, let to):
                enqueue(after: 1, .deliver(message, from: name, to: to))
            case .schedule(let timer, let afterTicks):
                enqueue(after: afterTicks, .timer(timer, member: name))
            case .memberStatusChanged(let change):
                changes[name, default: []].append(change)
            case .memberMetadataChanged(let member):
                metadataChanges[name, default: []].append(member)
            case .joinFailed:
                break
            }
        }
    }

    mutating func enqueue(after ticks: SWIM.Tick, _ event: Event) {
        order += 1
        queue.append(Pending(atTicks: nowTicks + ticks, order: order, event: event))
    }

    mutating func run(forTicks ticks: SWIM.Tick) {
        let end = nowTicks + ticks
        while let next = queue.indices.min(by: { (queue[$0].atTicks, queue[$0].order) < (queue[$1].atTicks, queue[$1].order) }),
              queue[next].atTicks <= end {
            let pending = queue.remove(at: next)
            nowTicks = pending.atTicks
            switch pending.event {
            case .deliver(let message, let from, let to):
                guard !crashed.contains(to), !crashed.contains(from), !cut.contains([from, to]),
                      var instance = instances[to] else { continue }
                let out = instance.onMessage(message, from: from, now: nowTicks)
                instances[to] = instance
                perform(out, by: to)
            case .timer(let timer, let member):
                guard !crashed.contains(member), var instance = instances[member] else { continue }
                let out = instance.onTimeout(timer, now: nowTicks)
                instances[member] = instance
                perform(out, by: member)
            }
        }
        nowTicks = end
    }

    mutating func crash(_ name: String) {
        crashed.insert(name)
        queue.removeAll { if case .timer(_, let m) = $0.event { m == name } else { false } }
    }

    mutating func partition(_ a: [String], _ b: [String]) {
        for x in a { for y in b { cut.insert([x, y]); cut.insert([y, x]) } }
    }

    func status(of name: String, seenBy observer: String) -> SWIM.Status? {
        instances[observer]?.member(named: name)?.status
    }

    var liveNames: [String] { instances.keys.filter { !crashed.contains($0) }.sorted() }
}

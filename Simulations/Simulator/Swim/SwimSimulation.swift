import Membership
import YonkeCore

/// Runs one seed of a `SwimScenario`: every member is a `SWIM.Instance`,
/// every message goes through the binary codec and a lossy `SimNetwork`,
/// every timer through one `EventQueue`. One thread, one seed, same result.
public struct SwimSimulation {
    enum Event {
        case deliver(bytes: [UInt8], from: Int, to: Int)
        case timer(SWIM.Timer, member: Int)
        case lateJoin(member: Int)
        /// A crashed member's machine comes back: same name, next generation.
        case restart(member: Int)
    }

    enum Phase: Equatable { case warmup, crashed, partitioned, healed }

    public let scenario: SwimScenario
    public let seed: UInt64
    private var rng: SeededGenerator
    private var queue = EventQueue<Event>(capacityMax: 20_000_000)
    private var network: SimNetwork<Int, [UInt8]>
    private var instances: [SWIM.Instance]
    private var tracker: SwimViewTracker
    private var trace = SimTrace(keepLast: 0, isEnabled: false)
    private var phase = Phase.warmup

    private var crashed: [Int] = []
    private var crashTime = SimTime.zero
    private var detectionTimes: [Int: SimTime] = [:]
    /// Where detection time goes, per crashed member: the first live
    /// member to suspect it, and the first to declare it dead.
    private var firstSuspicionTimes: [Int: SimTime] = [:]
    private var firstDeadTimes: [Int: SimTime] = [:]
    private var falselyDeclared: Set<Int> = []
    private var falseDeclarations = 0
    private var bytesSent = 0
    /// Bytes by message kind over the whole run, to see what the bandwidth buys.
    private var bytesByKind: [String: Int] = [:]
    private var messagesSent = 0
    private var violations: [String] = []
    /// Member → metadata version it published, checked everywhere at the end.
    private var publishedVersions: [Int: UInt64] = [:]
    private var restarted: Int?
    /// When the network stopped being whole (the partition), if it did.
    private var wholeNetworkEnd: SimTime?

    public init(scenario: SwimScenario, seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
        var root = SeededGenerator(seed: seed)
        var conditions = NetworkConditions(
            latencyMin: SimTime(microseconds: scenario.latencyMinMicroseconds),
            latencyMax: SimTime(microseconds: scenario.latencyMaxMicroseconds))
        conditions.lossProbability = scenario.lossProbability
        network = SimNetwork(conditions: conditions, generator: root.fork())
        let n = scenario.memberCount
        var memberRoot = root.fork()
        instances = (0..<n).map { i in
            SWIM.Instance(config: scenario.config, id: SWIM.MemberID(name: Self.name(i), generation: 1),
                          metadata: Self.metadata(i, using: &memberRoot), generator: memberRoot.fork())
        }
        tracker = SwimViewTracker(memberCount: n)
        rng = root.fork()
    }

    static func name(_ index: Int) -> String { "m\(index)" }

    static func kind(of message: SWIM.Message) -> String {
        switch message {
        case .ping: "ping"
        case .pingRequest: "pingRequest"
        case .ack: "ack"
        case .nack: "nack"
        case .joinRequest, .joinReply: "join"
        case .sync: "sync"
        }
    }
    static func index(ofName name: String) -> Int? { Int(name.dropFirst()) }

    static func metadata(_ i: Int, using rng: inout SeededGenerator) -> SWIM.Metadata {
        let tib: Int64 = 1 << 40
        var m = SWIM.Metadata(address: String(i), rack: "rack-\(i % 8)", diskClass: i % 3 == 0 ? .ssd : .hdd)
        m[.hot] = .init(capacityBytes: tib * Int64.random(in: 1...4, using: &rng), usedBytes: 0)
        m[.cold] = .init(capacityBytes: tib * Int64.random(in: 2...16, using: &rng), usedBytes: 0)
        return m
    }

    private var now: SimTime { queue.now }
    private func ticks(_ time: SimTime) -> SWIM.Tick { SWIM.Tick(time.microseconds / scenario.tickMicroseconds) }
    private var period: SimTime { SimTime(microseconds: scenario.periodMicroseconds) }
    private func periods(_ span: SimTime) -> Double { Double(span.microseconds) / Double(scenario.periodMicroseconds) }

    // MARK: the run

    public mutating func run() -> SwimRunResult {
        let n = scenario.memberCount
        let late = Set((0..<n).shuffled(using: &rng).prefix(scenario.lateJoinerCount))
        let formed = (0..<n).filter { !late.contains($0) }
        bootstrap(formed)
        for member in late.sorted() {
            queue.schedule(.lateJoin(member: member),
                           at: SimTime(microseconds: Int64.random(in: 0..<5 * scenario.periodMicroseconds, using: &rng)))
        }

        // Warm-up, with a few members publishing new usage figures.
        runUntil(period.times(scenario.warmupPeriods / 2))
        for member in formed.shuffled(using: &rng).prefix(scenario.metadataUpdaterCount).sorted() {
            var metadata = instances[member].myself.metadata
            metadata[.hot].usedBytes += Int64.random(in: 1...1 << 30, using: &rng)
            let nowTicks = ticks(now)
            instances[member].updateMetadata(metadata, now: nowTicks)
            publishedVersions[member] = instances[member].myself.metadata.version
        }
        // Late joiners need not be known everywhere yet: gossip reaches
        // everyone only with high probability, anti-entropy surely but later.
        // The end of the run checks that they are.
        runUntil(period.times(scenario.warmupPeriods))

        // Crash 1 % and measure detection and steady-state bandwidth.
        phase = .crashed
        crashTime = now
        let running = (0..<n).filter { tracker.running[$0] }
        crashed = Array(running.shuffled(using: &rng).prefix(scenario.crashCount)).sorted()
        for member in crashed { crash(member) }
        let bytesBefore = bytesSent
        let deadline = crashTime + period.times(scenario.detectionPeriodsMax)
        runUntil(deadline) { $0.detectionTimes.count == $0.crashed.count }
        let crashPhase = max(now, crashTime + period) - crashTime
        let bytesPerMemberPerSecond = Double(bytesSent - bytesBefore) / Double(max(1, tracker.runningCount)) / crashPhase.seconds
        for member in crashed where detectionTimes[member] == nil {
            check(false, "crash of \(Self.name(member)) not seen by all within \(scenario.detectionPeriodsMax) periods; "
                  + "\(tracker.undetected[member] ?? -1) still see it alive")
        }
        if scenario.lossProbability == 0, !falselyDeclared.isEmpty {
            check(false,
                  "running members declared dead on a lossless, whole network: \(falselyDeclared.sorted().map(Self.name))")
        }

        // Liveness: a whole (or healed) network must bring every running
        // member to the same, correct view: statuses first, then metadata
        // and restarted generations, which only gossip or anti-entropy carry.
        var convergence: Double?
        let settleStart: SimTime
        if scenario.withPartition {
            // Split the survivors 10–40 % / the rest, long enough for both
            // sides to declare each other dead, then heal and restart one
            // crashed machine under its old name.
            phase = .partitioned
            wholeNetworkEnd = now
            let survivors = (0..<n).filter { tracker.running[$0] }.shuffled(using: &rng)
            let minority = max(1, Int(Double(survivors.count) * Double.random(in: 0.1...0.4, using: &rng)))
            network.partition([Array(survivors.prefix(minority)).sorted(), Array(survivors.dropFirst(minority)).sorted()])
            runUntil(now + period.times(scenario.partitionPeriods))
            phase = .healed
            network.heal()
            if let first = crashed.first {
                restarted = first
                queue.schedule(.restart(member: first), after: period)
            }
        }
        // Without a partition the network stays whole: false positives keep counting.
        settleStart = now
        let settleDeadline = settleStart + period.times(scenario.convergencePeriodsMax)
        runUntil(settleDeadline) { $0.tracker.wrongCount == 0 }
        if scenario.withPartition, tracker.wrongCount == 0 { convergence = periods(now - settleStart) }
        while now < settleDeadline, !(tracker.wrongCount == 0 && staleMetadata().isEmpty && staleGenerations().isEmpty) {
            runUntil(min(settleDeadline, now + period))
        }
        if tracker.wrongCount != 0 {
            check(false, "no common view \(scenario.convergencePeriodsMax) periods after the \(scenario.withPartition ? "heal" : "crash phase"): "
                  + "\(tracker.wrongCount) disagreements, e.g. \(disagreements(limit: 5))")
        }
        for (member, stale) in staleMetadata() {
            check(false, "metadata v\(publishedVersions[member] ?? 0) of \(Self.name(member)) never reached \(stale.prefix(5).map(Self.name))")
        }
        let oldGeneration = staleGenerations()
        if let member = restarted, !oldGeneration.isEmpty {
            check(false, "\(Self.name(member)) restarted as generation 2, still unknown or old at \(oldGeneration.prefix(5).map(Self.name))")
        }

        return SwimRunResult(
            seed: seed,
            detectionPeriods: crashed.compactMap { detectionTimes[$0] }.map { periods($0 - crashTime) },
            firstSuspicionPeriods: crashed.compactMap { firstSuspicionTimes[$0] }.map { periods($0 - crashTime) },
            firstDeadPeriods: crashed.compactMap { firstDeadTimes[$0] }.map { periods($0 - crashTime) },
            falsePositives: falselyDeclared.count, falsePositiveDeclarations: falseDeclarations,
            wholeNetworkPeriods: periods((wholeNetworkEnd ?? now) - .zero),
            bytesPerMemberPerSecond: bytesPerMemberPerSecond, convergencePeriods: convergence,
            violations: violations, messagesSent: messagesSent, bytesByKind: bytesByKind, simulatedSeconds: now.seconds, traceHash: trace.hash)
    }

    /// The formed members start knowing each other, as after a completed join.
    private mutating func bootstrap(_ formed: [Int]) {
        for member in formed { tracker.setRunning(member, true) }
        let view = formed.map { instances[$0].myself.update }
        for member in formed {
            let peer = formed[member == formed[0] && formed.count > 1 ? 1 : 0]
            let reply = SWIM.Message.joinReply(SWIM.JoinReply(from: instances[peer].myself.id, members: view))
            let out = instances[member].onMessage(reply, from: String(peer), now: 0)
                + instances[member].start(now: 0)
            perform(out, by: member)
        }
    }

    private mutating func crash(_ member: Int) {
        tracker.setRunning(member, false)
        trace.mix(UInt64(member) | 1 << 40)
        if tracker.undetected[member] == 0 { detectionTimes[member] = now }
    }

    private mutating func runUntil(_ end: SimTime, stop: (Self) -> Bool = { _ in false }) {
        while let next = queue.nextTime, next <= end {
            guard let event = queue.pop() else { break }
            handle(event.event)
            if stop(self) { return }
        }
        if now < end {
            // Nothing left before `end`: time still passes.
            queue.schedule(.lateJoin(member: -1), at: end)
            _ = queue.pop()
        }
    }

    private mutating func handle(_ event: Event) {
        switch event {
        case .deliver(let bytes, let from, let to):
            trace.mix(UInt64(truncatingIfNeeded: now.microseconds) ^ UInt64(to) << 48)
            guard tracker.running[to], network.isDeliverable(from: from, to: to) else { return }
            let message: SWIM.Message
            do {
                message = try SWIM.Codec.decode(bytes)
            } catch {
                check(false, "our own encoding of a message from \(Self.name(from)) failed to decode: \(error)")
                return
            }
            let nowTicks = ticks(now)
            let out = instances[to].onMessage(message, from: String(from), now: nowTicks)
            perform(out, by: to)
        case .timer(let timer, let member):
            guard tracker.running[member] else { return }
            let nowTicks = ticks(now)
            let out = instances[member].onTimeout(timer, now: nowTicks)
            perform(out, by: member)
        case .restart(let member):
            // Its metadata updates died with the old run.
            publishedVersions[member] = nil
            tracker.forgetBeliefs(of: member)
            var generator = rng.fork()
            instances[member] = SWIM.Instance(
                config: scenario.config, id: SWIM.MemberID(name: Self.name(member), generation: 2),
                metadata: Self.metadata(member, using: &generator), generator: generator.fork())
            fallthrough
        case .lateJoin(let member):
            guard member >= 0 else { return }
            tracker.setRunning(member, true)
            let seeds = (0..<scenario.memberCount).filter { $0 != member && tracker.running[$0] }
                .shuffled(using: &rng).prefix(3).map(String.init)
            let nowTicks = ticks(now)
            let out = instances[member].start(now: nowTicks) + instances[member].join(seeds: seeds, now: nowTicks)
            perform(out, by: member)
        }
    }

    private mutating func perform(_ directives: [SWIM.Directive], by member: Int) {
        for directive in directives {
            switch directive {
            case .send(let message, let address):
                guard let to = Int(address), to >= 0, to < scenario.memberCount else {
                    check(false, "\(Self.name(member)) sent to unknown address \(address)")
                    continue
                }
                let bytes = SWIM.Codec.encode(message)
                bytesSent += bytes.count
                bytesByKind[Self.kind(of: message), default: 0] += bytes.count
                messagesSent += 1
                for time in network.send(from: member, to: to, now: now) {
                    queue.schedule(.deliver(bytes: bytes, from: member, to: to), at: time)
                }
            case .schedule(let timer, let afterTicks):
                queue.schedule(.timer(timer, member: member),
                               after: SimTime(microseconds: Int64(afterTicks) * scenario.tickMicroseconds))
            case .memberStatusChanged(let change):
                onStatusChange(change, seenBy: member)
            case .memberMetadataChanged:
                break
            case .joinFailed:
                check(false, "\(Self.name(member)) failed to join through its seeds")
            }
        }
    }

    private mutating func onStatusChange(_ change: SWIM.StatusChange, seenBy observer: Int) {
        guard let subject = Self.index(ofName: change.member.id.name) else {
            check(false, "unknown member name \(change.member.id.name)")
            return
        }
        trace.mix(UInt64(observer) << 32 | UInt64(subject) << 8 | UInt64(change.member.status.rawValue))
        let seen: SwimViewTracker.Seen = switch change.member.status {
        case .alive: .alive
        case .suspect: .suspect
        case .dead: .dead
        case .left: .left
        }
        if phase == .crashed, !tracker.running[subject], tracker.running[observer] {
            if change.member.status == .suspect, firstSuspicionTimes[subject] == nil { firstSuspicionTimes[subject] = now }
            if change.member.status == .dead, firstDeadTimes[subject] == nil { firstDeadTimes[subject] = now }
        }
        if change.member.status == .dead, tracker.running[subject], tracker.running[observer],
           phase == .warmup || phase == .crashed {
            falselyDeclared.insert(subject)
            falseDeclarations += 1
        }
        if tracker.record(observer: observer, subject: subject, seen: seen), detectionTimes[subject] == nil {
            detectionTimes[subject] = now
        }
    }

    /// Disagreements with the evidence a reader needs: what the observer
    /// holds (status, incarnation, since when) against the subject's own state.
    private func disagreements(limit: Int) -> [String] {
        tracker.disagreeingPairs(limit: limit).map { observer, subject in
            let held = instances[observer].member(named: Self.name(subject))
            let truth = instances[subject].myself
            let heldText = held.map { "\($0.id) \($0.status) i\($0.incarnation) v\($0.metadata.version) since tick \($0.statusSinceTicks)" }
                ?? "nothing"
            let truthText = tracker.running[subject] ? "running \(truth.id) i\(truth.incarnation) v\(truth.metadata.version)" : "crashed"
            return "\(Self.name(observer)) holds \(heldText); truth: \(truthText)"
        }
    }

    /// Published metadata versions not yet seen by some running member.
    private func staleMetadata() -> [(Int, [Int])] {
        publishedVersions.sorted { $0.key < $1.key }.compactMap { member, version in
            guard tracker.running[member] else { return nil }
            let stale = (0..<scenario.memberCount).filter {
                $0 != member && tracker.running[$0]
                    && (instances[$0].member(named: Self.name(member))?.metadata.version ?? 0) < version
            }
            return stale.isEmpty ? nil : (member, stale)
        }
    }

    /// Running members that do not yet know the restarted machine's new run.
    private func staleGenerations() -> [Int] {
        guard let member = restarted, tracker.running[member] else { return [] }
        return (0..<scenario.memberCount).filter {
            $0 != member && tracker.running[$0] && instances[$0].member(named: Self.name(member))?.id.generation != 2
        }
    }

    /// Callers build the message only on failure (`check(false, …)` inside
    /// an `if`/`for`) where it is costly.
    private mutating func check(_ condition: Bool, _ message: String) {
        if !condition { violations.append("t=\(now) \(message)") }
    }
}

extension SimTime {
    func times(_ count: Int) -> SimTime { SimTime(microseconds: microseconds * Int64(count)) }
}

import YonkeProtocol
import YonkeClient
import Foundation
import Logging
import Membership
import NIOCore
import Topology
import Transport
import YonkeCore

/// Hosts SWIM: who is alive, suspect or dead, and each member's metadata
/// (address, rack, roles, disk classes, capacity and usage).
///
/// The actor is the instance's only interpreter: inbound messages and due
/// timers step it synchronously and its directives are carried out before the
/// next event, so no `await` ever splits a step. Messages leave through an
/// outbox drained by `run()` (sends never block a step); timers are data kept
/// here and fired by `run()`'s timer loop. Time is ticks since the service was
/// built, one tick = period / 100 (`SWIMClock`).
///
/// A member's id is the node name plus a per-start generation (`GenerationFile`),
/// so a restarted node is a new member that supersedes its own tombstone.
/// Observers of `changes()` see a restart as the old run `dead` (if it was
/// still thought alive) and then the name as new (`previousState` nil).
///
/// Seeds are the other machines of the topology; machines never heard of
/// are asked again every `seedCheckPeriods`, so groups that formed apart merge.
///
/// A crashed member is declared dead by every other within
/// (2(N−1) + 1) periods (a round-robin prober reaches it within two rounds,
/// the probe ends a period later) plus `suspicionTimeoutMax`
/// (= 24 · max(1, log10 N) periods unconfirmed, 2 · max(1, log10 N) once two
/// others confirm; see `SWIM.Config`). With N = 4: 31 periods at most, 15.5 s
/// on `.lan` timing; measured ~0.31 s at the tests' 100 ms periods. A stopped node announces `left`
/// instead (graceful leave), which the others know at once.
public actor MembershipService {
    /// Runs on a control-plane thread, never behind block work (`ControlPlane`).
    private nonisolated let controlExecutor = ControlPlane.executor()
    public nonisolated var unownedExecutor: UnownedSerialExecutor { controlExecutor.asUnownedSerialExecutor() }

    let context: NodeContext
    private var instance: SWIM.Instance
    private var timers = SWIMTimers()
    private var addressBook: SWIMAddressBook
    private let clockStart = ContinuousClock.now
    private let tickDuration: Duration
    private let periodDuration: Duration
    private let outgoing: AsyncStream<Outgoing>
    private let outbox: AsyncStream<Outgoing>.Continuation
    private var lastHeard: [String: ContinuousClock.Instant] = [:]
    private var subscribers: [UInt64: AsyncStream<MemberChange>.Continuation] = [:]
    private var nextSubscriberID: UInt64 = 0
    private var phase = Phase.idle
    private var lastSeedCheck = ContinuousClock.now

    /// Tests turn this off to stop a node the way a crash does.
    var leavesOnShutdown = true
    /// SWIM payloads refused by the decoder since start.
    private(set) var malformedCount = 0
    /// Gossip that tried to bind a registered machine's address to another name (refused).
    private(set) var refusedAddressClaims = 0

    private enum Phase { case idle, running, stopped }

    private enum Outgoing {
        case message(to: String, ByteBuffer)
        case address(PeerDirectory.Address, of: String)
    }

    /// Timers armed by inbound messages (relayed probes, suspicions) must not
    /// wait for the next period; the timer loop wakes at least this often.
    /// A tenth of a period: a relayed probe's nack is then never late enough
    /// to count against the requester's health.
    private var pollDuration: Duration { periodDuration / 10 }
    /// Topology machines this node has never heard of are asked to join every
    /// this many periods: it heals a cluster that formed in pieces because its
    /// nodes started at once (each joined whoever was up).
    static let seedCheckPeriods = 10
    /// After sending `left`, how long shutdown waits for the peer queues to flush.
    static let leaveGrace = Duration.milliseconds(100)
    /// Outbound messages queued while the links are slow; the newest are kept
    /// (SWIM tolerates loss, and stale probes are worthless).
    static let outboxCapacity = 4096
    static let decodeLimits = SWIM.Codec.Limits.standard

    init(context: NodeContext) throws {
        self.context = context
        let config = context.config
        let nowMilliseconds = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let generation = try GenerationFile.next(
            path: config.dataDirectory + "/swim-generation", nowMilliseconds: nowMilliseconds)
        var system = SystemRandomNumberGenerator()
        let metadata = LocalMetadata.make(
            for: config.machine, capacityBytes: config.machine.capacityBytes, usedBytes: 0, version: 0)
        instance = SWIM.Instance(
            config: SWIMClock.config, id: SWIM.MemberID(name: config.name, generation: generation),
            metadata: metadata, generator: SeededGenerator(seed: system.next()))
        addressBook = SWIMAddressBook(topology: config.topology)
        tickDuration = SWIMClock.tickDuration(periodMilliseconds: config.timing.swimPeriodMilliseconds)
        periodDuration = .milliseconds(max(1, config.timing.swimPeriodMilliseconds))
        (outgoing, outbox) = AsyncStream.makeStream(of: Outgoing.self, bufferingPolicy: .bufferingNewest(Self.outboxCapacity))
    }

    private var logger: Logger { context.logger }

    // MARK: the shell's loops

    /// Joins through the other machines of the topology, then probes and
    /// gossips until cancelled; on cancellation announces `left` (graceful leave).
    func run() async throws {
        invariant(phase == .idle, "membership run() called twice (phase \(phase))")
        phase = .running
        let now = nowTicks()
        execute(instance.start(now: now))
        let seeds = seedAddresses(unknownOnly: false)
        execute(instance.join(seeds: seeds, now: now))
        lastSeedCheck = .now
        logger.info("membership started", metadata: [
            "generation": "\(instance.myself.id.generation)", "seeds": "\(seeds.joined(separator: ","))",
            "periodMs": "\(context.config.timing.swimPeriodMilliseconds)",
        ])
        await withDiscardingTaskGroup { group in
            group.addTask { await self.sendLoop() }
            group.addTask { await self.timerLoop() }
        }
        await stop()
    }

    /// Carries queued messages to the peer directory, in order. Not isolated:
    /// the actor keeps stepping the instance meanwhile.
    private nonisolated func sendLoop() async {
        for await item in outgoing {
            switch item {
            case let .message(name, payload):
                await context.peers.sendOneWay(to: name, channel: .swim, payload: payload)
            case let .address(address, name):
                await context.peers.setAddress(address, of: name)
            }
        }
    }

    private func timerLoop() async {
        while !Task.isCancelled {
            fireDueTimers()
            joinUnknownSeedsIfDue()
            let poll = ContinuousClock.now + pollDuration
            let wake = timers.nextDeadlineTicks.map { min(instant(ofTick: $0), poll) } ?? poll
            try? await Task.sleep(until: wake, clock: .continuous)
        }
    }

    private func fireDueTimers() {
        let now = nowTicks()
        // Bounded by the timers armed before this round, so handlers that arm
        // timers for `now` cannot keep it spinning.
        for _ in 0..<timers.count {
            guard let timer = timers.popDue(nowTicks: now) else { break }
            execute(instance.onTimeout(timer, now: now))
        }
    }

    private func joinUnknownSeedsIfDue() {
        guard ContinuousClock.now - lastSeedCheck >= periodDuration * Self.seedCheckPeriods else { return }
        lastSeedCheck = .now
        guard !instance.isJoining, instance.myself.status != .left else { return }
        let unknown = seedAddresses(unknownOnly: true)
        guard !unknown.isEmpty else { return }
        logger.debug("asking unknown topology machines to join", metadata: ["seeds": "\(unknown.joined(separator: ","))"])
        execute(instance.join(seeds: unknown, now: nowTicks()))
    }

    private func stop() async {
        phase = .stopped
        outbox.finish()
        for subscriber in subscribers.values { subscriber.finish() }
        subscribers = [:]
        guard leavesOnShutdown else {
            logger.info("membership stopped without leaving")
            return
        }
        // The send loop is gone: hand the `left` claims to the peer directory directly.
        for directive in instance.leave(now: nowTicks()) {
            switch directive {
            case let .send(message, address):
                guard let name = addressBook.name(at: address) else { continue }
                await context.peers.sendOneWay(to: name, channel: .swim, payload: Self.encode(message))
            case .schedule, .memberStatusChanged, .memberMetadataChanged, .joinFailed:
                continue
            }
        }
        logger.info("left the cluster", metadata: ["incarnation": "\(instance.myself.incarnation)"])
        // This task is cancelled, so its own sleep would return at once.
        await Task { try? await Task.sleep(for: Self.leaveGrace) }.value
    }

    // MARK: inbound

    /// One SWIM payload from an authenticated peer. Anything malformed is
    /// dropped and logged; it never reaches the instance.
    func onSwimMessage(_ payload: ByteBuffer, from peer: Peer) {
        guard phase != .stopped else { return }
        var payload = payload
        let message: SWIM.Message
        do {
            message = try SWIM.Codec.decode(payload.readRemainingBytes(), limits: Self.decodeLimits)
        } catch {
            malformedCount += 1
            logger.warning("dropped a malformed SWIM message", metadata: ["peer": "\(peer.name)", "error": "\(error)"])
            return
        }
        lastHeard[peer.name] = .now
        learnUnknownAddresses(in: message)
        guard let address = addressBook.address(of: peer.name) else {
            logger.debug("SWIM message from a node with no known address", metadata: ["peer": "\(peer.name)"])
            return
        }
        execute(instance.onMessage(message, from: address, now: nowTicks()))
    }

    func handleRequest(_ op: RPCOperation.Membership, payload: ByteBuffer, from peer: Peer) -> ByteBuffer {
        switch op {
        case .members: MembershipOps.encodeMembers(members())
        }
    }

    // MARK: directives

    private func execute(_ directives: [SWIM.Directive]) {
        for directive in directives {
            switch directive {
            case let .send(message, address):
                send(message, to: address)
            case let .schedule(timer, afterTicks):
                timers.schedule(timer, atTicks: instance.nowTicks + afterTicks)
            case let .memberStatusChanged(change):
                onStatusChanged(change)
            case let .memberMetadataChanged(member):
                learnAddress(of: member)
                publish(MemberChange(member: view(of: member), previousState: member.status.description, metadataOnly: true))
            case .joinFailed:
                // Routine when a topology machine is simply down; news only when we know nobody.
                let level: Logger.Level = instance.liveMemberCount > 1 ? .debug : .notice
                logger.log(level: level, "no seed answered the join; asking again in \(Self.seedCheckPeriods) periods")
            }
        }
    }

    private func send(_ message: SWIM.Message, to address: SWIM.Address) {
        guard let name = addressBook.name(at: address) else {
            logger.debug("no node known at SWIM address", metadata: ["address": "\(address)"])
            return
        }
        guard name != context.config.name else { return }
        outbox.yield(.message(to: name, Self.encode(message)))
    }

    private func onStatusChanged(_ change: SWIM.StatusChange) {
        let member = change.member
        if member.status == .alive { learnAddress(of: member) }
        let previous = change.previousStatus?.description
        logger.info("member \(member.status)", metadata: [
            "member": "\(member.id.name)", "generation": "\(member.id.generation)",
            "incarnation": "\(member.incarnation)", "previous": "\(previous ?? "unknown")",
        ])
        publish(MemberChange(member: view(of: member), previousState: previous, metadataOnly: false))
    }

    private func publish(_ change: MemberChange) {
        for (id, subscriber) in subscribers.sorted(by: { $0.key < $1.key }) {
            if case .terminated = subscriber.yield(change) { subscribers[id] = nil }
        }
    }

    // MARK: addresses

    private func learnAddress(of member: SWIM.Member) {
        learnAddress(name: member.id.name, address: member.metadata.address)
    }

    private func learnAddress(name: String, address: SWIM.Address) {
        guard name != context.config.name else { return }
        guard let parsed = Topology.Address(parsing: address) else {
            logger.warning("member announces an unusable address", metadata: ["member": "\(name)", "address": "\(address)"])
            return
        }
        let owner = context.registry.machines.first { $0.address == parsed }?.name
        switch addressBook.learn(name: name, address: address, registeredOwner: owner) {
        case .learned:
            outbox.yield(.address(parsed, of: name))
        case .unchanged:
            break
        case .refused(let owner):
            refusedAddressClaims += 1
            logger.warning("gossip claims a registered machine's address for another name; ignored", metadata: [
                "claimedBy": "\(name)", "address": "\(address)", "registeredTo": "\(owner)",
            ])
        }
    }

    /// Members not in the topology (joined later) are first heard of in a
    /// message; their address must be known before the instance answers them.
    private func learnUnknownAddresses(in message: SWIM.Message) {
        var updates = message.gossip
        switch message {
        case .joinRequest(let request): updates.append(request.member)
        case .joinReply(let reply): updates += reply.members
        case .sync(let sync): updates += sync.members
        case .ping, .pingRequest, .ack, .nack: break
        }
        for update in updates where addressBook.address(of: update.id.name) == nil {
            if let metadata = update.metadata { learnAddress(name: update.id.name, address: metadata.address) }
        }
    }

    private func seedAddresses(unknownOnly: Bool) -> [SWIM.Address] {
        context.registry.machines
            .filter { $0.name != context.config.name && (!unknownOnly || instance.member(named: $0.name) == nil) }
            .map(\.address.description)
    }

    // MARK: time

    private func nowTicks() -> SWIM.Tick {
        SWIM.Tick(max(0, (ContinuousClock.now - clockStart) / tickDuration))
    }

    private func instant(ofTick tick: SWIM.Tick) -> ContinuousClock.Instant {
        clockStart + tickDuration * Int(clamping: tick)
    }

    private static func encode(_ message: SWIM.Message) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeBytes(SWIM.Codec.encode(message))
        return buffer
    }

    // MARK: the view, for the other services

    private func view(of member: SWIM.Member) -> MemberView {
        let heard = member.id.name == context.config.name ? nil : lastHeard[member.id.name]
        let millisAgo = heard.map { Int(($0.duration(to: .now) / .milliseconds(1)).rounded(.down)) }
        return MemberView(member, lastHeardMillisAgo: millisAgo)
    }

    /// Every member this node knows, itself included, tombstones (dead,
    /// left) until they expire; sorted by name.
    public func members() -> [MemberView] {
        ([instance.myself] + instance.peers).map(view(of:)).sorted { $0.name < $1.name }
    }

    /// Members in state `alive`, this node included. Suspects are left out:
    /// a block placed on a member that may be down would have to move again.
    public func aliveMembers() -> [MemberView] {
        members().filter(\.isAlive)
    }

    public func member(named name: String) -> MemberView? {
        instance.member(named: name).map(view(of:))
    }

    /// Publishes this node's disk usage (the block service calls it): a new
    /// metadata version at a new incarnation, which gossip spreads.
    public func updateLocalUsage(capacityBytes: Int64, usedBytes: Int64) {
        let current = MemberView(instance.myself, lastHeardMillisAgo: nil)
        guard current.capacityBytes != capacityBytes || current.usedBytes != usedBytes else { return }
        let metadata = LocalMetadata.make(
            for: context.config.machine, capacityBytes: capacityBytes, usedBytes: usedBytes,
            version: instance.myself.metadata.version + 1)
        instance.updateMetadata(metadata, now: nowTicks())
    }

    /// Every later change of this node's view (new member, state change,
    /// metadata change), in order; the stream ends when the service stops.
    public func changes() -> AsyncStream<MemberChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: MemberChange.self, bufferingPolicy: .bufferingNewest(1024))
        guard phase != .stopped else {
            continuation.finish()
            return stream
        }
        nextSubscriberID += 1
        subscribers[nextSubscriberID] = continuation
        return stream
    }

    /// This run's generation (see `GenerationFile`): larger after every restart.
    public var localGeneration: UInt64 { instance.myself.id.generation }

    /// Off: a stop looks like a crash to the others (no `left` claim).
    func setLeavesOnShutdown(_ leaves: Bool) { leavesOnShutdown = leaves }

    /// True while a join waits for a seed's answer.
    var isJoining: Bool { instance.isJoining }

    /// The generation this node holds for `name`, for tests of restarts.
    func generation(of name: String) -> UInt64? { instance.member(named: name)?.id.generation }
}

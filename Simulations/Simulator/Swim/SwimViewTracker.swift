import YonkeCore

/// What every member believes about every other, rebuilt from the
/// `memberStatusChanged` directives they emit, plus running counts that
/// make the scenario's checks O(1) per event at 1,000 members:
/// - `wrongCount`: (live observer, subject) pairs that disagree with the
///   truth: a running subject not seen as alive/suspect, or a crashed one
///   still seen as alive/suspect. Zero means every live member has the same,
///   correct view.
/// - per crashed subject, how many live observers still see it alive.
struct SwimViewTracker {
    enum Seen: UInt8 { case unknown = 0, alive, suspect, dead, left }

    let memberCount: Int
    private var seen: [Seen]
    private(set) var running: [Bool]
    private(set) var wrongCount = 0
    /// Crashed member → live observers still seeing it alive or suspect.
    private(set) var undetected: [Int: Int] = [:]

    init(memberCount: Int) {
        self.memberCount = memberCount
        seen = Array(repeating: .unknown, count: memberCount * memberCount)
        running = Array(repeating: false, count: memberCount)
    }

    func view(of subject: Int, by observer: Int) -> Seen { seen[observer * memberCount + subject] }

    var runningCount: Int { running.lazy.filter { $0 }.count }

    static func believesLive(_ s: Seen) -> Bool { s == .alive || s == .suspect }

    private func isWrong(observer: Int, subject: Int) -> Bool {
        guard running[observer], observer != subject else { return false }
        let live = Self.believesLive(view(of: subject, by: observer))
        return running[subject] ? !live : live
    }

    /// Returns true when this change completed the detection of a crash.
    mutating func record(observer: Int, subject: Int, seen new: Seen) -> Bool {
        guard observer != subject else { return false }
        let old = view(of: subject, by: observer)
        if isWrong(observer: observer, subject: subject) { wrongCount -= 1 }
        seen[observer * memberCount + subject] = new
        if isWrong(observer: observer, subject: subject) { wrongCount += 1 }
        guard running[observer], let pending = undetected[subject] else { return false }
        let delta = (Self.believesLive(new) ? 1 : 0) - (Self.believesLive(old) ? 1 : 0)
        undetected[subject] = pending + delta
        return pending > 0 && pending + delta == 0
    }

    /// A process starts or stops: every pair involving it changes meaning.
    mutating func setRunning(_ member: Int, _ isRunning: Bool) {
        for other in 0..<memberCount where other != member {
            if isWrong(observer: other, subject: member) { wrongCount -= 1 }
            if isWrong(observer: member, subject: other) { wrongCount -= 1 }
        }
        running[member] = isRunning
        for other in 0..<memberCount where other != member {
            if isWrong(observer: other, subject: member) { wrongCount += 1 }
            if isWrong(observer: member, subject: other) { wrongCount += 1 }
        }
        // Observers that stop no longer count towards anyone's detection.
        for (subject, pending) in undetected.sorted(by: { $0.key < $1.key }) where Self.believesLive(view(of: subject, by: member)) {
            undetected[subject] = pending + (isRunning ? 1 : -1)
        }
        if isRunning {
            undetected[member] = nil
        } else {
            undetected[member] = (0..<memberCount).filter {
                $0 != member && running[$0] && Self.believesLive(view(of: member, by: $0))
            }.count
        }
    }

    /// A machine restarts with a fresh process that knows nobody yet: its
    /// old beliefs go with the old run. Call while it is not running.
    mutating func forgetBeliefs(of observer: Int) {
        invariant(!running[observer], "forgetting the beliefs of running m\(observer)")
        for subject in 0..<memberCount { seen[observer * memberCount + subject] = .unknown }
    }

    /// Who still disagrees, as (observer, subject) pairs, at most `limit`.
    func disagreeingPairs(limit: Int) -> [(observer: Int, subject: Int)] {
        var out: [(Int, Int)] = []
        for observer in 0..<memberCount where running[observer] {
            for subject in 0..<memberCount where isWrong(observer: observer, subject: subject) {
                out.append((observer, subject))
                if out.count >= limit { return out }
            }
        }
        return out
    }
}

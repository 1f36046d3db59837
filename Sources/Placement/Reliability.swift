import YonkeCore

/// How much a machine can be trusted with a replica: a score in (0, 1] folded
/// from what is known about it. A pure value: the master feeds it events.
///
/// - Prior, from the declared disk age: 1 up to `wearOutAgeYears` (drives fail
///   at a low, flat rate in their first years), then `e^−(age − wearOut)/decayYears`
///   (the wear-out side of the bathtub curve: 0.37 five years past wear-out).
///   An undeclared age gets the benefit of the doubt; observations lower it.
/// - Observations: each I/O error, checksum failure (silent corruption, the
///   worst kind) or crash adds a penalty; the score is `prior · e^−penalty`.
///   Penalties halve every `penaltyHalfLifeTicks` of healthy running, so a
///   machine that had one bad day earns its share back.
///
/// Placement lowers a machine's weight in proportion to its score (no cliff)
/// and, when better machines exist, never puts all replicas of a block on
/// machines scoring below `Placement.Config.reliabilityThreshold`.
public struct Reliability: Sendable, Equatable {
    public struct Config: Sendable, Equatable {
        public var wearOutAgeYears: Double
        public var decayYears: Double
        public var ioErrorPenalty: Double
        public var checksumFailurePenalty: Double
        public var crashPenalty: Double
        public var penaltyHalfLifeTicks: Int64
        /// The score never reaches 0, so a weight never does either: an unreliable
        /// machine still gets a little data, and a lone machine can still be used.
        public var scoreFloor: Double

        /// One tick per second: a penalty halves in a day. Ten I/O errors or four
        /// checksum failures in a day cost about half the weight.
        public static let standard = Config(
            wearOutAgeYears: 5, decayYears: 5,
            ioErrorPenalty: 0.07, checksumFailurePenalty: 0.17, crashPenalty: 0.1,
            penaltyHalfLifeTicks: 86_400, scoreFloor: 0.01
        )

        public init(wearOutAgeYears: Double, decayYears: Double, ioErrorPenalty: Double, checksumFailurePenalty: Double,
                    crashPenalty: Double, penaltyHalfLifeTicks: Int64, scoreFloor: Double) {
            self.wearOutAgeYears = wearOutAgeYears
            self.decayYears = decayYears
            self.ioErrorPenalty = ioErrorPenalty
            self.checksumFailurePenalty = checksumFailurePenalty
            self.crashPenalty = crashPenalty
            self.penaltyHalfLifeTicks = penaltyHalfLifeTicks
            self.scoreFloor = scoreFloor
        }
    }

    public let config: Config
    public private(set) var prior: Double
    /// Accumulated, decaying; 0 for a machine with a clean record.
    public private(set) var penalty: Double

    public init(diskAgeYears: Double? = nil, config: Config = .standard) {
        self.config = config
        self.penalty = 0
        if let age = diskAgeYears, age > config.wearOutAgeYears {
            prior = StableMath.exp(-min(600, (age - config.wearOutAgeYears) / config.decayYears))
        } else {
            prior = 1
        }
    }

    /// In (0, 1]: 1 is a young disk with a clean record.
    public var score: Double {
        max(config.scoreFloor, prior * StableMath.exp(-min(600, penalty)))
    }

    public mutating func onIOError() { penalty += config.ioErrorPenalty }
    public mutating func onChecksumFailure() { penalty += config.checksumFailurePenalty }
    public mutating func onCrash() { penalty += config.crashPenalty }

    /// Time passed without new trouble: the penalty decays exponentially.
    public mutating func onHealthyTicks(_ ticks: Int64) {
        invariant(ticks >= 0, "healthy ticks must not be negative: \(ticks)")
        guard penalty > 0, ticks > 0 else { return }
        let halvings = min(600, Double(ticks) / Double(config.penaltyHalfLifeTicks))
        penalty *= StableMath.exp(-halvings * StableMath.ln2)
        if penalty < 1e-9 { penalty = 0 }
    }

    /// What a score does to a machine's placement weight: proportional, so the
    /// weight falls smoothly as trouble accumulates.
    public static func weightFactor(score: Double) -> Double {
        min(1, max(0, score))
    }
}

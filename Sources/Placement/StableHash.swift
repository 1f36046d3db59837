/// A 64-bit hash that is the same in every process and on every platform
/// (Swift's `Hasher` is seeded per process, so it would move every block on
/// restart). xxHash64-style word mixing with a SplitMix64 finalizer; it is not
/// cryptographic and need not be: block ids are already keyed digests.
public enum StableHash {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    public static func hash<Bytes: Collection>(_ bytes: Bytes, seed: UInt64 = 0) -> UInt64 where Bytes.Element == UInt8 {
        var state = seed &+ prime5 &+ UInt64(bytes.count)
        var word: UInt64 = 0
        var filled = 0
        for byte in bytes {
            word |= UInt64(byte) << (8 * UInt64(filled))
            filled += 1
            if filled == 8 {
                state ^= rotateLeft(word &* prime2, 31) &* prime1
                state = rotateLeft(state, 27) &* prime1 &+ prime4
                word = 0
                filled = 0
            }
        }
        if filled > 0 {
            state ^= word &* prime5
            state = rotateLeft(state, 11) &* prime1
        }
        return mix(state)
    }

    public static func hash(_ text: String, seed: UInt64 = 0) -> UInt64 {
        hash(Array(text.utf8), seed: seed)
    }

    /// SplitMix64's finalizer: a bijection whose every output bit depends on every input bit.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Two rounds, so that blocks whose hashes differ in few bits still draw independently per machine.
    public static func combine(_ first: UInt64, _ second: UInt64) -> UInt64 {
        mix(mix(first ^ second) &+ rotateLeft(second, 29))
    }

    /// Uniform in (0, 1]: never 0, so its logarithm is finite.
    public static func unitInterval(_ value: UInt64) -> Double {
        Double((value >> 11) + 1) * 0x1p-53
    }

    private static func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

import Testing
import YonkeCore

@Suite struct CheckedMathTests {
    @Test(arguments: [
        (Int64.max, Int64(1), Int64.max), (Int64.min, Int64(-1), Int64.min), (Int64(2), Int64(3), Int64(5)),
        (Int64.max, Int64.min, Int64(-1)),
    ])
    func addSaturates(a: Int64, b: Int64, expected: Int64) {
        #expect(CheckedMath.saturatingAdd(a, b) == expected)
    }

    @Test func subtractAndMultiplySaturate() {
        #expect(CheckedMath.saturatingSubtract(Int64.min, 1) == .min)
        #expect(CheckedMath.saturatingSubtract(Int64.max, -1) == .max)
        #expect(CheckedMath.saturatingSubtract(UInt64(0), 1) == 0)
        #expect(CheckedMath.saturatingMultiply(Int64.max, 2) == .max)
        #expect(CheckedMath.saturatingMultiply(Int64.max, -2) == .min)
        #expect(CheckedMath.saturatingMultiply(Int64(6), 7) == 42)
    }

    @Test func incrementRefusesAtTheEnd() {
        #expect(CheckedMath.incremented(UInt64.max) == nil)
        #expect(CheckedMath.incremented(UInt64(41)) == 42)
        #expect(CheckedMath.adding(UInt64.max - 1, 1) == .max)
    }

    @Test func sumsNeverTrap() {
        #expect([Int64.max, .max, .max].saturatingSum { $0 } == .max)
        #expect([Int64.min, .min].saturatingSum { $0 } == .min)
        #expect([1, 2, 3].saturatingSum { $0 } == 6)
    }
}

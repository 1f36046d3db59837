/// `id,valor,fecha` rows, the shape of the course's PostgreSQL `random_data` table.
public struct CSVRows: Sendable {
    public init() {}

    public var id = 0
    public var carry: [UInt8] = []
    private static let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
    /// 2025-11-27T00:00:00Z, a row every two minutes from there.
    private static let startEpochSeconds = 1_764_201_600

    public mutating func append(to out: inout [UInt8], using generator: inout SeededGenerator) {
        if !carry.isEmpty {
            out += carry
            carry.removeAll()
        }
        id += 1
        out += Array(String(id).utf8)
        out.append(UInt8(ascii: ","))
        for _ in 0..<10 { out.append(Self.letters[Int(generator.next() % 26)]) }
        out.append(UInt8(ascii: ","))
        let seconds = Self.startEpochSeconds + id * 120
        out += Array(Self.timestamp(seconds).utf8)
        out.append(UInt8(ascii: "\n"))
    }

    /// ISO 8601 in UTC without Foundation's formatter, which is far too slow for a gigabyte of rows.
    public static func timestamp(_ epochSeconds: Int) -> String {
        let days = epochSeconds / 86_400
        let secondOfDay = epochSeconds % 86_400
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
    }
}

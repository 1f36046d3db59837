import Foundation

/// Human-readable sizes and rates for reports (binary units, as `du -h`).
public enum ByteCount {
    public static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// Parses `512`, `64KiB`, `64MiB`, `1.5GiB`, `4TB` (decimal), `120G` (binary).
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber || $0 == "." }
        guard !digits.isEmpty, let number = Double(digits), number >= 0 else { return nil }
        let suffix = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces).lowercased()
        let multipliers: [String: Double] = [
            "": 1, "b": 1,
            "k": 1024, "kib": 1024, "kb": 1e3,
            "m": 1024 * 1024, "mib": 1024 * 1024, "mb": 1e6,
            "g": 1024 * 1024 * 1024, "gib": 1024 * 1024 * 1024, "gb": 1e9,
            "t": 1024 * 1024 * 1024 * 1024, "tib": 1024 * 1024 * 1024 * 1024, "tb": 1e12,
        ]
        guard let multiplier = multipliers[suffix] else { return nil }
        let value = number * multiplier
        guard value < Double(Int64.max) else { return nil }
        return Int64(value)
    }
}

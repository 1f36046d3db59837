/// What is wrong with a topology file, and where: file, line, and the field's
/// path (`machines[2].disks[0].capacity`), so the operator can go straight to it.
public struct TopologyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; nil when the problem has no single place (an empty file).
    public var line: Int?
    /// Empty for problems with the file as a whole.
    public var field: String
    public var problem: String

    public init(file: String, line: Int?, field: String, problem: String) {
        self.file = file
        self.line = line
        self.field = field
        self.problem = problem
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return field.isEmpty ? "\(place): \(problem)" : "\(place): \(field): \(problem)"
    }
}

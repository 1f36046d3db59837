/// An error the user can act on: what failed, where, and what to do next.
struct CLIError: Error, CustomStringConvertible {
    let what: String
    let hint: String

    init(_ what: String, hint: String) {
        self.what = what
        self.hint = hint
    }

    init(_ error: any Error, while doing: String, hint: String) {
        self.init("\(doing): \(error)", hint: hint)
    }

    var description: String { "\(what)\n  hint: \(hint)" }
}

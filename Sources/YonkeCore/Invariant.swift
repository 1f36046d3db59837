/// An always-on check for our own bugs (never for outside input, which gets a
/// typed error). Unlike `assert` it survives `-O`; unlike a bare `precondition`
/// the message carries the actual values, so a simulator trace says what broke.
@inline(__always)
public func invariant(
    _ condition: @autoclosure () -> Bool,
    _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() {
        preconditionFailure("invariant violated: \(message())", file: file, line: line)
    }
}

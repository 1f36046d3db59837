import YonkeClient

/// The CLI's errors are the client library's: what failed, where, and a hint.
typealias CLIError = ClientError

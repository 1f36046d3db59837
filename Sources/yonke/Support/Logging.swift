import Foundation
import Logging

extension Logger {
    /// One line per event on stderr, tagged with the node, so interleaved logs of a local cluster stay readable.
    static func yonke(node: String) -> Logger {
        var logger = Logger(label: "yonke")
        logger[metadataKey: "node"] = "\(node)"
        if let level = ProcessInfo.processInfo.environment["YONKE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) {
            logger.logLevel = level
        } else {
            logger.logLevel = .warning
        }
        return logger
    }
}

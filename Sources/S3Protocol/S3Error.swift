/// An S3 error as the wire shows it: a code from S3's list, its HTTP status and a message.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        case accessDenied = "AccessDenied"
        case badDigest = "BadDigest"
        case bucketAlreadyOwnedByYou = "BucketAlreadyOwnedByYou"
        case bucketNotEmpty = "BucketNotEmpty"
        case entityTooLarge = "EntityTooLarge"
        case entityTooSmall = "EntityTooSmall"
        case incompleteBody = "IncompleteBody"
        case internalError = "InternalError"
        case invalidAccessKeyId = "InvalidAccessKeyId"
        case invalidArgument = "InvalidArgument"
        case invalidBucketName = "InvalidBucketName"
        case invalidDigest = "InvalidDigest"
        case invalidPart = "InvalidPart"
        case invalidPartOrder = "InvalidPartOrder"
        case invalidRange = "InvalidRange"
        case invalidRequest = "InvalidRequest"
        case invalidURI = "InvalidURI"
        case keyTooLong = "KeyTooLongError"
        case malformedXML = "MalformedXML"
        case methodNotAllowed = "MethodNotAllowed"
        case missingContentLength = "MissingContentLength"
        case missingSecurityHeader = "MissingSecurityHeader"
        case noSuchBucket = "NoSuchBucket"
        case noSuchKey = "NoSuchKey"
        case noSuchUpload = "NoSuchUpload"
        case notImplemented = "NotImplemented"
        case preconditionFailed = "PreconditionFailed"
        case notModified = "NotModified"
        case requestHeaderSectionTooLarge = "RequestHeaderSectionTooLarge"
        case requestTimeout = "RequestTimeout"
        case requestTimeTooSkewed = "RequestTimeTooSkewed"
        case serviceUnavailable = "ServiceUnavailable"
        case signatureDoesNotMatch = "SignatureDoesNotMatch"
        case authorizationHeaderMalformed = "AuthorizationHeaderMalformed"
        case authorizationQueryParametersError = "AuthorizationQueryParametersError"
        case xAmzContentSHA256Mismatch = "XAmzContentSHA256Mismatch"

        /// S3's status for each code (the table in the S3 API reference, "Error responses").
        public var httpStatus: Int {
            switch self {
            case .notModified: 304
            case .badDigest, .entityTooSmall, .entityTooLarge, .incompleteBody, .invalidArgument, .invalidBucketName,
                 .invalidDigest, .invalidPart, .invalidPartOrder, .invalidRequest, .invalidURI, .keyTooLong,
                 .malformedXML, .requestTimeout, .authorizationHeaderMalformed, .authorizationQueryParametersError,
                 .xAmzContentSHA256Mismatch, .missingSecurityHeader:
                400
            case .accessDenied, .invalidAccessKeyId, .requestTimeTooSkewed, .signatureDoesNotMatch: 403
            case .noSuchBucket, .noSuchKey, .noSuchUpload: 404
            case .methodNotAllowed: 405
            case .bucketAlreadyOwnedByYou, .bucketNotEmpty: 409
            case .missingContentLength: 411
            case .preconditionFailed: 412
            case .invalidRange: 416
            case .requestHeaderSectionTooLarge: 400
            case .internalError: 500
            case .notImplemented: 501
            case .serviceUnavailable: 503
            }
        }
    }

    public var code: Code
    public var message: String
    /// The bucket or key the error is about (S3's `<Resource>`).
    public var resource: String

    public init(_ code: Code, _ message: String, resource: String = "") {
        self.code = code
        self.message = message
        self.resource = resource
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// S3's error document.
    public func xml(requestID: String) -> String {
        var out = XML.header
        out += "<Error><Code>\(code.rawValue)</Code><Message>\(XML.escape(message))</Message>"
        if !resource.isEmpty { out += "<Resource>\(XML.escape(resource))</Resource>" }
        out += "<RequestId>\(XML.escape(requestID))</RequestId></Error>"
        return out
    }
}

/// What an S3 request asks for, from its method, path and query (S3 API reference, one entry per
/// operation). The gateway switches over this exhaustively.
public enum Operation: Sendable, Equatable {
    case listBuckets
    case createBucket(bucket: String)
    case deleteBucket(bucket: String)
    case headBucket(bucket: String)
    case getBucketLocation(bucket: String)
    case listObjectsV2(bucket: String)
    case listObjectsV1(bucket: String)
    case deleteObjects(bucket: String)
    case listMultipartUploads(bucket: String)
    case headObject(bucket: String, key: String)
    case getObject(bucket: String, key: String)
    case putObject(bucket: String, key: String)
    case copyObject(bucket: String, key: String, source: String)
    case deleteObject(bucket: String, key: String)
    case createMultipartUpload(bucket: String, key: String)
    case uploadPart(bucket: String, key: String, uploadID: String, partNumber: Int)
    case uploadPartCopy(bucket: String, key: String, uploadID: String, partNumber: Int, source: String)
    case completeMultipartUpload(bucket: String, key: String, uploadID: String)
    case abortMultipartUpload(bucket: String, key: String, uploadID: String)
    case listParts(bucket: String, key: String, uploadID: String)

    /// Reader role: only operations that change nothing.
    public var isReadOnly: Bool {
        switch self {
        case .listBuckets, .headBucket, .getBucketLocation, .listObjectsV2, .listObjectsV1, .listMultipartUploads,
             .headObject, .getObject, .listParts:
            true
        case .createBucket, .deleteBucket, .deleteObjects, .putObject, .copyObject, .deleteObject,
             .createMultipartUpload, .uploadPart, .uploadPartCopy, .completeMultipartUpload, .abortMultipartUpload:
            false
        }
    }

    /// S3's operation name, for logs and metrics.
    public var name: String {
        switch self {
        case .listBuckets: "ListBuckets"
        case .createBucket: "CreateBucket"
        case .deleteBucket: "DeleteBucket"
        case .headBucket: "HeadBucket"
        case .getBucketLocation: "GetBucketLocation"
        case .listObjectsV2: "ListObjectsV2"
        case .listObjectsV1: "ListObjects"
        case .deleteObjects: "DeleteObjects"
        case .listMultipartUploads: "ListMultipartUploads"
        case .headObject: "HeadObject"
        case .getObject: "GetObject"
        case .putObject: "PutObject"
        case .copyObject: "CopyObject"
        case .deleteObject: "DeleteObject"
        case .createMultipartUpload: "CreateMultipartUpload"
        case .uploadPart: "UploadPart"
        case .uploadPartCopy: "UploadPartCopy"
        case .completeMultipartUpload: "CompleteMultipartUpload"
        case .abortMultipartUpload: "AbortMultipartUpload"
        case .listParts: "ListParts"
        }
    }

    public static let maxPartNumber = 10_000

    public static func route(_ request: S3Request) throws(S3Error) -> Operation {
        let (bucket, key) = try request.bucketAndKey()
        let method = request.method
        guard let bucket else {
            guard method == "GET" else { throw S3Error(.methodNotAllowed, "\(method) on the service is not allowed") }
            return .listBuckets
        }
        guard let key else {
            switch method {
            case "PUT": return .createBucket(bucket: bucket)
            case "DELETE": return .deleteBucket(bucket: bucket)
            case "HEAD": return .headBucket(bucket: bucket)
            case "POST":
                guard request.hasQuery("delete") else { throw S3Error(.notImplemented, "this POST on a bucket is not supported") }
                return .deleteObjects(bucket: bucket)
            case "GET":
                if request.hasQuery("location") { return .getBucketLocation(bucket: bucket) }
                if request.hasQuery("uploads") { return .listMultipartUploads(bucket: bucket) }
                if request.queryValue("list-type") == "2" { return .listObjectsV2(bucket: bucket) }
                for unsupported in ["acl", "policy", "versioning", "lifecycle", "cors", "tagging", "website", "encryption", "versions"]
                where request.hasQuery(unsupported) {
                    throw S3Error(.notImplemented, "bucket \(unsupported) is not supported")
                }
                return .listObjectsV1(bucket: bucket)
            default:
                throw S3Error(.methodNotAllowed, "\(method) on a bucket is not allowed")
            }
        }
        let uploadID = request.queryValue("uploadId")
        switch method {
        case "GET":
            if let uploadID { return .listParts(bucket: bucket, key: key, uploadID: uploadID) }
            for unsupported in ["acl", "tagging", "torrent", "retention", "legal-hold", "attributes"] where request.hasQuery(unsupported) {
                throw S3Error(.notImplemented, "object \(unsupported) is not supported")
            }
            return .getObject(bucket: bucket, key: key)
        case "HEAD":
            return .headObject(bucket: bucket, key: key)
        case "PUT":
            let source = request.header("x-amz-copy-source")
            if let uploadID {
                guard let text = request.queryValue("partNumber"), let number = Int(text), (1...maxPartNumber).contains(number) else {
                    throw S3Error(.invalidArgument, "Part number must be an integer between 1 and \(maxPartNumber), inclusive")
                }
                if let source { return .uploadPartCopy(bucket: bucket, key: key, uploadID: uploadID, partNumber: number, source: source) }
                return .uploadPart(bucket: bucket, key: key, uploadID: uploadID, partNumber: number)
            }
            if request.hasQuery("tagging") || request.hasQuery("acl") { throw S3Error(.notImplemented, "object tagging and ACLs are not supported") }
            if let source { return .copyObject(bucket: bucket, key: key, source: source) }
            return .putObject(bucket: bucket, key: key)
        case "DELETE":
            if let uploadID { return .abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID) }
            return .deleteObject(bucket: bucket, key: key)
        case "POST":
            if request.hasQuery("uploads") { return .createMultipartUpload(bucket: bucket, key: key) }
            if let uploadID { return .completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID) }
            throw S3Error(.notImplemented, "this POST on an object is not supported")
        default:
            throw S3Error(.methodNotAllowed, "\(method) on an object is not allowed")
        }
    }

    /// `x-amz-copy-source`: `bucket/key` or `/bucket/key`, percent-encoded, maybe `?versionId=`.
    public static func copySource(_ header: String) throws(S3Error) -> (bucket: String, key: String) {
        var text = Substring(header)
        if let mark = text.firstIndex(of: "?") { text = text[..<mark] }
        guard let decoded = URIEncoding.decode(String(text), plusIsSpace: false) else {
            throw S3Error(.invalidArgument, "x-amz-copy-source is not valid percent-encoding")
        }
        let trimmed = decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded
        guard let slash = trimmed.firstIndex(of: "/"), slash != trimmed.startIndex, trimmed.index(after: slash) != trimmed.endIndex else {
            throw S3Error(.invalidArgument, "x-amz-copy-source must be BUCKET/KEY")
        }
        return (String(trimmed[..<slash]), String(trimmed[trimmed.index(after: slash)...]))
    }
}

import Foundation
import YonkeCore

/// Blocks written by the format-1 codec before format 2 existed (commit b9f1037:
/// libsodium AEADs, BLAKE2b ids), with TestData.keyring, 256-byte frames and
/// FormatOneFixtures.plaintext: two LZ4-compressed frames and one stored raw.
/// They pin the old bytes, so reading them proves the new code reads what the old wrote.
enum FormatOneFixtures {
    static let frameSizeBytes = 256
    static let id = "5c51841a7fb45326f7b7260be449ce543d24ee087bfeee62cf7d41b18402bd98"
    static let xchacha20poly1305 = Array(Data(base64Encoded: "WU5LQgEBAAAAAQAAvAIAAAAAAAADAAAAUyq7c0hEsDNcUYQaf7RTJve3JgvkSc5UPSTuCHv+7mLPfUGxhAK9mKs7clYBAAAAAAABAAAcAAAATsn/WwfUT5tcuMU8cxgeTXX6A1WbEOGIXyhAC8tohe1CgUF6SXZvcINbIEow8KxvqYi2ph7m4/Rk7q+AFTgRvKkAVwIBAQAAAAABAAAcAAAAK4ND3SmUz34b8xQyaVvyQkNYWI+F8T6+Jh7YW/RLFBq/rS5mGYbpwsEdgEFmwN3RbAHqBeti+UBuJ4TL1jMqMvvb7M4AAgAAALwAAAC8AAAAj2466yICi9GySDo7Q4AGjJyXSHHItyUuRBrtGUBQulD86lobCPH7TK5MHXfkooLlrpizDCkpUxB0B9b/TGigKH/tujIz1wcGOFYAbXTj3+HrCvya8Ab33Y7elS6KEOegDVyxAysOLAgrzWJsdh4WyvTC9UKW8IdU4vWqcc4sh1ITEcQyT9E1YN5mcckj6EsUN73noZnuEP+h1h5XYqPQocnuDFKWt0TDvbcqRGce1MSvAAzq9TBufHkIBXkzTlVBZ7TCi0H/EyVBVZ7niVp3YoGr6aIo9rhbtCZ0Nv5qpMnyoIXr")!)
    static let aes256gcm = Array(Data(base64Encoded: "WU5LQgECAAAAAQAAvAIAAAAAAAADAAAAUyq7c0hEsDNcUYQaf7RTJve3JgvkSc5UPSTuCHv+7mLPfUGxhAK9mHetsAoBAAAAAAABAAAcAAAAW3aKP035SSJCnvYNAAAAAAAAAAAAAAAAMelDDFx5Y4CgAtPRlgt8+Nz9g3mbcYGdC0tQ6JKeKNSkxlaOora8UkKZL9IBAQAAAAABAAAcAAAAtQ8t4/fts3k/QDcJAAAAAAAAAAAAAAAAmdTxQqr73Z6xedXS8sAglJzdl7AgoHXKSiJldZuotud6MTpx6Es8FIgnRpQAAgAAALwAAAC8AAAAGRnbD8iOSBdzknywAAAAAAAAAAAAAAAA/RHMjDDgT6FTm2iWD1tkgB/9Sc/Ll2d/BqNf+ZH40GX2yeQ3K2yu1b12T40xO4nCk6q4E+H5bzO5AEFTYW7g/Oj7lTsjr9wKyYifQbz9Qj0VClQKGPGn+3ad7sRUCZ8LUKf1hEtlyGSjpb4zM5MMXA8LJ2P/VidCGXP1zJ/yCyE30OeimiMgaIEKKGwiSLmLNX4gGTRqdpGxrp2cmRmvOOL8tN7egGsUGVCw5SEaXXP2RGdrPQEyVQCeuz39h9pAoLSxRbggvllkCh+u")!)

    static var plaintext: [UInt8] {
        var text: [UInt8] = []
        while text.count < 512 { text += Array("yonke v1 fixture ".utf8) }
        return Array(text.prefix(512)) + (0..<188).map { UInt8(($0 * 37 + 11) & 0xff) }
    }
}

import Crypto
import Foundation

/// AWS Signature Version 4 for S3 requests (header form), as in
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html. No SDK: S3-compatible
/// stores (DigitalOcean Spaces, MinIO, moto) all take this signature.
struct SignatureV4: Sendable {
    let accessKey: String
    let secretKey: String
    let region: String
    var service = "s3"

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256` and `Authorization`.
    /// `path` is already percent-encoded as it goes on the wire; `headers` are the other headers to sign
    /// (at least `host`). `payloadHash` is the body's lower-case hex SHA-256, or `UNSIGNED-PAYLOAD`.
    func sign(
        method: String, path: String, query: [(String, String)] = [], headers: [String: String], payloadHash: String, date: Date
    ) -> [String: String] {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var all = Dictionary(headers.map { ($0.key.lowercased(), $0.value.trimmingCharacters(in: .whitespaces)) }, uniquingKeysWith: { _, last in last })
        all["x-amz-date"] = amzDate
        all["x-amz-content-sha256"] = payloadHash
        let names = all.keys.sorted()
        let signedHeaders = names.joined(separator: ";")
        let encodedQuery: [(name: String, value: String)] = query.map { (Self.encode($0.0), Self.encode($0.1)) }
        let sortedQuery = encodedQuery.sorted { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
        let canonicalQuery = sortedQuery.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        let canonicalHeaders = names.map { name in "\(name):\(all[name] ?? "")\n" }.joined()
        let parts: [String] = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash]
        let canonicalRequest = parts.joined(separator: "\n")
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Data(SHA256.hash(data: Data(canonicalRequest.utf8))).hexString].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let signature = Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
        return [
            "x-amz-date": amzDate,
            "x-amz-content-sha256": payloadHash,
            "Authorization": "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)",
        ]
    }

    /// The SHA-256 of an empty body, for GET and DELETE.
    static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// RFC 3986 unreserved characters stay; everything else is `%XX` (upper case), `/` included.
    static func encode(_ text: String, keepingSlash: Bool = false) -> String {
        var result = ""
        for byte in text.utf8 {
            let char = Character(UnicodeScalar(byte))
            if char.isASCII && (char.isLetter || char.isNumber || "-._~".contains(char)) || (keepingSlash && char == "/") {
                result.append(char)
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}

import FlowForgeCore
import Foundation

/// The body of `POST /api/user/secrets`, and its checks. Every message names the field and says what a
/// valid value looks like.
struct SecretRequest: Decodable {
    let name: String?
    let value: String?
    let repositoryId: String?
    let pullRequests: Bool?

    /// Longest name: names appear in URLs, in flowforge.yml and in error messages.
    static let maxNameLength = SecretName.maxLength
    /// Largest value in UTF-8 bytes: certificates and registry auth documents fit, a tarball does not.
    static let maxValueBytes = 64 * 1024

    /// 1 to 100 characters of letters, digits, `_`, `-` and `.`, starting with a letter or `_`: safe in a
    /// URL path and in YAML without quoting.
    static func validName(_ raw: String?, field: String = "name") throws -> String {
        let value = raw ?? ""
        guard !value.isEmpty else {
            throw APIError.validation(field, "is required: the name steps use in `from_secret`, e.g. docker_password")
        }
        guard value.count <= maxNameLength else {
            throw APIError.validation(field, "must be at most \(maxNameLength) characters")
        }
        guard SecretName.isValid(value) else {
            throw APIError.validation(field, "\(value.debugDescription) is not a valid secret name; use letters, digits, `_`, `-` and `.`, starting with a letter or `_` (e.g. docker_password)")
        }
        return value
    }

    /// Shortest value in UTF-8 bytes: the logs show `********` wherever the value appears, and a short value
    /// (`yes`, `1234`) appears by chance everywhere, so masking it would both mangle the logs and tell the
    /// reader what it is. GitLab's masked variables have the same 8-character minimum.
    static let minValueBytes = 8

    /// At least `minValueBytes`, at most `maxValueBytes`, and no NUL character (an environment variable cannot hold one).
    func validValue() throws -> String {
        guard let value, !value.isEmpty else {
            throw APIError.validation("value", "is required and must not be empty")
        }
        let size = value.utf8.count
        guard size >= Self.minValueBytes else {
            throw APIError.validation("value", "is \(size) bytes; a secret must be at least \(Self.minValueBytes) bytes, because a shorter value cannot be masked in logs without revealing it (use a longer token or password)")
        }
        guard size <= Self.maxValueBytes else {
            throw APIError.validation("value", "is \(size) bytes; a secret holds at most \(Self.maxValueBytes) bytes (store large files elsewhere and keep only a credential here)")
        }
        guard !value.utf8.contains(0) else {
            throw APIError.validation("value", "contains a NUL character, which an environment variable cannot hold; encode binary values (e.g. base64)")
        }
        return value
    }
}

import Foundation

/// Pieces the forges' status builders share.
enum StatusRequestBuilding {
    /// RFC 3986 unreserved characters: everything else in a path segment is percent-encoded, including
    /// `/`, so `group/project` becomes one segment where GitLab expects an encoded path.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// The API base without trailing slashes, so `{api}/repos/...` never has `//`.
    static func base(_ apiBaseURL: String) -> String {
        var base = apiBaseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// Splits `owner/repo` (Bitbucket: `workspace/slug`) into its two encoded segments.
    static func ownerAndName(_ fullName: String, provider: String) throws -> (String, String) {
        let parts = fullName.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw StatusRequestError.invalidRepositoryFullName(provider: provider, name: fullName)
        }
        return (pathSegment(String(parts[0])), pathSegment(String(parts[1])))
    }

    static func post<Body: Encodable>(_ url: String, json body: Body, headers: [String: String] = [:]) -> ForgeHTTPRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // Encoding a struct of strings cannot fail; an empty body would be rejected by the forge, visibly.
        let bytes = (try? encoder.encode(body)).map(Array.init) ?? []
        var allHeaders = ["content-type": "application/json", "accept": "application/json", "user-agent": "FlowForge"]
        allHeaders.merge(headers) { _, new in new }
        return ForgeHTTPRequest(method: "POST", url: url, headers: allHeaders, body: bytes)
    }
}

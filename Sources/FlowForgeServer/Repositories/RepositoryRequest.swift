import Foundation

/// The body of `POST /api/user/repositories`, and its checks. Every message names the field and says
/// what a valid value looks like.
struct RepositoryRequest: Decodable {
    let provider: String?
    let fullName: String?
    let cloneUrl: String?
    let accessToken: String?

    static let providers = ["github", "gitlab", "bitbucket", "git"]

    func validProvider() throws -> String {
        let value = (provider ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard !value.isEmpty else { throw APIError.validation("provider", "is required; use one of \(Self.providers.joined(separator: ", "))") }
        guard Self.providers.contains(value) else {
            throw APIError.validation("provider", "\(value) is not supported; use one of \(Self.providers.joined(separator: ", "))")
        }
        return value
    }

    /// `owner/repo` for GitHub and Bitbucket, `group[/subgroup…]/project` for GitLab, any path of name
    /// segments for a generic git server; segments of letters, digits, `.`, `_` and `-`.
    func validFullName(provider: String) throws -> String {
        let value = (fullName ?? "").trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw APIError.validation("full_name", "is required, e.g. octocat/hello-world") }
        guard value.count <= 255 else { throw APIError.validation("full_name", "must be at most 255 characters") }
        let segments = value.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        let wellFormed = segments.allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.unicodeScalars.allSatisfy { $0.isASCII && allowed.contains($0) }
        }
        guard wellFormed else {
            throw APIError.validation("full_name", "must be names of letters, digits, '.', '_' or '-' separated by '/', e.g. octocat/hello-world")
        }
        if (provider == "github" || provider == "bitbucket") && segments.count != 2 {
            throw APIError.validation("full_name", "must be owner/repository for \(provider), e.g. octocat/hello-world")
        }
        if provider == "gitlab" && segments.count < 2 {
            throw APIError.validation("full_name", "must be the project's path with its group for gitlab, e.g. group/project")
        }
        return value
    }

    func validAccessToken() throws -> String? {
        guard let token = accessToken?.trimmingCharacters(in: .whitespacesAndNewlines), !token.isEmpty else { return nil }
        guard token.utf8.count <= 4096 else { throw APIError.validation("access_token", "must be at most 4096 bytes") }
        return token
    }
}

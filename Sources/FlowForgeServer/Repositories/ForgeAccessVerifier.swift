import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Asks a forge whether an access token can read a repository, with one API call:
/// GitHub `GET /repos/{owner}/{repo}`, GitLab `GET /api/v4/projects/{url-encoded path}`, Bitbucket
/// `GET /2.0/repositories/{workspace}/{slug}`.
///
/// Contract: `.readable` only on a 2xx from the forge; `.refused` when the forge answered 401, 403 or 404
/// (the token is wrong, or cannot see the repository: forges answer 404 for private repositories a token
/// cannot read); `.unavailable` for anything else (network error, 5xx, 429), which says nothing about the
/// token. Sends the token only to the forge's configured API host. Safe to call any number of times.
struct ForgeAccessVerifier: Sendable {
    enum Answer: Sendable, Equatable {
        case readable
        case refused(status: Int)
        case unavailable(String)
    }

    let hosts: ForgeHosts
    let httpClient: HTTPClient
    var timeout: TimeAmount = .seconds(15)

    func check(provider: String, fullName: String, token: String, logger: Logger) async -> Answer {
        guard let url = url(provider: provider, fullName: fullName) else {
            return .unavailable("\(provider) has no API to ask")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "Authorization", value: Self.authorization(provider: provider, token: token))
        request.headers.add(name: "Accept", value: provider == "github" ? "application/vnd.github+json" : "application/json")
        request.headers.add(name: "User-Agent", value: "FlowForge")
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            logger.debug("forge answered the access check", metadata: ["provider": "\(provider)", "status": "\(status)"])
            switch status {
            case 200..<300: return .readable
            case 401, 403, 404: return .refused(status: status)
            default: return .unavailable("HTTP \(status)")
            }
        } catch {
            return .unavailable("\(error)")
        }
    }

    func url(provider: String, fullName: String) -> String? {
        let segments = fullName.split(separator: "/").map(String.init)
        switch provider {
        case "github" where segments.count == 2:
            return "\(hosts.gitHubAPIURL)/repos/\(Self.segment(segments[0]))/\(Self.segment(segments[1]))"
        case "gitlab":
            // The whole path with namespace is one segment, its slashes encoded (GitLab's "URL-encoded path").
            return "\(hosts.gitLabAPIURL)/api/v4/projects/\(Self.segment(fullName))"
        case "bitbucket" where segments.count == 2:
            return "\(hosts.bitbucketAPIURL)/2.0/repositories/\(Self.segment(segments[0]))/\(Self.segment(segments[1]))"
        default:
            return nil
        }
    }

    /// Bitbucket app passwords (`user:password`) go as Basic auth; every other token as Bearer (GitHub
    /// tokens, GitLab personal and OAuth tokens, Bitbucket access tokens), as status posts send them.
    static func authorization(provider: String, token: String) -> String {
        if provider == "bitbucket", token.contains(":") {
            return "Basic \(Data(token.utf8).base64EncodedString())"
        }
        return "Bearer \(token)"
    }

    /// One path segment, everything but unreserved characters percent-encoded (so `/` becomes `%2F`).
    static func segment(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}

import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The two outbound calls of the flow: exchange the code for a token, then read who the user is.
/// Failures are `APIError`s a browser user can act on ("try signing in again"); forge bodies are not echoed.
struct OAuthClient: Sendable {
    let http: HTTPClient
    let timeout: TimeAmount = .seconds(15)

    struct Token: Sendable {
        var accessToken: String
        var refreshToken: String?
    }

    func exchange(code: String, provider: OAuthProvider, client: AppConfiguration.OAuthClient, redirectURI: String) async throws -> Token {
        var form = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]
        var request = HTTPClientRequest(url: provider.tokenURL)
        request.method = .POST
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if provider.clientAuthInHeader {
            let basic = Data("\(client.id):\(client.secret)".utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic \(basic)")
        } else {
            form["client_id"] = client.id
            form["client_secret"] = client.secret
        }
        request.body = .bytes(ByteBuffer(string: Self.formEncode(form)))
        let body = try await json(request, what: "exchange the authorization code")
        guard let object = body as? [String: Any], let token = object["access_token"] as? String, !token.isEmpty else {
            throw Self.failure("\(provider.name) did not grant access; start the sign-in again")
        }
        return Token(accessToken: token, refreshToken: object["refresh_token"] as? String)
    }

    func user(provider: OAuthProvider, token: String) async throws -> OAuthUser {
        let user = try await json(get(provider.userURL, token: token), what: "read your \(provider.name) profile")
        var emails: Any?
        if let url = provider.emailsURL {
            emails = try await json(get(url, token: token), what: "read your \(provider.name) email")
        }
        guard let object = user as? [String: Any], let parsed = provider.parseUser(object, emails) else {
            throw Self.failure("\(provider.name) answered with an unexpected profile; try again later")
        }
        return parsed
    }

    private func get(_ url: String, token: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "FlowForge")
        return request
    }

    private func json(_ request: HTTPClientRequest, what: String) async throws -> Any {
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: timeout)
        } catch {
            throw Self.failure("could not reach the forge to \(what); try again later")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status.code),
              let value = try? JSONSerialization.jsonObject(with: Data(buffer: body))
        else {
            throw Self.failure("the forge refused to \(what) (HTTP \(response.status.code)); start the sign-in again")
        }
        return value
    }

    static func failure(_ message: String) -> APIError {
        APIError(.badGateway, code: "oauth_failed", message: message)
    }

    static func formEncode(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
            .joined(separator: "&")
    }
}

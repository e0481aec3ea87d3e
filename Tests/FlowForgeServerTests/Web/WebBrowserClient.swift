import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// A browser as far as HTTP goes: keeps the cookies the server sets (as a browser would, by name) and sends
/// them back, and reads the CSRF token out of the last page's forms.
final class WebBrowserClient: @unchecked Sendable {
    // Used by one test task at a time; the lock only guards against misuse.
    private let lock = NSLock()
    private var cookies: [String: String] = [:]
    let client: any TestClientProtocol

    init(_ client: any TestClientProtocol) { self.client = client }

    var cookieHeader: String {
        lock.withLock { cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
    }

    func cookie(_ name: String) -> String? { lock.withLock { cookies[name] } }
    func setCookie(_ name: String, _ value: String?) { lock.withLock { cookies[name] = value } }

    @discardableResult
    func get(_ path: String) async throws -> TestResponse {
        var headers = HTTPFields()
        if !cookieHeader.isEmpty { headers[.cookie] = cookieHeader }
        return remember(try await client.execute(uri: path, method: .get, headers: headers, body: nil))
    }

    /// Posts a form as a browser does (`application/x-www-form-urlencoded`).
    @discardableResult
    func post(_ path: String, _ fields: [String: String]) async throws -> TestResponse {
        var headers = HTTPFields()
        if !cookieHeader.isEmpty { headers[.cookie] = cookieHeader }
        headers[.contentType] = "application/x-www-form-urlencoded"
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
        return remember(try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)))
    }

    /// GETs `page`, then posts `fields` with the page's CSRF token to `action`.
    @discardableResult
    func submit(_ page: String, to action: String, _ fields: [String: String]) async throws -> TestResponse {
        let form = try await get(page)
        var fields = fields
        fields["csrf_token"] = try Self.csrfToken(in: form)
        return try await post(action, fields)
    }

    func register(email: String, password: String = "correct horse", plan: String = "free") async throws -> TestResponse {
        try await submit("/auth/register?plan=\(plan)", to: "/auth/register", ["email": email, "password": password, "plan": plan])
    }

    func signIn(email: String, password: String = "correct horse", next: String? = nil) async throws -> TestResponse {
        var fields = ["email": email, "password": password]
        if let next { fields["next"] = next }
        return try await submit("/auth/login", to: "/auth/login", fields)
    }

    static func csrfToken(in response: TestResponse) throws -> String {
        let html = String(buffer: response.body)
        let marker = "name=\"csrf_token\" value=\""
        let start = try #require(html.range(of: marker), "no CSRF field in the page: \(html.prefix(300))")
        let rest = html[start.upperBound...]
        return String(rest[..<rest.firstIndex(of: "\"")!])
    }

    private func remember(_ response: TestResponse) -> TestResponse {
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]), content = String(pair[1])
            lock.withLock { cookies[name] = content.isEmpty || value.contains("Max-Age=0") ? nil : content }
        }
        return response
    }
}

extension TestResponse {
    var html: String { String(buffer: body) }
    var location: String? { headers[.location] }
    func setCookie(named name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }
}

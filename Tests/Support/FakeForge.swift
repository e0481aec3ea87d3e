import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A fake forge API on 127.0.0.1 (a random port) for tests: it serves the commit status endpoints of
/// GitHub, GitLab and Bitbucket and the GitHub App token endpoint, records every request, checks each
/// against the forge's published contract, and answers 201, or what the test scripted with `failNext`.
public final class FakeForge: Sendable {
    public let port: Int
    /// `http://127.0.0.1:<port>`: use it as GITHUB_API_URL, GITLAB_URL and BITBUCKET_API_URL.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    private let state: FakeForgeState
    private let server: Task<Void, any Error>

    /// Starts the server. `verifyAppJWT` checks the bearer token of a token request (the App JWT); a token
    /// it refuses gets 401. Tokens issued live `tokenLifetime`.
    public init(
        tokenLifetime: TimeInterval = 3600,
        verifyAppJWT: @escaping @Sendable (String) async -> Bool = { _ in false }
    ) async throws {
        let state = FakeForgeState(tokenLifetime: tokenLifetime, verifyAppJWT: verifyAppJWT)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, context in
                try await state.respond(to: request, maxBody: 1 << 20)
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "FakeForge"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "fake-forge", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        server = Task { try await app.run() }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw FakeForgeDidNotStart()
        }
        self.port = port
        self.state = state
    }

    /// Stops the server. Safe to call twice.
    public func stop() { server.cancel() }

    deinit { server.cancel() }

    /// Every request so far, in arrival order.
    public func requests() async -> [FakeForgeRequest] { await state.requests }

    /// The commit status requests so far (token requests left out).
    public func statusRequests() async -> [FakeForgeRequest] {
        await state.requests.filter { ["github", "gitlab", "bitbucket"].contains($0.api ?? "") }
    }

    /// Lets `authorization` (the whole header value, e.g. `Bearer t`) read the repository API `path`
    /// (`/repos/o/r`, `/api/v4/projects/group%2Fproject`, `/2.0/repositories/w/s`).
    public func grantRead(path: String, authorization: String) async {
        await state.grantRead(path: path, authorization: authorization)
    }

    /// `GET /user/installations` with `authorization` lists `ids`.
    public func grantInstallations(_ ids: [Int64], authorization: String) async {
        await state.grantInstallations(ids, authorization: authorization)
    }

    /// The next `count` status requests are answered `status` with `headers` instead of 201.
    /// `GET /user/installations/{id}/repositories` with `authorization` lists `names` (a 404 for any
    /// installation not granted this way).
    public func grantInstallationRepositories(_ id: Int64, _ names: [String], authorization: String) async {
        await state.grantInstallationRepositories(id, names, authorization: authorization)
    }

    public func failNext(_ count: Int, status: Int = 500, headers: [String: String] = [:]) async {
        await state.script(count: count, status: status, headers: headers)
    }

    /// Polls the recorded requests until `condition` holds for them, up to `timeout`; returns the last
    /// set seen either way, so the caller's expectation shows what did arrive.
    @discardableResult
    public func awaitStatusRequests(
        timeout: Duration = .seconds(60), until condition: @Sendable ([FakeForgeRequest]) -> Bool
    ) async -> [FakeForgeRequest] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let seen = await statusRequests()
            if condition(seen) || ContinuousClock.now >= deadline { return seen }
            try? await Task.sleep(for: .milliseconds(25))
        }
    }

    public struct FakeForgeDidNotStart: Error, CustomStringConvertible {
        public var description: String { "the fake forge could not listen on 127.0.0.1" }
    }
}

/// The fake's recorded requests and scripted answers.
actor FakeForgeState {
    private(set) var requests: [FakeForgeRequest] = []
    private var scripted: [(status: Int, headers: [String: String])] = []
    private var issuedTokens = 0
    let tokenLifetime: TimeInterval
    let verifyAppJWT: @Sendable (String) async -> Bool

    init(tokenLifetime: TimeInterval, verifyAppJWT: @escaping @Sendable (String) async -> Bool) {
        self.tokenLifetime = tokenLifetime
        self.verifyAppJWT = verifyAppJWT
    }

    /// Repository API paths (`/repos/o/r`, `/api/v4/projects/<encoded>`, `/2.0/repositories/w/s`) and the
    /// `Authorization` values that may read them.
    private var readers: [String: Set<String>] = [:]
    /// `Authorization` value → the installation ids `GET /user/installations` lists for it.
    private var userInstallations: [String: [Int64]] = [:]

    func grantRead(path: String, authorization: String) {
        readers[path, default: []].insert(authorization)
    }

    func grantInstallations(_ ids: [Int64], authorization: String) {
        userInstallations[authorization] = ids
    }

    /// `Authorization` value → installation id → the repository names listed within it.
    private var installationRepositories: [String: [Int64: [String]]] = [:]

    func grantInstallationRepositories(_ id: Int64, _ names: [String], authorization: String) {
        installationRepositories[authorization, default: [:]][id] = names
    }

    /// The read endpoints: 200 for a granted token, 404 otherwise (as forges answer for private
    /// repositories a token cannot see); `/user/installations` 401 for a token it does not know.
    private func access(method: String, path: String, authorization: String?) -> (status: Int, headers: [String: String], body: String) {
        guard method == "GET", let authorization else { return (404, [:], #"{"message":"Not Found"}"#) }
        if path == "/user/installations" {
            guard let ids = userInstallations[authorization] else { return (401, [:], #"{"message":"Bad credentials"}"#) }
            let list = ids.map { #"{"id":\#($0),"account":{"login":"someone"}}"# }.joined(separator: ",")
            return (200, [:], #"{"total_count":\#(ids.count),"installations":[\#(list)]}"#)
        }
        let parts = path.split(separator: "/").map(String.init)
        if parts.count == 4, parts[0] == "user", parts[1] == "installations", parts[3] == "repositories", let id = Int64(parts[2]) {
            guard let names = installationRepositories[authorization]?[id] else { return (404, [:], #"{"message":"Not Found"}"#) }
            let list = names.map { #"{"full_name":"\#($0)"}"# }.joined(separator: ",")
            return (200, [:], #"{"total_count":\#(names.count),"repositories":[\#(list)]}"#)
        }
        if readers[path]?.contains(authorization) == true { return (200, [:], #"{"id":1}"#) }
        return (404, [:], #"{"message":"Not Found"}"#)
    }

    func script(count: Int, status: Int, headers: [String: String]) {
        scripted += Array(repeating: (status, headers), count: count)
    }

    func respond(to request: Request, maxBody: Int) async throws -> Response {
        let body = Array(try await request.body.collect(upTo: maxBody).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let method = request.method.rawValue
        let path = request.uri.path
        let api = FakeForgeContract.api(method: method, path: path)
        var record = FakeForgeRequest(method: method, path: path, headers: headers, body: body, api: api, answered: 404, violations: [])
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]

        let answer: (status: Int, headers: [String: String], body: String)
        switch api {
        case "app":
            answer = await issueToken(path: path, authorization: headers["authorization"])
        case .some(let forge):
            record.violations = FakeForgeContract.violations(api: forge, headers: headers, json: json)
            if !record.violations.isEmpty {
                answer = (422, [:], #"{"message":"Validation Failed"}"#)
            } else if !scripted.isEmpty {
                let next = scripted.removeFirst()
                answer = (next.status, next.headers, #"{"message":"scripted failure"}"#)
            } else {
                answer = (201, [:], "{}")
            }
        case nil:
            answer = access(method: method, path: path, authorization: headers["authorization"])
        }
        record.answered = answer.status
        requests.append(record)

        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        return Response(
            status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.body))
        )
    }

    private func issueToken(path: String, authorization: String?) async -> (status: Int, headers: [String: String], body: String) {
        guard let header = authorization, header.hasPrefix("Bearer "), await verifyAppJWT(String(header.dropFirst(7))) else {
            return (401, [:], #"{"message":"A JSON web token could not be decoded"}"#)
        }
        issuedTokens += 1
        let installation = path.split(separator: "/")[2]
        let formatter = ISO8601DateFormatter()
        let expires = formatter.string(from: Date().addingTimeInterval(tokenLifetime))
        return (201, [:], #"{"token":"ghs_fake_\#(installation)_\#(issuedTokens)","expires_at":"\#(expires)"}"#)
    }
}

import Foundation
import Testing
import Yams
@testable import FlowForgeServer

/// `docs/openapi.yaml` describes every API route the server registers, and nothing it does not.
///
/// Which routes the file must cover is one explicit rule (`OpenAPIRouteScope`): everything under `/api/`,
/// the health checks and the badges. Pages for people (`/`, `/dashboard/…`, `/docs/…`, the sign-in pages)
/// are HTML, not API, and stay out; `/v1/…` is the documented alias of `/api/v1/…` and is covered by it.
@Suite("OpenAPI reference")
struct OpenAPIRouteTests {
    @Test func everyRegisteredAPIRouteIsInTheFile() async throws {
        let registered = try await registeredRoutes()
        let documented = try OpenAPIFile.load().operations
        let required = Set(registered.compactMap(OpenAPIRouteScope.documentedAs))
        #expect(required.count > 40, "the router's routes were read: \(required.count)")
        let missing = required.subtracting(documented).sorted()
        #expect(missing.isEmpty, """
            docs/openapi.yaml lacks \(missing.count) route(s) the server registers; add an operation for each:
            \(missing.map { "  \($0)" }.joined(separator: "\n"))
            """)
    }

    @Test func everyOperationInTheFileIsARegisteredRoute() async throws {
        let registered = Set(try await registeredRoutes())
        let stale = try OpenAPIFile.load().operations.subtracting(registered).sorted()
        #expect(stale.isEmpty, """
            docs/openapi.yaml describes route(s) the server does not register; remove or correct them:
            \(stale.map { "  \($0)" }.joined(separator: "\n"))
            """)
    }

    @Test func aliasesAndPagesFollowTheScopeRule() {
        #expect(OpenAPIRouteScope.documentedAs(RouteKey(method: "GET", path: "/v1/pipelines/{id}"))
            == RouteKey(method: "GET", path: "/api/v1/pipelines/{id}"))
        #expect(OpenAPIRouteScope.documentedAs(RouteKey(method: "GET", path: "/badge/{repository_id}.svg")) != nil)
        #expect(OpenAPIRouteScope.documentedAs(RouteKey(method: "GET", path: "/healthz")) != nil)
        for page in ["/", "/dashboard", "/dashboard/pipelines/{id}", "/docs", "/docs/{page}", "/auth/login"] {
            #expect(OpenAPIRouteScope.documentedAs(RouteKey(method: "GET", path: page)) == nil, "\(page) is a page")
        }
    }

    /// `openapi-spec-validator` (PyPI; `scripts/ci/install-openapi-validator.sh` installs it) accepts the file.
    @Test func theFilePassesAnOpenAPI31Validator() throws {
        let validator = try #require(OpenAPIValidator.executable, """
            openapi-spec-validator is not installed: run scripts/ci/install-openapi-validator.sh \
            (or set OPENAPI_SPEC_VALIDATOR to its path)
            """)
        let (status, output) = try OpenAPIValidator.run(validator, on: OpenAPIFile.url)
        #expect(status == 0, "openapi-spec-validator refused docs/openapi.yaml:\n\(output)")
        #expect(output.contains("OK"), "\(output)")
    }

    /// The validator really validates: a file that breaks the 3.1 schema fails it.
    @Test func theValidatorRefusesABrokenFile() throws {
        let validator = try #require(OpenAPIValidator.executable)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: broken) }
        let text = try String(contentsOf: OpenAPIFile.url, encoding: .utf8)
            .replacingOccurrences(of: "  title: FlowForge API\n", with: "")
        try text.write(to: broken, atomically: true, encoding: .utf8)
        let (status, _) = try OpenAPIValidator.run(validator, on: broken)
        #expect(status != 0)
    }

    /// Every route of the real router (`buildRouter`, as `serve` mounts it), as method and OpenAPI-style path.
    func registeredRoutes() async throws -> [RouteKey] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flowforge-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try await TestDatabase.make(in: directory)
        let configuration = try AppConfiguration.fromEnvironment(baseTestEnvironment(directory: directory, databaseURL: database.url))
        let services = try await openServices(configuration: configuration, logger: nil)
        let routes = buildRouter(services: services, docs: try await DocsSite.load(logger: services.logger)).routes.map {
            // A catch-all (`**`, a name holding `/`) is one path parameter in OpenAPI: `{name}`.
            RouteKey(method: $0.method.rawValue, path: $0.path.description.replacingOccurrences(of: "/**", with: "/{name}"))
        }
        await services.database.shutdown()
        try await services.gitThreadPool.shutdownGracefully()
        await database.drop()
        return routes
    }
}

/// One operation: `GET /api/v1/pipelines/{id}`.
struct RouteKey: Hashable, Comparable, CustomStringConvertible {
    let method: String
    let path: String

    var description: String { "\(method) \(path)" }
    static func < (lhs: RouteKey, rhs: RouteKey) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
}

/// The rule for which registered routes `docs/openapi.yaml` must describe.
enum OpenAPIRouteScope {
    static let exactPaths: Set<String> = ["/healthz", "/readyz"]
    static let prefixes = ["/api/", "/badge/"]

    /// The operation that documents `route`, or nil when the route is a page (HTML for people), not API.
    static func documentedAs(_ route: RouteKey) -> RouteKey? {
        if route.path.hasPrefix("/v1/") { return RouteKey(method: route.method, path: "/api" + route.path) }
        if exactPaths.contains(route.path) || prefixes.contains(where: route.path.hasPrefix) { return route }
        return nil
    }
}

/// `docs/openapi.yaml` read from this checkout.
enum OpenAPIFile {
    static var url: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
    }

    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    static func load() throws -> (document: [String: Any], operations: Set<RouteKey>) {
        let document = try #require(try Yams.load(yaml: String(contentsOf: url, encoding: .utf8)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        var operations = Set<RouteKey>()
        for (path, value) in paths {
            var item = try #require(value as? [String: Any])
            if let reference = item["$ref"] as? String {
                let name = try #require(reference.split(separator: "/").last.map(String.init))
                let items = (document["components"] as? [String: Any])?["pathItems"] as? [String: Any]
                item = try #require(items?[name] as? [String: Any], "\(path): \(reference) does not resolve")
            }
            for method in methods where item[method] != nil { operations.insert(RouteKey(method: method.uppercased(), path: path)) }
        }
        return (document, operations)
    }
}

/// Runs the PyPI `openapi-spec-validator` command.
enum OpenAPIValidator {
    /// `OPENAPI_SPEC_VALIDATOR`, else the venv that `scripts/ci/install-openapi-validator.sh` makes under `.build/`.
    static var executable: URL? {
        if let path = ProcessInfo.processInfo.environment["OPENAPI_SPEC_VALIDATOR"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let venv = OpenAPIFile.url.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/openapi-validator/bin/openapi-spec-validator")
        return FileManager.default.isExecutableFile(atPath: venv.path) ? venv : nil
    }

    static func run(_ executable: URL, on file: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = [file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

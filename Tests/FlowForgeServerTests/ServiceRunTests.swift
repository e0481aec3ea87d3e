import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `services:` end to end: a flowforge.yml on the local git server, the real server and worker, real
/// containers, the log as the API serves it.
@Suite("services in Docker", .needsDocker, .dockerPrerequisites)
struct ServiceRunTests {
    func run(
        _ config: String, secrets: [[String: String]] = [],
        _ body: @escaping @Sendable (_ pipeline: [String: Any], _ log: String) throws -> Void
    ) async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("services")
        try repository.commit(["flowforge.yml": config])
        try await withTestApp(environment: pipelineEnvironment(["FLOWFORGE_SERVICE_READY_TIMEOUT": "30"])) { client, _ in
            let access = try await client.register().access
            let key = try await client.createAPIKey(access: access)
            for secret in secrets {
                let created = try await client.send(.post, "/api/user/secrets", token: access, json: secret)
                #expect(created.status == .created, "\(String(buffer: created.body))")
            }
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            try body(pipeline, try await client.logs(id, key: key))
            await awaitCleanedUp(id)
        }
    }

    /// The services example of docs/flowforge-yml.md, run as written (in the test image).
    @Test func theDocumentedServiceExampleRuns() async throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/flowforge-yml.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let example = try #require(text.components(separatedBy: "```yaml\n").dropFirst()
            .compactMap { $0.components(separatedBy: "```").first }
            .first { $0.contains("httpd -f -p 8080") })
        try await run(example.replacingOccurrences(of: "busybox:1.36", with: DockerTestPrerequisites.testImage)) { pipeline, log in
            #expect(pipeline["status"] as? String == "success", "\(pipeline)\n\(log)")
            #expect(steps(pipeline).map(\.name) == ["service web", "fetch"])
            #expect(steps(pipeline).map(\.status) == ["success", "success"])
            // The service's own standard environment reached it: the page names it.
            #expect(log.contains("\nhello from web\n"), "\(log)")
            let service = try #require(log.range(of: "==> step service web (success, exit code 0)\n"), "\(log)")
            let fetch = try #require(log.range(of: "==> step fetch (success, exit code 0)\n"), "\(log)")
            #expect(service.lowerBound < fetch.lowerBound, "the service's section opens the log")
        }
    }

    @Test func aServiceThatDiesFailsThePipelineAndItsSecretIsMasked() async throws {
        let config = """
            services:
              - name: db
                image: \(DockerTestPrerequisites.testImage)
                environment:
                  PASSWORD: {from_secret: db_password}
                commands:
                  - 'echo "db password $PASSWORD, pipeline $FLOWFORGE_PIPELINE_ID"'
                  - httpd -p 5432
                  - while [ ! -e /workspace/started ]; do sleep 0.1; done
                  - exit 4
                ports: [5432]
            steps:
              - name: test
                commands: [touch started, sleep 60]
            """
        try await run(config, secrets: [["name": "db_password", "value": "pa55-Word-77"]]) { pipeline, log in
            #expect(pipeline["status"] as? String == "failure", "\(pipeline)")
            #expect(pipeline["error"] as? String == """
                service db exited with code 4 before the steps ended; its output is in the log under "service db"
                """)
            #expect(steps(pipeline).map(\.name) == ["service db", "test"])
            #expect(log.contains("==> step service db (failure, exit code 4)\n"), "\(log)")
            #expect(log.contains("db password ********, pipeline \(pipeline["id"] as? String ?? "?")\n"), "\(log)")
            #expect(!log.contains("pa55"), "\(log)")
        }
    }
}

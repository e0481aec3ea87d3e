import FlowForgeTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `depends_on`, `failure: ignore`, `when.status` and `matrix` end to end: a flowforge.yml on the local
/// git server, the real server and workers, real containers.
@Suite("pipeline graphs in Docker", .needsDocker, .dockerPrerequisites)
struct PipelineGraphRunTests {
    /// A step that marks its start, then waits (bounded) for `other`'s mark: it passes only if both run
    /// at the same time.
    static func meeting(_ name: String, _ other: String) -> String {
        """
          - name: \(name)
            depends_on: []
            commands:
              - touch started-\(name)
              - i=0; while [ ! -e started-\(other) ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
              - test -e started-\(other)
              - touch done-\(name)
        """
    }

    func run(_ config: String, _ body: @escaping @Sendable (_ pipeline: [String: Any], _ log: String) throws -> Void) async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("graph")
        try repository.commit(["flowforge.yml": config])
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            let pipeline = try await client.awaitPipeline(id, key: key)
            try body(pipeline, try await client.logs(id, key: key))
            await awaitCleanedUp(id)
        }
    }

    @Test func independentStepsOverlapAndAJoinWaitsForBoth() async throws {
        try await run("""
            steps:
            \(Self.meeting("left", "right"))
            \(Self.meeting("right", "left"))
              - name: join
                depends_on: [left, right]
                commands: ["test -e done-left && test -e done-right && echo joined"]
            """) { pipeline, log in
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(steps(pipeline).map(\.status) == ["success", "success", "success"])
            #expect(log.contains("joined"))
        }
    }

    @Test func aCycleIsRefusedNamingIt() async throws {
        try await run("""
            steps:
              - { name: build, commands: [make], depends_on: [test] }
              - { name: test, commands: [make test] }
            """) { pipeline, _ in
            #expect(pipeline["status"] as? String == "error")
            #expect((pipeline["error"] as? String)?.contains("cycle (build → test → build)") == true, "\(pipeline)")
        }
    }

    @Test func ignoredFailuresAndStatusConditions() async throws {
        try await run("""
            steps:
              - { name: flaky, commands: ["exit 1"], failure: ignore }
              - { name: test, commands: ["exit 2"] }
              - { name: deploy, commands: ["echo deploying"] }
              - { name: notify, commands: ["echo the build failed"], when: { status: [failure] } }
              - { name: cleanup, commands: ["echo cleaning up"], when: { status: [success, failure] } }
            """) { pipeline, log in
            #expect(pipeline["status"] as? String == "failure", "\(pipeline)")
            #expect((pipeline["error"] as? String)?.contains("step test exited with code 2") == true, "\(pipeline)")
            let ran = steps(pipeline)
            #expect(ran.map(\.name) == ["flaky", "test", "deploy", "notify", "cleanup"])
            #expect(ran.map(\.status) == ["failure", "failure", "skipped", "success", "success"], "\(ran)")
            #expect(log.contains("the build failed") && log.contains("cleaning up") && !log.contains("deploying\n"))
        }
        try await run("""
            steps:
              - { name: flaky, commands: ["exit 1"], failure: ignore }
              - { name: test, commands: ["echo tested"] }
              - { name: notify, commands: ["echo never"], when: { status: failure } }
            """) { pipeline, _ in
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            #expect(steps(pipeline).map(\.status) == ["failure", "success", "skipped"])
        }
    }

    @Test func twoByTwoMatrixRunsFourChains() async throws {
        try await run("""
            matrix:
              LANG: [en, fr]
              SIZE: [s, l]
            steps:
              - name: build
                commands: ['echo "build $LANG-$SIZE" > out-$LANG-$SIZE']
              - name: test
                commands: ['test "$(cat out-$LANG-$SIZE)" = "build $LANG-$SIZE"', 'test "$LANG-$SIZE" != fr-l']
            """) { pipeline, log in
            #expect(pipeline["status"] as? String == "failure", "\(pipeline)")
            let ran = steps(pipeline)
            #expect(Set(ran.map(\.name)) == [
                "build (LANG=en, SIZE=s)", "test (LANG=en, SIZE=s)", "build (LANG=en, SIZE=l)", "test (LANG=en, SIZE=l)",
                "build (LANG=fr, SIZE=s)", "test (LANG=fr, SIZE=s)", "build (LANG=fr, SIZE=l)", "test (LANG=fr, SIZE=l)",
            ])
            let failed = ran.filter { $0.status == "failure" }.map(\.name)
            #expect(failed == ["test (LANG=fr, SIZE=l)"], "\(ran)")
            #expect(ran.filter { $0.status == "success" }.count == 7)
        }
    }

    /// The standard-environment example of docs/flowforge-yml.md, run as written (in the test image).
    @Test func theDocumentedEnvironmentExampleRuns() async throws {
        let docs = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/flowforge-yml.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let example = try #require(text.components(separatedBy: "```yaml\n").dropFirst()
            .compactMap { $0.components(separatedBy: "```").first }
            .first { $0.contains("where-am-i") })
        try await run(example.replacingOccurrences(of: "alpine:3.20", with: DockerTestPrerequisites.testImage)) { pipeline, log in
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            let sha = pipeline["commit_sha"] as? String ?? "?"
            let url = pipeline["repo_url"] as? String ?? "?"
            #expect(log.contains("\n\(url) at \(sha) (api)\n"), "\(log)")
        }
    }
}

import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `cache:` end to end: real containers write a cached folder, the next pipeline finds it; another account
/// running the same repository never does; a new branch starts from the default branch's cache.
@Suite("caches in Docker", .needsDocker, .dockerPrerequisites)
struct CacheRunTests {
    static let config = """
        cache: [.cache]
        steps:
          - name: build
            commands:
              - if [ -f .cache/n ]; then echo "found count $(cat .cache/n)"; else echo "cold start"; fi
              - n=$(cat .cache/n 2>/dev/null || echo 0); mkdir -p .cache/deps; echo $((n+1)) > .cache/n; echo dep > .cache/deps/lib.txt
        """

    @Test func aCacheIsRestoredOnTheNextRunAndNeverAcrossAccounts() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("cached")
        try repository.commit(["flowforge.yml": Self.config])
        try repository.commit(["feature.txt": "x", "flowforge.yml": Self.config], branch: "feature")
        let url = try #require(repository.httpURL)
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            func run(_ key: String, branch: String = "main") async throws -> String {
                let id = try await client.createPipeline(key: key, ["repo_url": url, "branch": branch])
                let pipeline = try await client.awaitPipeline(id, key: key)
                #expect(pipeline["status"] as? String == "success", "\(pipeline)")
                return try await client.logs(id, key: key)
            }
            let first = try await run(key)
            #expect(first.contains("cold start"), "\(first)")
            #expect(!first.contains("cache restored"))
            #expect(first.contains("==> cache saved"), "\(first)")

            let second = try await run(key)
            #expect(second.contains("==> cache restored from main ("), "\(second)")
            #expect(second.contains("found count 1"), "\(second)")

            // Same repository, another account: its pipelines start cold.
            let stranger = try await client.createAPIKey(access: try await client.register().access)
            let theirs = try await run(stranger)
            #expect(!theirs.contains("cache restored") && !theirs.contains("found count 2"), "\(theirs)")

            // A branch without a cache of its own starts from the default branch's.
            let feature = try await run(key, branch: "feature")
            #expect(feature.contains("==> cache restored from main ("), "\(feature)")
            #expect(feature.contains("found count 2"), "\(feature)")
            let again = try await run(key, branch: "feature")
            #expect(again.contains("==> cache restored from feature ("), "\(again)")
            #expect(again.contains("found count 3"), "\(again)")
        }
    }

    @Test func aFailedPipelineSavesNoCache() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("cached-failure")
        try repository.commit(["flowforge.yml": """
            cache: [.cache]
            steps:
              - name: build
                commands: ["mkdir -p .cache && echo x > .cache/data", "exit 3"]
            """])
        let url = try #require(repository.httpURL)
        try await withTestApp(environment: pipelineEnvironment()) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            for _ in 0..<2 {
                let id = try await client.createPipeline(key: key, ["repo_url": url, "branch": "main"])
                #expect(try await client.awaitPipeline(id, key: key)["status"] as? String == "failure")
                let log = try await client.logs(id, key: key)
                #expect(!log.contains("cache saved") && !log.contains("cache restored"), "\(log)")
            }
        }
    }

    @Test func aHostileCacheArchiveWritesNothingOutsideTheWorkspace() async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("cached-hostile")
        try repository.commit(["flowforge.yml": Self.config])
        let url = try #require(repository.httpURL)
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let first = try await client.createPipeline(key: key, ["repo_url": url, "branch": "main"])
            #expect(try await client.awaitPipeline(first, key: key)["status"] as? String == "success")
            // Swap the saved archive for one whose entries climb out of the workspace.
            let caches = configuration.dataDirectory.appendingPathComponent("artifacts/caches")
            let account = try #require(try FileManager.default.contentsOfDirectory(atPath: caches.path).first)
            let object = try #require(try FileManager.default.contentsOfDirectory(atPath: caches.appendingPathComponent(account).path).first)
            let archive = caches.appendingPathComponent("\(account)/\(object)").path
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", "-c", """
                import io, sys, tarfile
                with tarfile.open(sys.argv[1], "w:gz") as t:
                    for name in ["../../escaped", ".cache/../../../escaped-too"]:
                        info = tarfile.TarInfo(name); info.size = 4
                        t.addfile(info, io.BytesIO(b"evil"))
                """, archive]
            try python.run()
            python.waitUntilExit()
            #expect(python.terminationStatus == 0)

            let second = try await client.createPipeline(key: key, ["repo_url": url, "branch": "main"])
            #expect(try await client.awaitPipeline(second, key: key)["status"] as? String == "success", "a bad cache does not fail the build")
            let log = try await client.logs(second, key: key)
            #expect(log.contains("==> cache not restored:") && log.contains("\"..\""), "\(log)")
            #expect(log.contains("cold start"), "\(log)")
            for path in ["escaped", "escaped-too", "workspaces/escaped", "workspaces/escaped-too"] {
                #expect(!FileManager.default.fileExists(atPath: configuration.dataDirectory.appendingPathComponent(path).path), "\(path)")
            }
        }
    }
}

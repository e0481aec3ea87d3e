import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// Artifacts and caches are the server's, not a backend's: the same pipeline keeps them on the local backend.
@Suite("artifacts on the local backend")
struct LocalBackendArtifactTests {
    @Test func artifactsAndTheCacheWorkWithLocalProcesses() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-local-artifacts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "local-artifacts.git", root: root)
        try repository.commit(["flowforge.yml": """
            cache: [.cache]
            steps:
              - name: build
                commands:
                  - cat .cache/seen 2>/dev/null || true
                  - mkdir -p out .cache && printf local > out/result.txt && echo seen-$((1+1)) > .cache/seen
                  - ln -s /etc/hostname out/host-link
                artifacts: out
            """])
        try await withTestApp(environment: ["FLOWFORGE_BACKEND": "local", "DOCKER_HOST": "unix:///nonexistent/docker.sock"]) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            var logs: [String] = []
            for _ in 0..<2 {
                let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
                let pipeline = try await client.awaitPipeline(id, key: key)
                #expect(pipeline["status"] as? String == "success", "\(pipeline)")
                let list = try json(try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts", token: key))
                #expect((list["artifacts"] as? [[String: Any]])?.map { $0["name"] as? String } == ["out/result.txt"], "\(list)")
                let file = try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts/out/result.txt", token: key)
                #expect(String(buffer: file.body) == "local")
                logs.append(try await client.logs(id, key: key))
            }
            // The command lines may be echoed; only the cached file's content says "seen-2".
            #expect(!logs[0].contains("seen-2") && logs[1].contains("seen-2"), "\(logs)")
            #expect(logs[1].contains("==> cache restored from main ("), "\(logs[1])")
        }
    }
}

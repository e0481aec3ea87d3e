import Crypto
import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `artifacts:` end to end: a flowforge.yml on the local git server, the real server and workers, real
/// containers writing files into the workspace, the API listing and streaming them back.
@Suite("artifacts in Docker", .needsDocker, .dockerPrerequisites)
struct ArtifactRunTests {
    static let building = """
        steps:
          - name: build
            commands:
              - mkdir -p dist/sub
              - printf 'hello artifact' > dist/app.txt
              - head -c 300000 /dev/urandom > dist/sub/blob.bin
              - sha256sum dist/sub/blob.bin | cut -d' ' -f1 > blob.sha256
              - ln -s /etc/passwd dist/passwd-link
              - ln -s /etc dist/etc-link
            artifacts: [dist, blob.sha256]
          - name: test
            commands: ["cat dist/app.txt"]
        """

    /// Runs `config` as a new account's pipeline; `body` gets the client, the account's key and the pipeline.
    func run(
        _ config: String, environment: [String: String] = [:],
        _ body: @escaping @Sendable (any TestClientProtocol, String, [String: Any]) async throws -> Void
    ) async throws {
        let server = try GitTestServer()
        defer { server.stop() }
        let repository = try server.makeRepository("artifacts")
        try repository.commit(["flowforge.yml": config])
        try await withTestApp(environment: pipelineEnvironment(environment)) { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let id = try await client.createPipeline(key: key, ["repo_url": try #require(repository.httpURL), "branch": "main"])
            try await body(client, key, try await client.awaitPipeline(id, key: key))
        }
    }

    @Test func filesAreListedAndDownloadedWithTheirHashAndLinksAreNotFollowed() async throws {
        try await run(Self.building) { client, key, pipeline in
            let id = try #require(pipeline["id"] as? String)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            let list = try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts", token: key)
            #expect(list.status == .ok)
            let artifacts = try #require(try json(list)["artifacts"] as? [[String: Any]])
            #expect(artifacts.map { $0["name"] as? String } == ["blob.sha256", "dist/app.txt", "dist/sub/blob.bin"], "no link is stored: \(artifacts)")
            #expect(artifacts.allSatisfy { $0["step"] as? String == "build" })
            #expect(Set(artifacts.first!.keys) == ["name", "size", "sha256", "step"])

            let text = try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts/dist/app.txt", token: key)
            #expect(text.status == .ok)
            #expect(String(buffer: text.body) == "hello artifact")
            #expect(text.headers[.contentType] == "application/octet-stream")
            #expect(text.headers[.contentLength] == "14")
            #expect(text.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"app.txt\"") == true)

            let blob = try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts/dist/sub/blob.bin", token: key)
            let bytes = Data(buffer: blob.body)
            #expect(bytes.count == 300_000)
            let digest = Data(SHA256.hash(data: bytes)).map { String(format: "%02x", $0) }.joined()
            let listed = artifacts.first { $0["name"] as? String == "dist/sub/blob.bin" }
            #expect(listed?["sha256"] as? String == digest)
            #expect(listed?["size"] as? Int == 300_000)
            // The container's own sha256sum of the file it wrote agrees with what was stored and served.
            let inContainer = try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts/blob.sha256", token: key)
            #expect(String(buffer: inContainer.body).trimmingCharacters(in: .whitespacesAndNewlines) == digest)

            let log = try await client.logs(id, key: key)
            #expect(log.contains("artifact dist/passwd-link is a symbolic link; links are not followed"), "\(log)")
            #expect(log.contains("artifacts: stored 3 files"), "\(log)")
            let missing = try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts/dist/passwd-link", token: key)
            #expect(missing.status == .notFound)
            #expect(try errorCode(missing) == "not_found")

            // Another account sees neither the list nor a file: the pipeline does not exist for it.
            let other = try await client.createAPIKey(access: try await client.register().access)
            for path in ["artifacts", "artifacts/dist/app.txt"] {
                let response = try await client.send(.get, "/api/v1/pipelines/\(id)/\(path)", token: other)
                #expect(response.status == .notFound, "\(path)")
                #expect(try errorCode(response) == "not_found")
            }
        }
    }

    @Test func aPatternReachingOutsideTheWorkspaceIsAConfigError() async throws {
        try await run("""
            steps:
              - name: build
                commands: [echo hi]
                artifacts: [dist, ../../etc/passwd]
            """) { _, _, pipeline in
            #expect(pipeline["status"] as? String == "error", "\(pipeline)")
            let error = try #require(pipeline["error"] as? String)
            #expect(error.contains("`../../etc/passwd`") && error.contains("outside the workspace"), "\(error)")
        }
    }

    @Test func artifactsPastThePlansQuotaAreNotStoredAndTheLogSaysSo() async throws {
        let plans = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString).yml")
        try """
            plans:
              - {id: free, name: Free, price: 0, pipeline_runs: 10, compute_minutes: 10, concurrent_builds: 1, storage: {artifacts: 1k, cache: 1k}}
            """.write(to: plans, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: plans) }
        try await run("""
            steps:
              - name: small
                commands: ["head -c 600 /dev/zero > small.bin"]
                artifacts: small.bin
              - name: big
                commands: ["head -c 600 /dev/zero > big.bin"]
                artifacts: big.bin
            """, environment: ["FLOWFORGE_PLANS_FILE": plans.path]) { client, key, pipeline in
            let id = try #require(pipeline["id"] as? String)
            #expect(pipeline["status"] as? String == "success", "the step itself does not fail: \(pipeline)")
            let artifacts = try #require(try json(try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts", token: key))["artifacts"] as? [[String: Any]])
            #expect(artifacts.map { $0["name"] as? String } == ["small.bin"])
            let log = try await client.logs(id, key: key)
            #expect(log.contains("artifacts not stored: they take 600 bytes, and the account already keeps 600 of the plan's 1024 bytes"), "\(log)")
        }
    }

    @Test func withABucketConfiguredArtifactsAreStoredInIt() async throws {
        let moto = try await MotoServer()
        let bucket = try await S3ArtifactStoreTests.bucket(on: moto)
        try await run("""
            steps:
              - name: build
                commands: ["printf 'in the bucket' > out.txt"]
                artifacts: out.txt
            """, environment: [
                "DO_SPACES_KEY": bucket.accessKey, "DO_SPACES_SECRET": bucket.secretKey, "DO_SPACES_BUCKET": bucket.bucket,
                "DO_SPACES_REGION": bucket.region, "DO_SPACES_ENDPOINT": bucket.endpoint,
            ]) { client, key, pipeline in
            let id = try #require(pipeline["id"] as? String)
            #expect(pipeline["status"] as? String == "success", "\(pipeline)")
            let download = try await client.send(.get, "/api/v1/pipelines/\(id)/artifacts/out.txt", token: key)
            #expect(download.status == .ok)
            #expect(String(buffer: download.body) == "in the bucket")
            let listing = try await S3ArtifactStoreTests.listObjects(bucket)
            #expect(listing.contains("<Key>artifacts/\(id)/"), "\(listing)")
        }
    }
}

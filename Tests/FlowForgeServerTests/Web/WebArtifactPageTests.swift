import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// The pipeline page lists the artifacts a real pipeline kept (local backend, real git repository) and
/// downloads them through the session; nobody else reaches them.
@Suite("web: pipeline artifacts")
struct WebArtifactPageTests {
    @Test func thePipelinePageListsArtifactsAndDownloadsThemForItsOwnerOnly() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-web-artifacts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "web-artifacts.git", root: root)
        try repository.commit(["flowforge.yml": """
            steps:
              - name: package
                commands:
                  - mkdir -p out && printf 'kept bytes' > 'out/build report.txt'
                artifacts: out
            """])
        try await withTestApp(environment: ["FLOWFORGE_BACKEND": "local", "DOCKER_HOST": "unix:///nonexistent/docker.sock"]) { client, _ in
            let owner = WebBrowserClient(client)
            _ = try await owner.register(email: "artifacts@example.com")
            let key = try #require(try await WebPageTests.newKey(owner))
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let ended = try await client.awaitPipeline(id, key: key)
            #expect(ended["status"] as? String == "success", "\(ended)")

            let page = try await owner.get("/dashboard/pipelines/\(id)")
            #expect(page.status == .ok)
            let link = "/dashboard/pipelines/\(id)/artifacts/out/build%20report.txt"
            #expect(page.html.contains("<a href=\"\(link)\" download>out/build report.txt</a>"), "\(page.html)")
            #expect(page.html.contains("<td>10 B</td><td>package</td>"))

            let download = try await owner.get(link)
            #expect(download.status == .ok)
            #expect(String(buffer: download.body) == "kept bytes")
            #expect(download.headers[.contentLength] == "10")
            #expect(download.headers[.contentDisposition]?.contains("filename=\"build report.txt\"") == true)

            let stranger = WebBrowserClient(client)
            _ = try await stranger.register(email: "stranger@example.com")
            #expect(try await stranger.get(link).status == .notFound)
            #expect(try await stranger.get("/dashboard/pipelines/\(id)").status == .notFound)
            #expect(try await owner.get("/dashboard/pipelines/\(id)/artifacts/out/missing.txt").status == .notFound)

            let signedOut = try await WebBrowserClient(client).get(link)
            #expect(signedOut.status == .seeOther)
            #expect(signedOut.location?.hasPrefix("/auth/login") == true, "\(String(describing: signedOut.location))")
        }
    }
}

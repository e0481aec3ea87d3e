import FlowForgeTestSupport
import Foundation
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// `image: {dockerfile: …}` and `.dockerfile` uploads: images built by the real dockerd from the workspace,
/// cached by their content per account.
@Suite("custom environments", .needsDocker, .dockerPrerequisites)
struct CustomEnvironmentTests {
    /// The RUN line writes a value that differs on every build, so a step reading it tells a rebuilt image
    /// from a reused one.
    static let dockerfile = """
        FROM \(DockerTestPrerequisites.testImage)
        RUN echo "built-$(cat /proc/sys/kernel/random/uuid)" > /built && echo running-the-build
        COPY ci/greeting.txt /greeting.txt
        COPY . /context

        """
    static let pipelineFile = """
        image: {dockerfile: ci/Dockerfile}
        steps:
          - name: show
            commands: ["cat /greeting.txt /built", "test -e /context/flowforge.yml && test ! -e /context/secrets && test ! -e /context/.git && echo context-without-secrets"]

        """

    /// A registered account on `plan`, with an API key.
    static func account(_ client: some TestClientProtocol, _ configuration: AppConfiguration, plan: String) async throws -> (key: String, userID: String) {
        let registered = try await client.register()
        if plan != "free" { try await setPlan(configuration, userID: registered.userID, plan: plan) }
        return (try await client.createAPIKey(access: registered.access), registered.userID)
    }

    static func stepLog(_ client: some TestClientProtocol, _ id: String, _ step: String, key: String) async throws -> String {
        let name = step.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? step
        return String(buffer: try await client.send(.get, "/api/v1/pipelines/\(id)/steps/\(name)/logs", token: key).body)
    }

    static func removeImages(of userID: String) {
        let repository = CustomEnvironments.repository(account: userID)
        for tag in DockerTestPrerequisites.tags(inRepository: repository) { DockerTestPrerequisites.removeImage(tag) }
    }

    @Test func aDockerfileEnvironmentIsBuiltOnceAndReusedOnTheNextRun() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "env.git", root: root)
        try repository.commit([
            "flowforge.yml": Self.pipelineFile, "ci/Dockerfile": Self.dockerfile, "ci/greeting.txt": "hello from the custom image\n",
            ".dockerignore": "secrets\n", "secrets/token.txt": "not for the image\n",
        ])
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let (key, userID) = try await Self.account(client, configuration, plan: "pro")
            defer { Self.removeImages(of: userID) }

            let first = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let firstRun = try await client.awaitPipeline(first, key: key)
            #expect(firstRun["status"] as? String == "success", "\(firstRun)")
            #expect(steps(firstRun).map { $0.name } == ["build ci/Dockerfile", "show"])
            #expect(steps(firstRun).map { $0.status } == ["success", "success"])
            // The whole log: a step name with a `/` does not fit in a URL path segment.
            let build = try await client.logs(first, key: key)
            #expect(build.contains("Step 1/") && build.contains("running-the-build"), "the build's output is the step's log:\n\(build)")
            let tag = try #require(build.firstMatch(of: /as (flowforge-env\/[a-z0-9-]+:[0-9a-f]{64})/)?.1).description
            #expect(tag.hasPrefix("flowforge-env/\(userID):"), "the image is the account's own: \(tag)")
            let image = try #require(DockerTestPrerequisites.inspectImage(tag), "no image \(tag)")
            #expect(((image["Config"] as? [String: Any])?["Labels"] as? [String: String])?["flowforge.account"] == userID)
            let firstLog = try await client.logs(first, key: key)
            #expect(firstLog.contains("hello from the custom image"), "\(firstLog)")
            let built = try #require(firstLog.firstMatch(of: /built-[0-9a-f-]{36}/)?.0).description

            // The context leaves out what .dockerignore says.
            #expect(firstLog.contains("context-without-secrets"), "\(firstLog)")

            // The same content again: nothing is built, and the step runs in the very same image.
            let second = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let secondRun = try await client.awaitPipeline(second, key: key)
            #expect(secondRun["status"] as? String == "success", "\(secondRun)")
            let reused = try await client.logs(second, key: key)
            #expect(!reused.contains("Step 1/") && !reused.contains("running-the-build"), "built again:\n\(reused)")
            #expect(reused.contains("Using \(tag) (\(image["Id"] as? String ?? "?"))"), "\(reused)")
            #expect(try await client.logs(second, key: key).contains(built), "the second run saw another image")
        }
    }

    @Test func aFailedBuildEndsInErrorWithItsOutput() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "env.git", root: root)
        try repository.commit([
            "flowforge.yml": "steps:\n  - name: never\n    image: {dockerfile: Dockerfile}\n    commands: [\"echo the-step-ran\"]\n",
            "Dockerfile": "FROM \(DockerTestPrerequisites.testImage)\nRUN echo about-to-fail && exit 7\n",
        ])
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let (key, userID) = try await Self.account(client, configuration, plan: "enterprise")
            defer { Self.removeImages(of: userID) }
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let run = try await client.awaitPipeline(id, key: key)
            #expect(run["status"] as? String == "error", "\(run)")
            let error = run["error"] as? String ?? ""
            #expect(error.contains("the custom environment Dockerfile did not build") && error.contains("returned a non-zero code: 7"), "\(error)")
            #expect(steps(run).first.map { [$0.name, $0.status] } == ["build Dockerfile", "failure"], "\(steps(run))")
            let log = try await client.logs(id, key: key)
            #expect(log.contains("about-to-fail") && !log.contains("the-step-ran"), "\(log)")
        }
    }

    @Test func aFreeAccountIsToldToUpgrade() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "env.git", root: root)
        try repository.commit(["flowforge.yml": Self.pipelineFile, "ci/Dockerfile": Self.dockerfile, "ci/greeting.txt": "hi\n"])
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let (key, userID) = try await Self.account(client, configuration, plan: "free")
            let upload = try await PipelineUploadTests.upload(
                client, key: key, fields: [("commands", "true")], fileName: "env.dockerfile", file: Array(Self.dockerfile.utf8))
            #expect(upload.status.code == 402, "\(String(buffer: upload.body))")
            #expect(try errorCode(upload) == "plan_upgrade_required")
            #expect(String(buffer: upload.body).contains("upgrade to Pro"), "\(String(buffer: upload.body))")

            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let run = try await client.awaitPipeline(id, key: key)
            #expect(run["status"] as? String == "error")
            #expect((run["error"] as? String ?? "").contains("not part of the Free plan; to build your own image, upgrade to Pro"), "\(run)")
            #expect(DockerTestPrerequisites.tags(inRepository: CustomEnvironments.repository(account: userID)).isEmpty, "nothing was built")
        }
    }

    @Test func aDockerfileUploadIsTheEnvironmentAndAccountsDoNotShareImages() async throws {
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let uploaded = Array("FROM \(DockerTestPrerequisites.testImage)\nRUN echo \"layer-$(cat /proc/sys/kernel/random/uuid)\" > /marker\n".utf8)
            var markers: [String] = []
            var tags: [String] = []
            var accounts: [String] = []
            // Both accounts' images stay until the end: the second build could otherwise not reuse the first's.
            defer { accounts.forEach(Self.removeImages(of:)) }
            for _ in 0..<2 {
                let (key, userID) = try await Self.account(client, configuration, plan: "pro")
                accounts.append(userID)
                let created = try await PipelineUploadTests.upload(
                    client, key: key, fields: [("commands", "cat /marker")], fileName: "ci.dockerfile", file: uploaded)
                #expect(created.status == .created, "\(String(buffer: created.body))")
                let id = try #require(try json(created)["id"] as? String)
                let run = try await client.awaitPipeline(id, key: key)
                #expect(run["status"] as? String == "success", "\(run)")
                #expect(steps(run).map { $0.name } == ["build Dockerfile", "run"])
                let build = try await Self.stepLog(client, id, "build Dockerfile", key: key)
                // The second account builds the same Dockerfile from scratch: no layer of the first's is reused.
                #expect(build.contains("Step 2/") && !build.contains("Using cache"), "\(build)")
                tags.append(contentsOf: DockerTestPrerequisites.tags(inRepository: CustomEnvironments.repository(account: userID)))
                markers.append(try #require(try await client.logs(id, key: key).firstMatch(of: /layer-[0-9a-f-]{36}/)?.0).description)

                let missing = try await PipelineUploadTests.upload(client, key: key, fileName: "ci.dockerfile", file: uploaded)
                #expect(missing.status == .unprocessableContent && String(buffer: missing.body).contains("commands"))
            }
            #expect(tags.count == 2 && Set(tags.map { $0.split(separator: ":")[0] }).count == 2, "\(tags)")
            #expect(markers[0] != markers[1], "the second account ran the first one's layer")

            // A third account can neither build FROM the first one's image nor run it as a step's image.
            let (key, userID) = try await Self.account(client, configuration, plan: "pro")
            accounts.append(userID)
            let foreign = try #require(tags.first)
            let from = try await PipelineUploadTests.upload(
                client, key: key, fields: [("commands", "true")], fileName: "x.dockerfile", file: Array("FROM \(foreign)\n".utf8))
            let fromRun = try await client.awaitPipeline(try #require(try json(from)["id"] as? String), key: key)
            #expect(fromRun["status"] as? String == "error" && (fromRun["error"] as? String ?? "").contains("another account's environment"), "\(fromRun)")
            let file = "steps:\n  - name: borrow\n    image: \(foreign)\n    commands: [\"true\"]\n"
            let archive = try PipelineUploadTests.archive("""
                with tarfile.open(out, "w:gz") as t:
                    data = \(String(reflecting: file)).encode(); info = tarfile.TarInfo("flowforge.yml"); info.size = len(data); t.addfile(info, io.BytesIO(data))
                """)
            let borrow = try await PipelineUploadTests.upload(client, key: key, fileName: "borrow.tar.gz", file: archive)
            let borrowRun = try await client.awaitPipeline(try #require(try json(borrow)["id"] as? String), key: key)
            #expect(borrowRun["status"] as? String == "error" && (borrowRun["error"] as? String ?? "").contains("FlowForge-built environment"), "\(borrowRun)")
        }
    }

    /// The example of docs/flowforge-yml.md, its `FROM` swapped for the local test image (no registry here).
    @Test func theDocumentedExampleRuns() async throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/flowforge-yml.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## Custom environments").dropFirst().first)
        let yaml = try #require(section.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        let dockerfile = try #require(section.components(separatedBy: "```dockerfile\n").dropFirst().first?.components(separatedBy: "```").first)
        #expect(dockerfile.contains("FROM alpine:3.20"))
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ff-env-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let repository = try GitTestRepository(name: "docs.git", root: root)
        try repository.commit([
            "flowforge.yml": yaml, "ci/test.sh": "echo tests-passed\n",
            "ci/Dockerfile": dockerfile.replacingOccurrences(of: "FROM alpine:3.20", with: "FROM \(DockerTestPrerequisites.testImage)"),
        ])
        try await withTestApp(environment: pipelineEnvironment()) { client, configuration in
            let (key, userID) = try await Self.account(client, configuration, plan: "pro")
            defer { Self.removeImages(of: userID) }
            let id = try await client.createPipeline(key: key, ["repo_url": repository.fileURL])
            let run = try await client.awaitPipeline(id, key: key)
            #expect(run["status"] as? String == "success", "\(run)")
            let log = try await client.logs(id, key: key)
            #expect(log.contains("toolchain 1.0") && log.contains("tests-passed"), "\(log)")
        }
    }
}

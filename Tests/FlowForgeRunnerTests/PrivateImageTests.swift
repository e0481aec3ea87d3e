import FlowForgeCore
import Foundation
import Logging
import Testing

@testable import FlowForgeRunner

/// An image pulled with one account's `image_pull_secret` stays in the daemon's cache; another account's
/// step naming it must not run it without credentials of its own. And credentials go only to their own
/// registry. Runs against the fake Engine endpoint of `ImagePullAuthTests`.
@Suite("private images")
struct PrivateImageTests {
    static let auth = #"{"username":"ci","password":"pass-word-1","serveraddress":"https://registry.example.com/v1/"}"#
    static let image = "registry.example.com/team/private:1.0"

    func run(_ engine: FakeEngine, image: String, secret: String?) async -> RunOutcome {
        let backend = DockerBackend(
            host: "tcp://127.0.0.1:\(engine.port)", network: "none", podImage: "pod-image:1",
            httpClient: .shared, logger: Logger(label: "test.private-image"))
        let step = PlanStep(name: "build", image: image, commands: ["true"], imagePullSecret: secret == nil ? nil : "registry")
        var request = RunRequest(
            pipelineID: "private-\(UUID().uuidString.lowercased())", plan: Plan(steps: [step]), workspace: "/nonexistent",
            timeout: .seconds(30))
        if let secret { request.secrets = ["registry": secret] }
        return await backend.run(request, observer: RecordingObserver())
    }

    func message(_ outcome: RunOutcome) -> String {
        if case .error(let text) = outcome { return text }
        return "\(outcome)"
    }

    @Test func anotherAccountsStepCannotRunACachedPrivateImage() async throws {
        let engine = try FakeEngine()
        defer { engine.stop() }
        // Account A pulls with credentials; the fake refuses the step container, so the run ends after it.
        #expect(message(await run(engine, image: Self.image, secret: Self.auth)).contains("creates no step containers"))
        let afterA = engine.requests().count
        // Account B names the same image without credentials: it is pulled again, which the registry refuses.
        let b = message(await run(engine, image: Self.image, secret: nil))
        #expect(b.contains("needs image_pull_secret"), "\(b) \(engine.requests().map { "\($0.method) \($0.path)" })")
        #expect(!b.contains("creates no step containers"), "no container is created from the cached image: \(b)")
        let pullsB = engine.requests().dropFirst(afterA).filter { $0.path.contains("/images/create") }
        #expect(pullsB.count == 1 && pullsB.allSatisfy { $0.registryAuth == nil }, "\(pullsB)")
        // Account C with its own credentials: pulled again with C's, then runs.
        let authC = #"{"username":"other","password":"pass-word-2","serveraddress":"registry.example.com"}"#
        let afterB = engine.requests().count
        #expect(message(await run(engine, image: Self.image, secret: authC)).contains("creates no step containers"))
        let pullsC = engine.requests().dropFirst(afterB).filter { $0.path.contains("/images/create") }
        #expect(pullsC.map(\.registryAuth) == [DockerClient.registryAuthHeader(authC)], "\(pullsC)")
    }

    @Test func aPublicImagePresentLocallyIsNotPulled() async throws {
        let engine = try FakeEngine()
        defer { engine.stop() }
        let publicImage = "registry.example.com/team/tool:1.0"
        _ = await run(engine, image: publicImage, secret: nil)
        let after = engine.requests().count
        #expect(message(await run(engine, image: publicImage, secret: nil)).contains("creates no step containers"))
        #expect(engine.requests().dropFirst(after).filter { $0.path.contains("/images/create") }.isEmpty)
    }

    @Test func credentialsGoOnlyToTheirOwnRegistry() async throws {
        let engine = try FakeEngine()
        defer { engine.stop() }
        // The secret is for registry.example.com; the step's image lives elsewhere: anonymous pull.
        _ = await run(engine, image: "attacker.example.net/team/tool:1.0", secret: Self.auth)
        _ = await run(engine, image: "registry.example.com:5000/team/tool:1.0", secret: Self.auth)
        _ = await run(engine, image: "alpine:3.20", secret: Self.auth)
        #expect(engine.requests().allSatisfy { $0.registryAuth == nil }, "\(engine.requests())")
        _ = await run(engine, image: "registry.example.com/team/tool:1.0", secret: Self.auth)
        #expect(engine.requests().filter { $0.registryAuth != nil }.count == 1)
    }

    @Test func dockerHubsNamesAreOneRegistry() throws {
        let hub = try ImageReference.parse("team/tool:1")
        for address in ["docker.io", "https://index.docker.io/v1/", "registry-1.docker.io", "INDEX.DOCKER.IO"] {
            let auth = #"{"username":"u","password":"p","serveraddress":"\#(address)"}"#
            #expect(RegistryAuth.credentials(auth, for: hub) == auth, "\(address)")
            #expect(RegistryAuth.credentials(auth, for: try ImageReference.parse("docker.io/team/tool:1")) == auth)
            #expect(RegistryAuth.credentials(auth, for: try ImageReference.parse("ghcr.io/team/tool:1")) == nil)
        }
        #expect(RegistryAuth.credentials(#"{"username":"u","password":"p"}"#, for: hub) == nil, "no serveraddress: no credentials")
    }
}

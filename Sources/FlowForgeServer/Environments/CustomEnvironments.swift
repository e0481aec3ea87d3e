import Crypto
import FlowForgeArchive
import FlowForgeCore
import FlowForgeRunner
import Foundation
import Logging
import NIOPosix

/// Builds a plan's custom environments (`image: {dockerfile: …}`, `.dockerfile` uploads) before its steps
/// run, and names the built images in the plan.
///
/// The build context is the workspace, packed without following links and without what `.dockerignore`
/// leaves out. Its image is tagged `flowforge-env/<account>:<sha256 of the context and Dockerfile path>`:
/// the same content in the same account is built once and found again by that tag; another account never
/// gets it, and a build takes cached layers only from its own account's images (`ImageBuild.cacheFrom`).
/// Each Dockerfile is one extra step of the run (`stepName`), whose log is the build's output.
struct CustomEnvironments: Sendable {
    let builder: any ImageBuilder
    /// Where contexts are packed; each file is removed after its build.
    let scratch: URL
    let limits: StepLimits
    let timeout: Duration
    let logger: Logger

    struct Failure: Error {
        let text: String
    }

    /// The image repository of an account's environments: its id when that is a valid image name
    /// component (FlowForge's ids are lower-case UUIDs), else a digest of it.
    static func repository(account: String) -> String {
        let valid = !account.isEmpty && account.count <= 64 && ImageReference.isValidPathComponent(account)
        return "flowforge-env/" + (valid ? account : String(hex(SHA256.hash(data: Data(account.utf8))).prefix(32)))
    }

    /// The run's step that builds `dockerfile`; renamed when the plan already has a step of that name.
    static func stepName(_ dockerfile: String, in plan: Plan) -> String {
        let name = "build \(dockerfile)"
        return plan.steps.contains { $0.name == name } ? name + " (environment)" : name
    }

    /// Builds (or finds) each Dockerfile's image; returns Dockerfile path → image tag, or why the run ends
    /// `error` (the build's output is in its step's log).
    func prepare(_ plan: Plan, account: String, workspace: URL, observer: some RunObserver) async -> Swift.Result<[String: String], Failure> {
        var images: [String: String] = [:]
        for dockerfile in plan.dockerfiles {
            let step = Self.stepName(dockerfile, in: plan)
            await observer.stepStarted(step, at: Date())
            let outcome = await image(for: dockerfile, account: account, workspace: workspace) { bytes in
                await observer.stepOutput(step, bytes)
            }
            switch outcome {
            case .success(let tag):
                await observer.stepFinished(step, exitCode: 0, at: Date())
                images[dockerfile] = tag
            case .failure(let failure):
                await observer.stepOutput(step, Array((failure.text + "\n").utf8))
                await observer.stepFinished(step, exitCode: 1, at: Date())
                return .failure(Failure(text: "the custom environment \(dockerfile) did not build: \(failure.text) (the log of step `\(step)` has the build's output)"))
            }
        }
        return .success(images)
    }

    private func image(
        for dockerfile: String, account: String, workspace: URL, output: @escaping @Sendable ([UInt8]) async -> Void
    ) async -> Swift.Result<String, Failure> {
        let context = scratch.appendingPathComponent("\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: context) }
        let packed: (digest: String, text: String?)
        do {
            packed = try await NIOThreadPool.singleton.runIfActive { [scratch] in
                try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
                try Self.pack(workspace, dockerfile: dockerfile, into: context)
                return (try Self.digest(of: context, dockerfile: dockerfile), Self.readDockerfile(dockerfile, in: workspace))
            }
        } catch {
            if Task.isCancelled { return .failure(Failure(text: "stopped")) }
            return .failure(Failure(text: "its build context could not be packed: \(error)"))
        }
        let repository = Self.repository(account: account)
        let tag = "\(repository):\(packed.digest)"
        var metadata: Logger.Metadata = ["dockerfile": "\(dockerfile)", "image": "\(tag)"]
        do {
            if let text = packed.text, let problem = try await baseProblem(text, account: account) { return .failure(Failure(text: problem)) }
            if let id = try await builder.imageID(of: tag) {
                logger.info("custom environment found", metadata: metadata)
                await output(Array("Using \(tag) (\(id)), built before from the same content; not building it again.\n".utf8))
                return .success(tag)
            }
            // Only this account's own images may lend layers: a cache shared with other accounts would let
            // one account's build hand another what it put in a layer.
            let cacheFrom = Array(try await builder.tags(inRepository: repository).suffix(50))
            await output(Array("Building \(dockerfile) as \(tag)\n".utf8))
            let build = ImageBuild(
                contextFile: context.path, dockerfile: dockerfile, tag: tag,
                labels: ["flowforge.account": account, "flowforge.dockerfile": dockerfile],
                cacheFrom: cacheFrom, limits: limits, timeout: timeout)
            let id = try await builder.build(build, output: output)
            metadata["image_id"] = "\(id)"
            logger.info("custom environment built", metadata: metadata)
            await output(Array("Built \(tag) (\(id)).\n".utf8))
            return .success(tag)
        } catch let error as ImageBuildError {
            return .failure(Failure(text: error.description))
        } catch {
            if Task.isCancelled { return .failure(Failure(text: "stopped")) }
            logger.warning("custom environment build failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return .failure(Failure(text: "\(error)"))
        }
    }

    /// Blocking: the workspace as a tar, without `.git` and what its `.dockerignore` leaves out (the
    /// Dockerfile and the `.dockerignore` always go in, as the Docker CLI sends them).
    static func pack(_ workspace: URL, dockerfile: String, into file: URL) throws {
        var ignore = DockerIgnore("")
        if case .text(let text) = ConfigFileReader.readBlocking(".dockerignore", in: workspace) { ignore = DockerIgnore(text) }
        let keeping: Set<String> = [dockerfile, ".dockerignore"]
        try DirectoryArchive.write(root: workspace.path, to: file.path) { path, isDirectory in
            // `.git` differs between two checkouts of one commit (its index, its fetched refs): left out, the
            // context is the commit's files, and the same commit finds its image again.
            if path == ".git" { return .exclude }
            return ignore.decision(path, isDirectory: isDirectory, keeping: keeping)
        }
    }

    /// Blocking: SHA-256 of the Dockerfile's path and the context's bytes, in hex.
    static func digest(of file: URL, dockerfile: String) throws -> String {
        var hasher = SHA256()
        hasher.update(data: Data("flowforge-env-v1\0\(dockerfile)\0".utf8))
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

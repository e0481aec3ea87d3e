import FlowForgeCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension CustomEnvironments {
    /// The repository prefix of every account's environments.
    static let repositoryPrefix = "flowforge-env/"

    /// Whether `image` names an account's built environment, which only that account's own builds may use.
    /// Docker Hub's names count too: the daemon takes `docker.io/flowforge-env/…` for the local image.
    static func isEnvironmentImage(_ image: String) -> Bool {
        guard let reference = try? ImageReference.parse(image) else { return false }
        let hub = reference.registry == nil || ["docker.io", "index.docker.io", "registry-1.docker.io"].contains(reference.registry ?? "")
        return hub && reference.path.hasPrefix(repositoryPrefix)
    }

    /// A step's `image:` naming a built environment: refused, so no account runs another's by its tag.
    static func reservedImageProblem(_ image: String, step: String) -> String? {
        guard isEnvironmentImage(image) else { return nil }
        return "step `\(step)`: image `\(image)` is a FlowForge-built environment; build your own with `image: {dockerfile: path}`"
    }

    /// Why the Dockerfile may not be built: a base that is another account's environment, a private image
    /// pulled with someone's credentials (the build would not ask the registry), or one FlowForge cannot
    /// tell. Nil when every base may be used.
    func baseProblem(_ text: String, account: String) async throws -> String? {
        let own = Self.repository(account: account)
        for base in DockerfileBases.bases(of: text) {
            switch base {
            case .unresolved(let written):
                return "its `FROM \(written)` uses a variable with no default before the first FROM; FlowForge passes no build arguments, so give the ARG a default"
            case .image(let name):
                guard let reference = try? ImageReference.parse(name) else { continue }  // the builder says what is wrong
                if Self.isEnvironmentImage(name) && reference.path != own {
                    return "its `FROM \(name)` names another account's environment; start from a public image"
                }
                if try await builder.isPrivateImage(name) {
                    return "its `FROM \(name)` is a private image; custom environments start only from public or local images"
                }
            }
        }
        return nil
    }

    /// Blocking: the Dockerfile's text, read through the workspace's folders without following a link;
    /// nil when it is not a regular file of at most 1 MiB (the builder then says it cannot find it).
    static func readDockerfile(_ path: String, in workspace: URL) -> String? {
        var folder = open(workspace.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard folder >= 0 else { return nil }
        let components = path.split(separator: "/").map(String.init)
        for component in components.dropLast() {
            let next = openat(folder, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            close(folder)
            guard next >= 0 else { return nil }
            folder = next
        }
        defer { close(folder) }
        guard let name = components.last else { return nil }
        switch ConfigFileReader.readBlocking(name, inFolder: folder) {
        case .text(let text): return text
        case .missing, .refused: return nil
        }
    }
}

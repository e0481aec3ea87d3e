import Yams

/// What `image:` says: an image reference to run, or a Dockerfile of the workspace to build and run.
enum ImageSetting: Equatable {
    case reference(String)
    case dockerfile(String)
}

extension ConfigReader {
    /// `image: alpine:3.20` or `image: {dockerfile: path}`. The path is checked here (`DockerfilePath`),
    /// so that a file pointing outside its workspace fails at its line, before anything is checked out.
    func image(_ node: Node, path: String) throws(ConfigError) -> ImageSetting {
        guard case .mapping = node else { return .reference(try string(node, path: path)) }
        var dockerfile: String?
        for (_, _, value) in try entries(node, path: path, known: ["dockerfile"]) {
            let written = try string(value, path: "\(path).dockerfile")
            if let problem = DockerfilePath.problem(with: written) {
                throw error(value, "\(path).dockerfile \(problem)")
            }
            dockerfile = DockerfilePath.normalized(written)
        }
        guard let dockerfile else {
            throw error(node, "\(path) is a mapping without `dockerfile`; write `image: {dockerfile: Dockerfile}` to build one, or name an image like alpine:3.20")
        }
        return .dockerfile(dockerfile)
    }
}

/// A Dockerfile's path inside the workspace, as `image: {dockerfile: …}` names it. The workspace is the
/// build context, so the path must stay inside it: relative, without `..`, without control characters.
public enum DockerfilePath {
    public static let maxLength = 255

    /// Why `path` cannot name a Dockerfile of the workspace (completing "image.dockerfile …"), or nil.
    public static func problem(with path: String) -> String? {
        if path.trimmingWhitespace().isEmpty { return "is empty; name the Dockerfile's path in the repository, like Dockerfile or ci/Dockerfile" }
        if path.count > maxLength { return "is longer than \(maxLength) characters" }
        if path.hasPrefix("/") { return "`\(path)` is an absolute path; name it relative to the repository's root, like ci/Dockerfile" }
        if path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "contains a control character such as a line break"
        }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
            return "`\(path)` contains `..`; the Dockerfile must be inside the repository, which is the build context"
        }
        if path.hasSuffix("/") || normalized(path).isEmpty { return "`\(path)` names a folder; name the Dockerfile itself, like ci/Dockerfile" }
        return nil
    }

    /// `./ci//Dockerfile` as `ci/Dockerfile`.
    public static func normalized(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }
}

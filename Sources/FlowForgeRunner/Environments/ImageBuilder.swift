import FlowForgeCore

/// Builds custom environments: images from a Dockerfile and its build context (`image: {dockerfile: …}`).
///
/// Contract:
/// - `imageID(of:)` answers whether the host holds an image of that tag (its id) or not (nil); it throws only
///   when the host cannot be asked. Safe to call any time.
/// - `build` sends the context and returns the new image's id once it is tagged. It never pulls a base image
///   the host already has (`pull=0`), builds on the backend's own network, takes cached layers only from the
///   images named in `ImageBuild.cacheFrom` (none: no cache at all, so nothing built for someone else is
///   reused), and hands each piece of the builder's output to `output` as it comes. A Dockerfile that fails
///   throws `ImageBuildError.failed` with the builder's message; an unreachable host throws other errors.
///   Cancelling the calling task stops the build. Calling it twice for one tag builds twice (the last wins).
public protocol ImageBuilder: Sendable {
    func imageID(of tag: String) async throws -> String?
    func build(_ build: ImageBuild, output: @escaping @Sendable ([UInt8]) async -> Void) async throws -> String
    /// Whether the host holds `image` as pulled with some account's registry credentials: a build must not
    /// start `FROM` it, since the build never pulls a base the host has (and so never asks the registry).
    func isPrivateImage(_ image: String) async throws -> Bool
    /// Tags of the host's images in `repository` (`flowforge-env/<account>`), for `ImageBuild.cacheFrom`.
    func tags(inRepository repository: String) async throws -> [String]
}

/// One image to build.
public struct ImageBuild: Sendable {
    /// An uncompressed tar file: the build context.
    public var contextFile: String
    /// The Dockerfile's path inside the context.
    public var dockerfile: String
    /// `repository:tag` the image gets.
    public var tag: String
    public var labels: [String: String]
    /// Images whose layers the build may reuse; empty: it reuses none.
    public var cacheFrom: [String]
    /// What the build's containers may use (memory and CPU of the plan's steps).
    public var limits: StepLimits
    /// Longest the build may take.
    public var timeout: Duration

    public init(contextFile: String, dockerfile: String, tag: String, labels: [String: String], cacheFrom: [String], limits: StepLimits, timeout: Duration) {
        self.contextFile = contextFile
        self.dockerfile = dockerfile
        self.tag = tag
        self.labels = labels
        self.cacheFrom = cacheFrom
        self.limits = limits
        self.timeout = timeout
    }
}

public enum ImageBuildError: Error, CustomStringConvertible, Sendable {
    /// The Dockerfile did not build; the builder's own message (the log holds the rest).
    case failed(String)
    /// This backend builds no images (the local backend).
    case unsupported(String)

    public var description: String {
        switch self {
        case .failed(let message): message
        case .unsupported(let message): message
        }
    }
}

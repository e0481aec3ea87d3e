/// Custom environments on the Docker host: the backend's own daemon builds them, on the pods' network.
extension DockerBackend: ImageBuilder {
    public func imageID(of tag: String) async throws -> String? {
        try await client().imageID(of: tag)
    }

    public func build(_ build: ImageBuild, output: @escaping @Sendable ([UInt8]) async -> Void) async throws -> String {
        try await client().build(build, network: network, output: output)
    }

    public func isPrivateImage(_ image: String) async throws -> Bool {
        if case .present(_, isPrivate: true) = try await client().localImage(image) { return true }
        return false
    }

    public func tags(inRepository repository: String) async throws -> [String] {
        try await client().tags(inRepository: repository)
    }
}

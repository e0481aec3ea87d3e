import FlowForgeCore

/// Decides which registries a pipeline's images may come from. The daemon pulls with the host's network, so
/// an image named `127.0.0.1:5000/x` or `metadata.internal/x` would make it call a service of FlowForge's
/// own network: registries on loopback, private, link-local or other special-purpose addresses are refused
/// unless `FLOWFORGE_ALLOW_LOCAL_REGISTRIES` is set (self-hosters with a registry on their LAN). Names
/// without a registry are on Docker Hub and always allowed.
///
/// The daemon resolves the name again when it pulls; operators who need that closed too give dockerd no
/// route to those networks (see docs/step-network.md).
struct ImageRegistryPolicy: Sendable {
    let allowLocal: Bool

    /// Nil when `image` may be pulled; otherwise what is wrong, in the words of a pipeline error.
    func problem(with image: String, step: String) async -> String? {
        await problem(with: image, owner: "step \(step)")
    }

    /// `problem(with:step:)` for an image used by `owner` ("step build", "service db").
    func problem(with image: String, owner: String) async -> String? {
        let reference: ImageReference
        do {
            reference = try ImageReference.parse(image)
        } catch {
            return "\(owner): image \"\(image)\" is not a valid image reference: \(error.reason)"
        }
        guard !allowLocal, let host = reference.registryHost else { return nil }
        let addresses: [String]
        if IPAddressClass.ipv4(host) != nil || IPAddressClass.ipv6(host) != nil {
            addresses = [host]
        } else {
            addresses = (try? await RepositoryURLPolicy.resolve(host)) ?? []
        }
        guard !addresses.isEmpty else {
            return "\(owner): the registry host \(host) of image \"\(image)\" does not resolve; check the image name"
        }
        if let blocked = addresses.first(where: { !IPAddressClass.isPublic($0) }) {
            return "\(owner): the registry host \(host) of image \"\(image)\" is at \(blocked), a loopback, private, "
                + "link-local or other special-purpose address, which FlowForge does not pull from; use a public registry "
                + "(a self-hosted FlowForge with a registry on its own network can allow it with FLOWFORGE_ALLOW_LOCAL_REGISTRIES=true)"
        }
        return nil
    }
}

import FlowForgeCore
import Foundation

/// To which registry an `image_pull_secret` belongs: the `serveraddress` of its auth JSON. The daemon would
/// send the credentials to whatever registry the image names, so FlowForge passes them on only when that
/// registry is the secret's own; for any other image the pull is anonymous.
enum RegistryAuth {
    /// Docker Hub's names; an image without a registry component is on Docker Hub too.
    static let dockerHub = "docker.io"
    static let dockerHubAliases: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io"]

    /// `auth` when its `serveraddress` is the registry of `image`, else nil (also when it has none).
    static func credentials(_ auth: String, for image: ImageReference) -> String? {
        struct Document: Decodable { var serveraddress: String? }
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(auth.utf8)),
            let address = document.serveraddress.flatMap(normalised)
        else { return nil }
        return address == registry(of: image) ? auth : nil
    }

    /// The registry of an image as `host[:port]`, lowercased, Docker Hub as `docker.io`.
    static func registry(of image: ImageReference) -> String {
        guard let registry = image.registry?.lowercased() else { return dockerHub }
        return dockerHubAliases.contains(registry) ? dockerHub : registry
    }

    /// `https://index.docker.io/v1/` → `docker.io`, `Registry.Example.com:5000/` → `registry.example.com:5000`:
    /// without scheme, path and case; Docker Hub's aliases as one. Nil when nothing is left.
    static func normalised(_ address: String) -> String? {
        var text = Substring(address.trimmingCharacters(in: .whitespacesAndNewlines).lowercased())
        if let scheme = text.range(of: "://") { text = text[scheme.upperBound...] }
        if let slash = text.firstIndex(of: "/") { text = text[..<slash] }
        guard !text.isEmpty else { return nil }
        let host = String(text)
        if dockerHubAliases.contains(host) || dockerHubAliases.contains(host.replacingOccurrences(of: ":443", with: "")) {
            return dockerHub
        }
        return host
    }
}

import Foundation

/// Which local images came from a pull with credentials ("private" images).
///
/// The daemon's image cache is shared by every account: once one account's `image_pull_secret` has pulled
/// an image, it is present for everyone, and "present, so no pull" would hand it to accounts that have no
/// access at the registry. The mark is kept in the daemon itself, as an extra tag
/// `flowforge-private:<image id hex>` on the pulled image: it lives exactly as long as the cached image,
/// survives a FlowForge restart, is shared by servers on the same daemon, and covers every other name
/// (tag or digest) that resolves to the same image id.
extension DockerClient {
    /// The repository of the marker tags. A step that names it gets a private image and must pull it.
    static let privateMarkerRepository = "flowforge-private"

    /// What the daemon holds under a name: nothing, a public/local image, or one pulled with credentials.
    enum LocalImage: Equatable {
        case absent
        case present(id: String, isPrivate: Bool)
    }

    func localImage(_ image: String) async throws -> LocalImage {
        struct Inspect: Decodable {
            var Id: String
            var RepoTags: [String]?
        }
        let reference = try Self.validReference(image)
        let response = try await send(.GET, "/images/\(Self.pathSegment(reference.pullReference))/json", accepting: [404])
        guard response.status.code == 200 else { return .absent }
        let inspect = try decode(Inspect.self, from: response)
        let marker = Self.privateMarkerRepository + ":"
        return .present(id: inspect.Id, isPrivate: (inspect.RepoTags ?? []).contains { $0.hasPrefix(marker) })
    }

    /// Marks the image now under `image` as pulled with credentials (see the type's comment).
    func markPrivate(_ image: String) async throws {
        guard case .present(let id, _) = try await localImage(image) else { return }
        // An id is `sha256:<64 hex>`; a tag holds at most 128 of [A-Za-z0-9_.-].
        let tag = String(id.split(separator: ":").last ?? Substring(id)).filter { $0.isLetter || $0.isNumber }.prefix(128)
        let reference = try Self.validReference(image)
        _ = try await send(
            .POST, "/images/\(Self.pathSegment(reference.pullReference))/tag",
            query: [("repo", Self.privateMarkerRepository), ("tag", String(tag))])
    }
}

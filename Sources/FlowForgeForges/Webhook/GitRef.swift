/// A pushed git ref, classified the way pipelines care about it.
enum GitRef: Equatable {
    case branch(String)
    case tag(String)

    /// `refs/heads/x` is a branch, `refs/tags/x` a tag; anything else (notes, custom refs) is nil.
    init?(_ ref: String) {
        if ref.hasPrefix("refs/heads/"), ref.count > "refs/heads/".count {
            self = .branch(String(ref.dropFirst("refs/heads/".count)))
        } else if ref.hasPrefix("refs/tags/"), ref.count > "refs/tags/".count {
            self = .tag(String(ref.dropFirst("refs/tags/".count)))
        } else {
            return nil
        }
    }

    /// The `Trigger.event` for a push of this ref.
    var event: String {
        switch self {
        case .branch: return "push"
        case .tag: return "tag"
        }
    }

    var name: String {
        switch self {
        case let .branch(name), let .tag(name): return name
        }
    }

    /// What `WebhookOutcome.ignored` says when this ref was deleted.
    var deletedReason: String {
        switch self {
        case let .branch(name): return "branch deleted: \(name)"
        case let .tag(name): return "tag deleted: \(name)"
        }
    }

    /// Forges send an all-zero object id as the new value of a deleted ref.
    static func isZeroSHA(_ sha: String?) -> Bool {
        guard let sha, !sha.isEmpty else { return false }
        return sha.allSatisfy { $0 == "0" }
    }
}

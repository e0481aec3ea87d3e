/// The few fields of Bitbucket Cloud's webhook payloads FlowForge reads
/// (https://support.atlassian.com/bitbucket-cloud/docs/event-payloads/), all optional.
extension BitbucketForge {
    struct Repository: Decodable {
        enum CodingKeys: String, CodingKey {
            case fullName = "full_name"
        }
        var fullName: String?
    }

    /// A user as Bitbucket embeds it; commit authors wrap one in `user` next to the `raw` git author.
    struct Account: Decodable {
        enum CodingKeys: String, CodingKey {
            case displayName = "display_name"
            case nickname
        }
        var displayName: String?
        var nickname: String?
    }

    struct Author: Decodable {
        enum CodingKeys: String, CodingKey {
            case raw
            case user
            case displayName = "display_name"
        }
        var raw: String?
        var user: Account?
        var displayName: String?

        var name: String? { user?.displayName ?? displayName ?? raw }
    }

    struct Commit: Decodable {
        var hash: String?
        var message: String?
        var author: Author?
    }

    struct RepositoryEnvelope: Decodable {
        var repository: Repository?
    }

    struct PushPayload: Decodable {
        struct Ref: Decodable {
            /// `branch`, `tag` or `annotated_tag`.
            var type: String?
            var name: String?
            var target: Commit?
        }
        struct Change: Decodable {
            /// null when the ref was deleted.
            var new: Ref?
            var old: Ref?
        }
        struct Push: Decodable {
            var changes: [Change]?
        }
        var push: Push?
        var repository: Repository?
    }

    struct PullRequestPayload: Decodable {
        struct Endpoint: Decodable {
            struct Branch: Decodable {
                var name: String?
            }
            var branch: Branch?
            /// Abbreviated (12 hex digits) in webhook payloads.
            var commit: Commit?
            var repository: Repository?
        }
        struct PullRequest: Decodable {
            var id: Int?
            var title: String?
            var author: Account?
            var source: Endpoint?
            var destination: Endpoint?
        }
        var pullrequest: PullRequest?
        var repository: Repository?
    }
}

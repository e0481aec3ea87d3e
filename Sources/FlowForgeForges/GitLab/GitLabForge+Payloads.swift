/// The few fields of GitLab's webhook payloads FlowForge reads
/// (https://docs.gitlab.com/user/project/integrations/webhook_events/), all optional: GitLab omits
/// several of them on older versions, and `parse` decides what each event requires.
extension GitLabForge {
    struct Project: Decodable {
        enum CodingKeys: String, CodingKey {
            case id
            case pathWithNamespace = "path_with_namespace"
            case gitHttpUrl = "git_http_url"
            case httpUrl = "http_url"
            case defaultBranch = "default_branch"
        }
        var id: Int64?
        var pathWithNamespace: String?
        var gitHttpUrl: String?
        var httpUrl: String?
        var defaultBranch: String?

        /// GitLab has sent the HTTP clone URL under both names over the years.
        var cloneURL: String? { gitHttpUrl ?? httpUrl }
    }

    struct Commit: Decodable {
        struct Author: Decodable {
            var name: String?
        }
        var id: String?
        var message: String?
        var author: Author?
        var added: [String]?
        var modified: [String]?
        var removed: [String]?
    }

    struct ProjectEnvelope: Decodable {
        var project: Project?
    }

    struct PushPayload: Decodable {
        enum CodingKeys: String, CodingKey {
            case ref
            case after
            case checkoutSha = "checkout_sha"
            case userName = "user_name"
            case project
            case commits
            case totalCommitsCount = "total_commits_count"
        }
        var ref: String?
        var after: String?
        /// The commit the ref points to; for an annotated tag `after` is the tag object instead.
        var checkoutSha: String?
        var userName: String?
        var project: Project?
        var commits: [Commit]?
        /// All commits of the push; `commits` holds at most 20 of them.
        var totalCommitsCount: Int?
    }

    struct MergeRequestPayload: Decodable {
        enum CodingKeys: String, CodingKey {
            case user
            case project
            case objectAttributes = "object_attributes"
        }
        struct User: Decodable {
            var name: String?
        }
        struct Attributes: Decodable {
            enum CodingKeys: String, CodingKey {
                case iid
                case sourceProjectId = "source_project_id"
                case targetProjectId = "target_project_id"
                case action
                case title
                case sourceBranch = "source_branch"
                case targetBranch = "target_branch"
                case oldrev
                case lastCommit = "last_commit"
                case source
                case target
            }
            var iid: Int?
            var sourceProjectId: Int64?
            var targetProjectId: Int64?
            var action: String?
            var title: String?
            var sourceBranch: String?
            var targetBranch: String?
            /// Present on `update` only when new commits were pushed.
            var oldrev: String?
            var lastCommit: Commit?
            var source: Project?
            var target: Project?
        }
        var user: User?
        var project: Project?
        var objectAttributes: Attributes?
    }
}

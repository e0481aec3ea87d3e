/// The few fields of GitHub's webhook payloads FlowForge reads
/// (https://docs.github.com/en/webhooks/webhook-events-and-payloads). Everything is optional so an
/// absent or null field decodes, and `parse` decides which ones are required for the event at hand.
extension GitHubForge {
    struct Repository: Decodable {
        enum CodingKeys: String, CodingKey {
            case fullName = "full_name"
            case cloneUrl = "clone_url"
            case defaultBranch = "default_branch"
        }
        var fullName: String?
        var cloneUrl: String?
        var defaultBranch: String?
    }

    struct Account: Decodable {
        var login: String?
    }

    struct Installation: Decodable {
        var id: Int64?
        var account: Account?
    }

    struct RepositoryEnvelope: Decodable {
        var repository: Repository?
    }

    struct PushPayload: Decodable {
        enum CodingKeys: String, CodingKey {
            case ref
            case after
            case deleted
            case headCommit = "head_commit"
            case commits
            case pusher
            case repository
            case installation
        }
        struct Commit: Decodable {
            struct Author: Decodable {
                var name: String?
                var username: String?
            }
            var id: String?
            var message: String?
            var author: Author?
            var added: [String]?
            var modified: [String]?
            var removed: [String]?
        }
        struct Pusher: Decodable {
            var name: String?
        }
        var ref: String?
        var after: String?
        var deleted: Bool?
        var headCommit: Commit?
        var commits: [Commit]?
        var pusher: Pusher?
        var repository: Repository?
        var installation: Installation?
    }

    struct PullRequestPayload: Decodable {
        enum CodingKeys: String, CodingKey {
            case action
            case number
            case pullRequest = "pull_request"
            case repository
            case installation
        }
        struct Branch: Decodable {
            var ref: String?
            var sha: String?
            var repo: Repository?
        }
        struct PullRequest: Decodable {
            var number: Int?
            var title: String?
            var user: Account?
            var head: Branch?
            var base: Branch?
        }
        var action: String?
        var number: Int?
        var pullRequest: PullRequest?
        var repository: Repository?
        var installation: Installation?
    }

    struct InstallationPayload: Decodable {
        enum CodingKeys: String, CodingKey {
            case action
            case installation
            case repositories
            case repositoriesAdded = "repositories_added"
            case repositoriesRemoved = "repositories_removed"
        }
        struct Listed: Decodable {
            enum CodingKeys: String, CodingKey {
                case fullName = "full_name"
            }
            var fullName: String?
        }
        var action: String?
        var installation: Installation?
        var repositories: [Listed]?
        var repositoriesAdded: [Listed]?
        var repositoriesRemoved: [Listed]?
    }
}

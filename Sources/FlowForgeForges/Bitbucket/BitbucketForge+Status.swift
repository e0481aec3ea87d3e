import Crypto

extension BitbucketForge {
    /// Bitbucket's build states.
    static func statusState(_ state: CommitStatusState) -> String {
        switch state {
        case .pending, .running: return "INPROGRESS"
        case .success: return "SUCCESSFUL"
        case .failure, .error: return "FAILED"
        // Bitbucket has no "skipped": STOPPED is its neutral state, never a pass.
        case .canceled, .skipped: return "STOPPED"
        }
    }

    struct StatusBody: Encodable {
        var key: String
        var state: String
        var name: String
        var url: String
        var description: String
    }

    /// Bitbucket identifies a build status by `key`, at most 40 characters.
    static let keyLimit = 40

    /// The status key for a context: the context itself when short enough; otherwise its start plus a
    /// hash of the whole, so two long contexts sharing a prefix still get different statuses.
    static func statusKey(for context: String) -> String {
        guard context.utf8.count > keyLimit else { return context }
        let digest = Hex.encode(SHA256.hash(data: Array(context.utf8)).prefix(6))
        return context.prefix(fittingUTF8Bytes: keyLimit - 1 - digest.count) + "-" + digest
    }

    /// `POST {api}/2.0/repositories/{workspace}/{slug}/commit/{sha}/statuses/build`
    /// (https://developer.atlassian.com/cloud/bitbucket/rest/api-group-commit-statuses/).
    /// `apiBaseURL` is `https://api.bitbucket.org`.
    public func statusRequest(for status: CommitStatus, apiBaseURL: String = "https://api.bitbucket.org") throws -> ForgeHTTPRequest {
        let (workspace, slug) = try StatusRequestBuilding.ownerAndName(status.repositoryFullName, provider: name)
        let sha = StatusRequestBuilding.pathSegment(status.sha)
        let url = "\(StatusRequestBuilding.base(apiBaseURL))/2.0/repositories/\(workspace)/\(slug)/commit/\(sha)/statuses/build"
        let body = StatusBody(
            key: Self.statusKey(for: status.context),
            state: Self.statusState(status.state),
            name: status.context,
            url: status.targetURL,
            description: status.description
        )
        return StatusRequestBuilding.post(url, json: body)
    }
}

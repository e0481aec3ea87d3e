import FlowForgeStore

/// The sealing purposes of a repository's secrets: each bound to the row's id, so a sealed value copied
/// to another repository does not open there.
extension ConnectedRepository {
    static func webhookSecretPurpose(id: String) -> String { "repositories.webhook_secret:\(id)" }
    static func accessTokenPurpose(id: String) -> String { "repositories.access_token:\(id)" }

    /// The webhook secret in the clear, as HMAC verification needs it.
    func webhookSecret(_ box: SecretBox) throws -> String {
        try box.open(webhookSecretSealed, purpose: Self.webhookSecretPurpose(id: id))
    }

    /// The forge access token in the clear, for cloning and commit statuses; nil when none was given.
    func accessToken(_ box: SecretBox) throws -> String? {
        try accessTokenSealed.map { try box.open($0, purpose: Self.accessTokenPurpose(id: id)) }
    }

}

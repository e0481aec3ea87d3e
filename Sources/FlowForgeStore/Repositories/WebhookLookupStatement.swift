import PostgresKit
import SQLKit

/// `connections(provider:fullName:)`'s query, which every webhook delivery runs: on PostgreSQL a named prepared
/// statement (parsed and planned once per connection), on SQLite the same query with its binds.
///
/// The columns are named, not `repositories.*`: a prepared statement whose result columns change (a migration
/// adding one, applied by another replica while this one runs) fails with "cached plan must not change result
/// type", where a fixed list keeps working.
struct WebhookLookupStatement: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static let name = "flowforge_webhook_lookup_v1"

    static let sql = selection + " WHERE r.provider = $1::text AND r.full_name = $2::text " + order

    /// The query before its condition on the provider and the name, and its order after it.
    static let selection = """
        SELECT r.id, r.user_id, r.provider, r.full_name, r.clone_url, r.webhook_secret_encrypted, r.access_token_encrypted,
               r.created_at, r.access_verified_at, r.auto_cancel, r.public_badge, r.default_branch, u.plan AS owner_plan
        FROM repositories r LEFT JOIN users u ON u.id = r.user_id
        """
    static let order = "ORDER BY r.created_at, r.id"

    let provider: String
    let key: String

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(provider)
        bindings.append(key)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

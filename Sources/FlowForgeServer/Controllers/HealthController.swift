import FlowForgeStore
import Hummingbird

/// `GET /healthz` answers while the process serves; `GET /readyz` only while the database answers too,
/// so a load balancer stops sending work to a replica that lost its database.
struct HealthController {
    let database: Database

    struct Health: ResponseEncodable {
        let status: String
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("healthz") { _, _ in Health(status: "ok") }
            .get("readyz") { _, _ in
                guard await database.ping() else {
                    throw APIError(.serviceUnavailable, code: "database_unavailable", message: "the database does not answer")
                }
                return Health(status: "ready")
            }
    }
}

import FlowForgeCore
import Hummingbird

/// A custom environment (`image: {dockerfile: …}`, a `.dockerfile` upload) asked for by an account whose
/// plan does not include "Custom Environments": which plan would, and how to move to it.
struct CustomEnvironmentRefusal: Error, Sendable {
    let plan: SubscriptionPlan
    let upgrade: SubscriptionPlan?

    init(plan: SubscriptionPlan, catalog: PlanCatalog) {
        self.plan = plan
        upgrade = catalog.cheapestPlan(granting: PlanCatalog.customEnvironments)
    }

    var message: String {
        var text = "custom environments (`image: {dockerfile: …}` and .dockerfile uploads) are not part of the \(plan.name) plan"
        if let upgrade {
            text += "; to build your own image, upgrade to \(upgrade.name) with POST /api/billing/subscribe {\"plan\": \"\(upgrade.id)\"}"
                + " (GET /api/billing/plans lists every plan), or name a ready image with `image:`"
        } else {
            text += "; no plan of this server includes them: name a ready image with `image:`"
        }
        return text
    }

    /// `402 {"error": {"code": "plan_upgrade_required", …}}` for the API.
    var apiError: APIError { APIError(.init(code: 402, reasonPhrase: "Payment Required"), code: "plan_upgrade_required", message: message) }
}

import FlowForgeCore
import Hummingbird

/// `GET /api/billing/plans`: the public catalog, no authentication.
struct PlansController {
    struct PlanView: Encodable {
        let id: String
        let name: String
        /// US dollars per month, as shown on the pricing page.
        let price: Double
        let currency = "usd"
        let interval = "month"
        /// `null` means unlimited.
        let pipelineRuns: Int?
        let computeMinutes: Int?
        let concurrentBuilds: Int
        let features: [String]

        init(_ plan: SubscriptionPlan) {
            id = plan.id
            name = plan.name
            price = Double(plan.priceCents) / 100
            pipelineRuns = plan.pipelineRuns
            computeMinutes = plan.computeMinutes
            concurrentBuilds = plan.concurrentBuilds
            features = plan.features
        }

        enum CodingKeys: String, CodingKey {
            case id, name, price, currency, interval, pipelineRuns, computeMinutes, concurrentBuilds, features
        }

        /// Written by hand so unlimited limits appear as explicit `null`s instead of missing keys.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(price, forKey: .price)
            try container.encode(currency, forKey: .currency)
            try container.encode(interval, forKey: .interval)
            try container.encode(pipelineRuns, forKey: .pipelineRuns)
            try container.encode(computeMinutes, forKey: .computeMinutes)
            try container.encode(concurrentBuilds, forKey: .concurrentBuilds)
            try container.encode(features, forKey: .features)
        }
    }

    struct Catalog: ResponseEncodable {
        let plans: [PlanView]
    }

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self)
            .get("plans") { _, _ in Catalog(plans: PlanCatalog.all.map(PlanView.init)) }
    }
}

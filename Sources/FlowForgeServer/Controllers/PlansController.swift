import FlowForgeCore
import Hummingbird

/// `GET /api/billing/plans`: the catalog (the product's, or the operator's `FLOWFORGE_PLANS_FILE`), no
/// authentication.
struct PlansController {
    let catalog: PlanCatalog

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
        let stepLimits: StepLimitsView
        /// What the account may keep: all its artifacts together, and one cache.
        let storage: StorageView

        init(_ plan: SubscriptionPlan) {
            id = plan.id
            name = plan.name
            price = Double(plan.priceCents) / 100
            pipelineRuns = plan.pipelineRuns
            computeMinutes = plan.computeMinutes
            concurrentBuilds = plan.concurrentBuilds
            features = plan.features
            stepLimits = StepLimitsView(plan.stepLimits)
            storage = StorageView(artifactBytes: plan.storage.artifactBytes, cacheBytes: plan.storage.cacheBytes)
        }

        enum CodingKeys: String, CodingKey {
            case id, name, price, currency, interval, pipelineRuns, computeMinutes, concurrentBuilds, features, stepLimits, storage
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
            try container.encode(stepLimits, forKey: .stepLimits)
            try container.encode(storage, forKey: .storage)
        }
    }

    /// `artifact_bytes` and `cache_bytes`.
    struct StorageView: Encodable {
        let artifactBytes: Int64
        let cacheBytes: Int64
    }

    /// What each step container gets: `memory_bytes`, `cpus` (may be fractional) and `pids`.
    struct StepLimitsView: Encodable {
        let memoryBytes: Int64
        let cpus: Double
        let pids: Int

        init(_ limits: PlanStepLimits) {
            memoryBytes = limits.memoryBytes
            cpus = Double(limits.nanoCPUs) / 1_000_000_000
            pids = limits.pids
        }
    }

    struct Catalog: ResponseEncodable {
        let plans: [PlanView]
    }

    var endpoints: RouteCollection<AppRequestContext> {
        let catalog = Catalog(plans: self.catalog.plans.map(PlanView.init))
        return RouteCollection(context: AppRequestContext.self)
            .get("plans") { _, _ in catalog }
    }
}

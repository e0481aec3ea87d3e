import FlowForgeCore
import FlowForgeStore

extension ConcurrentBuildLimits {
    /// Each plan's `concurrent_builds`; an account on a plan the catalog no longer has gets the free plan's.
    init(_ catalog: PlanCatalog) {
        self.init(
            perPlan: Dictionary(catalog.plans.map { ($0.id, $0.concurrentBuilds) }, uniquingKeysWith: { first, _ in first }),
            fallback: catalog.free.concurrentBuilds)
    }
}

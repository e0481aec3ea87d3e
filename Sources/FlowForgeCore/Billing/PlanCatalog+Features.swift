/// Which plans grant a feature of the catalog's lists (`SubscriptionPlan.features`).
///
/// The catalog is tiered: a plan's list names what it adds, so a plan also grants every feature a cheaper
/// paid plan lists (the product's Enterprise plan lists "Unlimited CI/CD" and "SLA" but grants Pro's
/// "Custom Environments" too). The free plan grants only what it lists itself.
extension PlanCatalog {
    /// `image: {dockerfile: …}` and `.dockerfile` uploads.
    public static let customEnvironments = "Custom Environments"

    public func grants(_ feature: String, to plan: SubscriptionPlan) -> Bool {
        if plan.features.contains(feature) { return true }
        guard plan.priceCents > 0 else { return false }
        return plans.contains { $0.priceCents > 0 && $0.priceCents <= plan.priceCents && $0.features.contains(feature) }
    }

    /// The cheapest plan that grants `feature`, to name in an upgrade hint.
    public func cheapestPlan(granting feature: String) -> SubscriptionPlan? {
        plans.filter { grants(feature, to: $0) }.min { $0.priceCents < $1.priceCents }
    }
}

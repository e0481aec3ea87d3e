import FlowForgeStore

extension AppServices {
    /// Stripe billing, or nil when it is off (no `STRIPE_SECRET_KEY`). A plain value over shared clients,
    /// so building it per use costs nothing.
    var billing: BillingService? {
        BillingService.make(configuration: configuration, database: database, logger: logger)
    }

    var billingStore: any BillingRepository { SQLBillingRepository(database: database) }
}

/// A plan of the catalog and what it grants. `nil` monthly limits mean unlimited (only an operator's plans
/// file can say so; the product's catalog limits every plan). Prices are in US cents per month so no
/// floating point reaches billing.
public struct SubscriptionPlan: Sendable, Equatable, Codable {
    public var id: String
    public var name: String
    public var priceCents: Int
    /// Pipelines the account may create per calendar month (UTC).
    public var pipelineRuns: Int?
    /// Step container run time per calendar month, in minutes (each pipeline rounded up to whole minutes).
    public var computeMinutes: Int?
    /// Pipelines of the account that may run at once; more wait `pending` in the queue.
    public var concurrentBuilds: Int
    public var features: [String]
    /// What each step container of the account's pipelines may use.
    public var stepLimits: PlanStepLimits
    /// How much the account's artifacts and caches may take in the artifact store.
    public var storage: PlanStorageLimits = .standard

    public init(
        id: String, name: String, priceCents: Int, pipelineRuns: Int?, computeMinutes: Int?, concurrentBuilds: Int,
        features: [String], stepLimits: PlanStepLimits
    ) {
        self.id = id
        self.name = name
        self.priceCents = priceCents
        self.pipelineRuns = pipelineRuns
        self.computeMinutes = computeMinutes
        self.concurrentBuilds = concurrentBuilds
        self.features = features
        self.stepLimits = stepLimits
    }
}

/// The container limits a plan gives each step: memory (swap included), CPUs and processes.
public struct PlanStepLimits: Sendable, Equatable, Codable {
    public var memoryBytes: Int64
    /// CPUs in billionths, as Docker's `NanoCpus` (1_000_000_000 is one CPU), so no floating point is stored.
    public var nanoCPUs: Int64
    /// Most processes and threads a step may hold at once.
    public var pids: Int

    public init(memoryBytes: Int64, nanoCPUs: Int64, pids: Int) {
        self.memoryBytes = memoryBytes
        self.nanoCPUs = nanoCPUs
        self.pids = pids
    }

    static let gibibyte: Int64 = 1 << 30

    /// What a plan in an operator's file gets when it says nothing about step limits.
    public static let standard = PlanStepLimits(memoryBytes: 2 * gibibyte, nanoCPUs: 2_000_000_000, pids: 1024)
}

/// What a plan lets an account keep in the artifact store.
public struct PlanStorageLimits: Sendable, Equatable, Codable {
    /// All the account's kept artifacts together; a step whose artifacts would pass it keeps none of them.
    public var artifactBytes: Int64
    /// One cache archive (one per repository and branch); a bigger one is not saved.
    public var cacheBytes: Int64

    public init(artifactBytes: Int64, cacheBytes: Int64) {
        self.artifactBytes = artifactBytes
        self.cacheBytes = cacheBytes
    }

    /// What a plan in an operator's file gets when it says nothing about storage.
    public static let standard = PlanStorageLimits(artifactBytes: 5 * PlanStepLimits.gibibyte, cacheBytes: 1 * PlanStepLimits.gibibyte)
}

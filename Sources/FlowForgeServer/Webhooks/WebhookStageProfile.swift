import Foundation
import Logging
import Synchronization

/// Where a webhook delivery's time goes, stage by stage, for the ingestion benchmark
/// (`scripts/bench/webhooks.sh`). Off unless the server starts with `FLOWFORGE_PROFILE_WEBHOOKS=1`; then
/// every 1,000 deliveries it logs, at notice level whatever `LOG_LEVEL` says, the mean time per delivery of
/// each stage since start-up. Off, a stage costs one task-local read.
final class WebhookStageProfile: Sendable {
    enum Stage: Int, CaseIterable, Sendable {
        case body, lookup, signature, parse, plan, commitStatus, insert, wake, autoCancel, total

        var name: String {
            switch self {
            case .body: "body"
            case .lookup: "lookup"
            case .signature: "signature"
            case .parse: "parse"
            case .plan: "plan"
            case .commitStatus: "commit_status"
            case .insert: "insert"
            case .wake: "wake"
            case .autoCancel: "auto_cancel"
            case .total: "total"
            }
        }
    }

    @TaskLocal static var current: WebhookStageProfile?

    /// The process's profile, when `FLOWFORGE_PROFILE_WEBHOOKS=1`.
    static let shared: WebhookStageProfile? =
        ProcessInfo.processInfo.environment["FLOWFORGE_PROFILE_WEBHOOKS"] == "1" ? WebhookStageProfile() : nil

    private let nanos = Mutex([UInt64](repeating: 0, count: Stage.allCases.count))
    private let counts = Mutex([Int](repeating: 0, count: Stage.allCases.count))
    private let logger: Logger = {
        var logger = Logger(label: "flowforge.webhook-profile")
        logger.logLevel = .notice
        return logger
    }()

    /// Runs `body`, adding its duration to `stage` when a profile is on.
    static func measure<T>(_ stage: Stage, _ body: () async throws -> T) async rethrows -> T {
        guard let profile = current else { return try await body() }
        let start = DispatchTime.now().uptimeNanoseconds
        defer { profile.add(stage, DispatchTime.now().uptimeNanoseconds - start) }
        return try await body()
    }

    private func add(_ stage: Stage, _ elapsed: UInt64) {
        nanos.withLock { $0[stage.rawValue] += elapsed }
        let count = counts.withLock { counts in
            counts[stage.rawValue] += 1
            return counts[stage.rawValue]
        }
        if stage == .total, count % 1000 == 0 { report(deliveries: count) }
    }

    private func report(deliveries: Int) {
        let totals = nanos.withLock { $0 }
        let line = Stage.allCases.map { stage in
            "\(stage.name)=\(String(format: "%.0f", Double(totals[stage.rawValue]) / Double(deliveries) / 1000))"
        }.joined(separator: " ")
        logger.notice("webhook stage profile (mean µs per delivery): deliveries=\(deliveries) \(line)")
    }
}

import Foundation
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// Artifacts expire with their pipeline's logs: the retention sweep deletes their rows and their bytes.
@Suite("artifact retention")
struct ArtifactRetentionTests {
    @Test func artifactsOfPipelinesPastLogRetentionAreDeletedFromTheStore() async throws {
        try await HousekeepingTests.withServices(["FLOWFORGE_LOG_RETENTION_DAYS": "90"]) { services in
            let old = try await HousekeepingTests.pipeline(services, status: "success", endedDaysAgo: 91)
            let recent = try await HousekeepingTests.pipeline(services, status: "success", endedDaysAgo: 10)
            let staged = services.configuration.dataDirectory.appendingPathComponent("staged-\(UUID().uuidString)")
            try Data("bytes".utf8).write(to: staged)
            defer { try? FileManager.default.removeItem(at: staged) }
            var keys: [String: String] = [:]
            for id in [old, recent] {
                let userID = try await services.database.withConnection { db in
                    try await db.raw("SELECT user_id FROM pipelines WHERE id = \(bind: id)").first()!.decode(column: "user_id", as: String.self)
                }
                let key = "artifacts/\(id)/\(UUID().uuidString.lowercased())"
                try await services.artifactStore.put(key: key, file: staged, size: 5, sha256: "x")
                _ = try await services.artifacts.record(ArtifactRecord(
                    id: UUID().uuidString, pipelineID: id, userID: userID, step: "build", name: "out.txt", size: 5, sha256: "x",
                    storageKey: key, createdAt: 0))
                keys[id] = key
            }

            await services.housekeepingService().sweep()
            let remaining = try await services.database.withConnection { db in
                try await db.raw("SELECT pipeline_id FROM artifacts").all().map { try $0.decode(column: "pipeline_id", as: String.self) }
            }
            #expect(remaining == [recent])
            #expect(try await services.artifactStore.read(key: keys[old]!) { _ in } == false, "the bytes are gone too")
            #expect(try await services.artifactStore.read(key: keys[recent]!) { _ in } == true)
        }
    }
}

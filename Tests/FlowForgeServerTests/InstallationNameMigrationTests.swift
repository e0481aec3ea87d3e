import FlowForgeStore
import Foundation
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// Migration 0075 lower-cases the repository names of GitHub App installations stored before names were
/// lower-cased on the way in, so lookups compare with plain `=` and use the full_name index.
@Suite("installation repository names migration")
struct InstallationNameMigrationTests {
    @Test func mixedCaseNamesAreFoundAfterTheMigrationAndLookupsUseTheIndex() async throws {
        try await withTestDatabase { database, _ in
            try await migrate(database, below: 75)
            try await database.withConnection { db in
                try await db.raw("INSERT INTO users (id, email, password_hash, plan, created_at, updated_at) VALUES ('u1', 'u1@example.com', 'x', 'free', 0, 0)").run()
                for id in [9, 10] {
                    try await db.raw("INSERT INTO github_installations (id, account, user_id, created_at, updated_at) VALUES (\(bind: id), 'Octo', 'u1', 0, 0)").run()
                }
                // As stored before names were lower-cased; installation 10 holds one name in both spellings.
                for (id, name) in [(9, "Octo/App"), (10, "Octo/Lib"), (10, "octo/lib")] {
                    try await db.raw("INSERT INTO github_installation_repositories (installation_id, full_name) VALUES (\(bind: id), \(bind: name))").run()
                }
            }
            try await migrate(database, below: Int.max)

            let installations = SQLGitHubInstallationRepository(database: database)
            #expect(try await installations.installationID(forRepository: "OCTO/app", linkedTo: "u1") == 9)
            #expect(try await installations.linkedUser(forRepository: "octo/APP") == "u1")
            #expect(try await installations.find(id: 10)?.repositories == ["octo/lib"])
            try await installations.apply(id: 9, account: "Octo", action: "added", added: [], removed: ["octo/app"], at: 1)
            #expect(try await installations.find(id: 9)?.repositories == [])

            if database.dialect == .sqlite {
                // A comparison on LOWER(full_name) cannot use the index on full_name: SQLite would scan.
                let plan = try await database.withConnection { db in
                    try await db.raw("EXPLAIN QUERY PLAN " + RepositoryName.linkedInstallationQuery(fullName: "octo/app", userID: "u1"))
                        .all().map { try $0.decode(column: "detail", as: String.self) }
                }
                #expect(plan.contains { $0.contains("github_installation_repositories_full_name") }, "\(plan)")
            }
        }
    }
}

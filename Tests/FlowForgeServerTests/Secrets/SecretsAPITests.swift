import FlowForgeStore
import Foundation
import HummingbirdTesting
import Logging
import SQLKit
import Testing
@testable import FlowForgeServer

@Suite("secrets API")
struct SecretsAPITests {
    @Test func createListAndDeleteNeverShowTheValue() async throws {
        try await withTestApp { client, configuration in
            let session = try await client.register()
            let repository = try await client.connectRepository(
                access: session.access, provider: "git", fullName: "team/app", cloneURL: "https://git.example.com/team/app.git")
            let repositoryID = try #require(repository["id"] as? String)

            let created = try await client.send(.post, "/api/user/secrets", token: session.access, json: [
                "name": "docker_password", "value": "hunter2-account",
            ])
            #expect(created.status == .created, "\(text(created))")
            #expect(!text(created).contains("hunter2"), "the value is never shown again")
            let view = try json(created)
            #expect(view["name"] as? String == "docker_password")
            #expect(view["scope"] as? String == "account")
            #expect(view["pull_requests"] as? Bool == false)
            #expect(view["created_at"] is String && view["updated_at"] is String)

            let scoped = try await client.send(.post, "/api/user/secrets", token: session.access, json: [
                "name": "docker_password", "value": "hunter2-repository", "repository_id": repositoryID, "pull_requests": true,
            ])
            #expect(scoped.status == .created, "the same name in another scope is another secret: \(text(scoped))")
            let twice = try await client.send(.post, "/api/user/secrets", token: session.access, json: [
                "name": "docker_password", "value": "again-value",
            ])
            #expect(twice.status == .conflict)
            #expect(try errorCode(twice) == "secret_exists")

            let listed = try await client.send(.get, "/api/user/secrets", token: session.access)
            #expect(listed.status == .ok)
            #expect(!text(listed).contains("hunter2"))
            let secrets = try #require(try json(listed)["secrets"] as? [[String: Any]])
            #expect(secrets.map { $0["scope"] as? String } == ["account", "repository"])
            #expect(secrets.map { $0["repository_id"] as? String } == [nil, repositoryID])
            #expect(secrets.map { $0["pull_requests"] as? Bool } == [false, true])

            // Sealed at rest: the database holds no value in the clear, and each opens only for its own row.
            let stored = try await withAppDatabase(configuration) { db in
                try await db.raw("SELECT id, value_encrypted FROM secrets ORDER BY COALESCE(repository_id, '')").all()
                    .map { (try $0.decode(column: "id", as: String.self), try $0.decode(column: "value_encrypted", as: String.self)) }
            }
            #expect(stored.count == 2)
            let box = SecretBox(configuration: configuration)
            for (id, sealed) in stored {
                #expect(sealed.hasPrefix("v2:") && !sealed.contains("hunter2"))
                #expect(try box.open(sealed, purpose: UserSecret.valuePurpose(id: id)).hasPrefix("hunter2-"))
            }
            #expect(throws: SecretBoxError.self) { try box.open(stored[0].1, purpose: UserSecret.valuePurpose(id: stored[1].0)) }

            let deleted = try await client.send(.delete, "/api/user/secrets/docker_password?repository_id=\(repositoryID)", token: session.access)
            #expect(deleted.status == .noContent)
            let again = try await client.send(.delete, "/api/user/secrets/docker_password?repository_id=\(repositoryID)", token: session.access)
            #expect(again.status == .notFound)
            let remaining = try #require(try json(try await client.send(.get, "/api/user/secrets", token: session.access))["secrets"] as? [[String: Any]])
            #expect(remaining.map { $0["scope"] as? String } == ["account"], "deleting the repository's secret left the account's")
            #expect(try await client.send(.delete, "/api/user/secrets/docker_password", token: session.access).status == .noContent)
        }
    }

    /// Another account's repository, and another account's secret, look exactly like missing ones.
    @Test func anotherAccountsRepositoryAndSecretsAreNotFound() async throws {
        try await withTestApp { client, _ in
            let owner = try await client.register()
            let repository = try await client.connectRepository(
                access: owner.access, provider: "git", fullName: "team/app", cloneURL: "https://git.example.com/team/app.git")
            let repositoryID = try #require(repository["id"] as? String)
            #expect(try await client.send(.post, "/api/user/secrets", token: owner.access, json: ["name": "token", "value": "owner-value"]).status == .created)

            let stranger = try await client.register()
            let create = try await client.send(.post, "/api/user/secrets", token: stranger.access, json: [
                "name": "token", "value": "x-long-enough", "repository_id": repositoryID,
            ])
            #expect(create.status == .notFound)
            #expect(try errorCode(create) == "not_found")
            let missing = try await client.send(.post, "/api/user/secrets", token: stranger.access, json: [
                "name": "token", "value": "x-long-enough", "repository_id": "no-such-repository",
            ])
            #expect(missing.status == .notFound)
            #expect(text(create) == text(missing).replacingOccurrences(of: "no-such-repository", with: repositoryID))
            let list = try json(try await client.send(.get, "/api/user/secrets", token: stranger.access))
            #expect((list["secrets"] as? [Any])?.isEmpty == true)
            #expect(try await client.send(.delete, "/api/user/secrets/token", token: stranger.access).status == .notFound)
            #expect(try await client.send(.delete, "/api/user/secrets/token?repository_id=\(repositoryID)", token: stranger.access).status == .notFound)
            let still = try json(try await client.send(.get, "/api/user/secrets", token: owner.access))
            #expect((still["secrets"] as? [Any])?.count == 1, "the stranger's delete removed nothing")
            #expect(try await client.send(.get, "/api/user/secrets").status == .unauthorized)
        }
    }

    @Test(arguments: [
        (["value": "long-enough"], "name: is required"),
        (["name": "", "value": "long-enough"], "name: is required"),
        (["name": "1password", "value": "long-enough"], "is not a valid secret name"),
        (["name": "has space", "value": "long-enough"], "is not a valid secret name"),
        (["name": "path/like", "value": "long-enough"], "is not a valid secret name"),
        (["name": "ünïcode", "value": "long-enough"], "is not a valid secret name"),
        (["name": String(repeating: "a", count: 101), "value": "long-enough"], "at most 100 characters"),
        (["name": "ok"], "value: is required"),
        (["name": "ok", "value": ""], "value: is required"),
        (["name": "ok", "value": String(repeating: "x", count: 64 * 1024 + 1)], "a secret holds at most 65536 bytes"),
        (["name": "ok", "value": "abcd\u{0}efgh"], "NUL"),
        (["name": "ok", "value": "1234567"], "value: is 7 bytes; a secret must be at least 8 bytes, because a shorter value cannot be masked"),
        (["name": "ok", "value": "long-enough", "repository_id": " "], "repository_id: is empty"),
        (["name": "ok", "value": "long-enough", "scope": "x"], "scope: is not a field"),
    ] as [([String: String], String)])
    func invalidBodiesAreRefusedWithTheReason(body: [String: String], reason: String) async throws {
        try await withTestApp { client, _ in
            let access = try await client.register().access
            let response = try await client.send(.post, "/api/user/secrets", token: access, json: body)
            #expect(response.status == .unprocessableContent, "\(text(response))")
            #expect(try errorCode(response) == "validation_failed")
            #expect(text(response).contains(reason), "\(text(response))")
        }
    }

    @Test func theLongestNameAndLargestValueAreAccepted() async throws {
        try await withTestApp { client, _ in
            let access = try await client.register().access
            let response = try await client.send(.post, "/api/user/secrets", token: access, json: [
                "name": "_a.b-" + String(repeating: "c", count: 95), "value": String(repeating: "x", count: 64 * 1024),
            ])
            #expect(response.status == .created, "\(text(response))")
        }
    }

    /// `flowforge admin rotate-key` re-seals secrets with everything else: afterwards the new key alone
    /// opens them.
    @Test func rotationReSealsSecrets() async throws {
        let keyA = String(repeating: "c3", count: 32)
        let keyB = Data(repeating: 0xD4, count: 32).base64EncodedString()
        try await withTestApp(environment: ["FLOWFORGE_ENCRYPTION_KEY": keyA]) { client, oldConfiguration in
            let access = try await client.register().access
            #expect(try await client.send(.post, "/api/user/secrets", token: access, json: ["name": "deploy_key", "value": "rotate me"]).status == .created)

            var environment = baseTestEnvironment(directory: oldConfiguration.dataDirectory, databaseURL: EncryptionKeyTests.databaseURL(oldConfiguration))
            environment["FLOWFORGE_ENCRYPTION_KEY"] = keyB
            environment["FLOWFORGE_ENCRYPTION_KEY_PREVIOUS"] = keyA
            environment["JWT_SECRET"] = String(decoding: oldConfiguration.jwtSecret, as: UTF8.self)
            let newConfiguration = try AppConfiguration.fromEnvironment(environment)
            let logger = Logger(label: "test.rotate")
            let database = try openDatabase(newConfiguration, logger: logger)
            do {
                let report = try await KeyRotation(configuration: newConfiguration, database: database, logger: logger).run()
                #expect(report.resealed == 1, "the secret is the only sealed value: \(report)")
                await database.shutdown()
            } catch {
                await database.shutdown()
                throw error
            }
            let (id, sealed) = try await withAppDatabase(newConfiguration) { db in
                let row = try #require(try await db.raw("SELECT id, value_encrypted FROM secrets").first())
                return (try row.decode(column: "id", as: String.self), try row.decode(column: "value_encrypted", as: String.self))
            }
            let newOnly = SecretBox(key: Array(repeating: 0xD4, count: 32))
            #expect(try newOnly.open(sealed, purpose: UserSecret.valuePurpose(id: id)) == "rotate me")
        }
    }
}

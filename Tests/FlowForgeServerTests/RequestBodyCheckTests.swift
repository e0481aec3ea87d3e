import FlowForgeTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
@testable import FlowForgeServer
@testable import FlowForgeStore

/// JSON bodies are checked as strictly as `flowforge.yml`: a key the request does not take is refused by
/// name, a wrong type is described in words, and a single command may be a string.
@Suite("request body checks")
struct RequestBodyCheckTests {
    static func message(_ response: TestResponse) throws -> String {
        try #require((try json(response)["error"] as? [String: Any])?["message"] as? String)
    }

    @Test func unknownKeyIsRefusedByName() async throws {
        try await withTestApp { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let response = try await client.send(.post, "/api/v1/pipelines", token: key, json: [
                "repo_url": "file:///srv/repo.git", "commands": ["make"], "image": "node:20",
            ])
            #expect(response.status == .unprocessableContent)
            #expect(try errorCode(response) == "validation_failed")
            let text = try Self.message(response)
            #expect(text.hasPrefix("image: is not a field of this request"), "\(text)")
            #expect(text.contains("known fields are: branch, commands, commit, env, event, repo_url"), "\(text)")

            let typo = try await client.send(.post, "/api/v1/pipelines", token: key, json: [
                "repo_url": "file:///srv/repo.git", "comands": ["make"],
            ])
            #expect(typo.status == .unprocessableContent)
            #expect(try Self.message(typo).contains("comands: is not a field of this request (did you mean `commands`?)"))
        }
    }

    @Test func unknownKeyInAccountBodiesToo() async throws {
        try await withTestApp { client, _ in
            let response = try await client.send(.post, "/api/auth/register", json: [
                "email": "new@example.com", "password": "correct horse battery", "name": "New",
            ])
            #expect(response.status == .unprocessableContent)
            #expect(try Self.message(response).hasPrefix("name: is not a field of this request"))
        }
    }

    @Test func wrongTypesAreSaidInWords() async throws {
        try await withTestApp { client, _ in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let cases: [(Any, String)] = [
                (["repo_url": "file:///srv/repo.git", "commands": 7], "commands: must be a list of strings (or one command as a string)"),
                (["repo_url": "file:///srv/repo.git", "commands": ["a": "b"]], "commands: must be a list of strings (or one command as a string)"),
                (["repo_url": "file:///srv/repo.git", "commands": [1]], "commands[0]: must be a string"),
                (["repo_url": "file:///srv/repo.git", "env": ["x"]], "env: must be an object"),
                (["repo_url": ["x"]], "repo_url: must be a string"),
                (["file:///srv/repo.git"], "body: must be an object"),
            ]
            for (body, expected) in cases {
                let response = try await client.send(.post, "/api/v1/pipelines", token: key, json: body)
                #expect(response.status == .unprocessableContent, "\(body)")
                let text = try Self.message(response)
                #expect(text.hasPrefix(expected), "\(body): \(text)")
                #expect(!text.contains("Array<") && !text.contains("Dictionary<"), "\(text)")
            }
        }
    }

    @Test func oneCommandMayBeAString() async throws {
        try await withTestApp { client, configuration in
            let key = try await client.createAPIKey(access: try await client.register().access)
            let response = try await client.send(.post, "/api/v1/pipelines", token: key, json: [
                "repo_url": "file:///srv/repo.git", "commands": "npm test",
            ])
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let id = try #require(try json(response)["id"] as? String)
            // The API does not show a pipeline's commands; the stored row does.
            let database = try openDatabase(configuration, logger: Logger(label: "test.peek"))
            let stored = try await database.withConnection { db in
                try await db.raw("SELECT commands FROM pipelines WHERE id = \(bind: id)").first()?.decode(column: "commands", as: String.self)
            }
            await database.shutdown()
            #expect(stored == #"["npm test"]"#)
        }
    }
}

import FlowForgeTestSupport
import Foundation
import Testing

/// `flowforge serve`, `migrate` and `worker` when they cannot start: each ends with one line saying what
/// failed and what to do, exits with status 1, and closes what it opened (the crashes seen before were a
/// connection pool or SQLite connection released while still open).
@Suite("start-up failures", .serialized)
struct StartupFailureTests {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ff-startup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// SQLite in a fresh data directory: everything else at its default.
    static func environment(_ directory: URL, _ extra: [String: String] = [:]) -> [String: String] {
        ["FLOWFORGE_DATA_DIR": directory.appendingPathComponent("data").path, "LOG_LEVEL": "info"].merging(extra) { _, new in new }
    }

    @Test func portInUse() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let held = try HeldPort()
        let run = try await StartupRun.run(["serve", "--port", "\(held.port)"], environment: Self.environment(directory))
        run.expectCleanFailure("port \(held.port) is in use: pass --port or stop the other process")
        withExtendedLifetime(held) {}
    }

    @Test func badConfigurationValue() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for command in [["serve", "--port", "\(ServerProcess.freePort())"], ["migrate"], ["worker"]] {
            let run = try await StartupRun.run(command, environment: Self.environment(directory, ["BCRYPT_ROUNDS": "99"]))
            run.expectCleanFailure("configuration error: BCRYPT_ROUNDS: must be a whole number from 4 to 31, got \"99\"")
        }
    }

    /// The test PostgreSQL server's URL with a wrong password.
    static var wrongPasswordURL: String? {
        guard let admin = TestDatabase.postgresURLForComparison, var parts = URLComponents(string: admin) else { return nil }
        parts.password = "not-the-password"
        return parts.string
    }

    @Test(.enabled(if: wrongPasswordURL != nil, "needs FLOWFORGE_TEST_POSTGRES_URL or FLOWFORGE_TEST_DATABASE_URL"))
    func wrongDatabasePassword() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try #require(Self.wrongPasswordURL)
        for command in [["migrate"], ["serve", "--port", "\(ServerProcess.freePort())"], ["worker"]] {
            let run = try await StartupRun.run(command, environment: Self.environment(directory, ["DATABASE_URL": url]))
            run.expectCleanFailure("password authentication failed")
            #expect(run.lastLine.contains("check DATABASE_URL"), "\(run.lastLine)")
            #expect(!run.output.contains("not-the-password"), "the password was printed:\n\(run.output)")
        }
    }

    @Test func unreachableDatabase() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = "postgres://ci:secret-word@127.0.0.1:\(ServerProcess.freePort())/ci?sslmode=disable"
        let run = try await StartupRun.run(["migrate"], environment: Self.environment(directory, ["DATABASE_URL": url]))
        run.expectCleanFailure("cannot open the database")
        #expect(!run.output.contains("secret-word"), "the password was printed:\n\(run.output)")
    }
}

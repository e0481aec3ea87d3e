import ArgumentParser
import FlowForgeServer
import FlowForgeStore
import Foundation
import Hummingbird
import Logging

@main
struct FlowForgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flowforge",
        abstract: "FlowForge: an API-first, ephemeral CI/CD service.",
        version: FlowForgeVersion.current,
        subcommands: [Serve.self, Worker.self, Migrate.self, Admin.self, PipelineCommand.self, RunCommand.self, Lint.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server (and apply pending migrations first).", discussion: ServeHelp.discussion
    )

    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080

    func run() async throws {
        let address = ServerAddress(hostname: hostname, port: port)
        try await reportingFailure(address: address) {
            try await serve(configuration: try loadConfiguration(), address: address)
        }
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run pipeline workers and the commit-status sender without the HTTP server (needs a shared PostgreSQL to be useful beside serve)."
    )

    func run() async throws {
        try await reportingFailure {
            try await buildWorker(configuration: try loadConfiguration()).run()
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations and exit.")

    func run() async throws {
        try await reportingFailure { try await migrate() }
    }

    func migrate() async throws {
        let configuration = try loadConfiguration()
        var logger = Logger(label: "flowforge.migrate")
        logger.logLevel = configuration.logLevel
        let database = try openDatabase(configuration, logger: logger)
        let applied: [Int]
        do {
            try await database.checkConnection()
            applied = try await Migrator(database: database, logger: logger).migrate()
        } catch {
            // The pool must be closed before it goes away, also when a migration fails.
            await database.shutdown()
            throw StartupFailure.database(error, configuration: configuration)
        }
        await database.shutdown()
        print(applied.isEmpty ? "database is up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Operator tasks.", subcommands: [RotateKey.self, SetPlan.self])
}

struct RotateKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rotate-key",
        abstract: "Re-seal every stored secret under FLOWFORGE_ENCRYPTION_KEY (old keys in FLOWFORGE_ENCRYPTION_KEY_PREVIOUS)."
    )

    func run() async throws {
        try await reportingFailure { try await rotate() }
    }

    func rotate() async throws {
        let configuration = try loadConfiguration()
        var logger = Logger(label: "flowforge.rotate-key")
        logger.logLevel = configuration.logLevel
        let database = try openDatabase(configuration, logger: logger)
        let report: KeyRotationReport
        do {
            try await Migrator(database: database, logger: logger).migrate()
            report = try await KeyRotation(configuration: configuration, database: database, logger: logger).run()
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
        print(report.description)
        if !report.unreadable.isEmpty { throw ExitCode.failure }
    }
}

struct SetPlan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-plan",
        abstract: "Put the account with EMAIL on PLAN (how plans are set when billing is off).",
        discussion: "Reads the same environment as serve (DATABASE_URL, FLOWFORGE_PLANS_FILE, …). Exit status 64 for an unknown plan, 1 for an unknown email or a database error."
    )

    @Argument(help: "The email the account signs in with.") var email: String
    @Argument(help: "A plan id: free, pro, enterprise, or one of FLOWFORGE_PLANS_FILE's.") var plan: String

    func run() async throws {
        try await reportingFailure { try await assign() }
    }

    func assign() async throws {
        let configuration = try loadConfiguration()
        var logger = Logger(label: "flowforge.set-plan")
        logger.logLevel = configuration.logLevel
        let database = try openDatabase(configuration, logger: logger)
        let assignment = PlanAssignment(configuration: configuration, database: database, logger: logger)
        let text: String
        do {
            // A wrong plan is a wrong argument: refused before the database is touched.
            try assignment.validate(plan: plan)
            try await Migrator(database: database, logger: logger).migrate()
            text = try await assignment.run(email: email, plan: plan)
        } catch let error as PlanAssignment.Failure {
            await database.shutdown()
            FileHandle.standardError.write(Data("flowforge: \(error.description)\n".utf8))
            if case .unknownPlan = error { throw ExitCode.validationFailure }
            throw ExitCode.failure
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
        print(text)
    }
}

/// Reads the environment (over `.env.local` and `.env`); a bad value ends the process with a message
/// naming the variable (see `reportingFailure`).
func loadConfiguration() throws -> AppConfiguration {
    try AppConfiguration.fromEnvironment(try DotEnvFile.processEnvironment())
}

/// Runs one command's start-up and work; any failure becomes one line on standard error and exit status 1,
/// never a backtrace. Every command closes what it opened before its error reaches here.
func reportingFailure(address: ServerAddress? = nil, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch {
        FileHandle.standardError.write(Data("flowforge: \(StartupFailure.line(for: error, address: address))\n".utf8))
        throw ExitCode.failure
    }
}

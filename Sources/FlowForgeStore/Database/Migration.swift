import Foundation

/// One numbered plain-SQL migration file, e.g. `0003_create_subscriptions.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    /// The statements of the file, split on `;` at the end of a statement. Both drivers run one statement
    /// per call (SQLite's prepare ignores everything after the first), so a file is run statement by statement.
    public var statements: [String] {
        var statements: [String] = []
        var current = ""
        var inString = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !inString && trimmed.hasPrefix("--") { continue }
            current += line + "\n"
            // Track single-quoted literals so a ';' inside one does not end the statement.
            for character in line where character == "'" { inString.toggle() }
            if !inString && trimmed.hasSuffix(";") {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                statements.append(String(statement.dropLast()))
                current = ""
            }
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}

extension Migration {
    /// Loads the migrations for `dialect` shipped in this module's resources, sorted by version.
    public static func bundled(for dialect: SQLDialectKind) throws -> [Migration] {
        guard let directory = Bundle.module.url(forResource: "Migrations", withExtension: nil)?
            .appendingPathComponent(dialect.rawValue)
        else {
            throw MigrationError.missingMigrations("the Migrations resource is missing from the FlowForgeStore bundle")
        }
        return try load(from: directory)
    }

    /// Loads `NNNN_name.sql` files from `directory`; other files are ignored, a duplicate version is an error.
    public static func load(from directory: URL) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError.badFileName(file)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (a, b) in zip(migrations, migrations.dropFirst()) where a.version == b.version {
            throw MigrationError.duplicateVersion(a.version)
        }
        return migrations
    }
}

public enum MigrationError: Error, CustomStringConvertible {
    case missingMigrations(String)
    case badFileName(String)
    case duplicateVersion(Int)

    public var description: String {
        switch self {
        case .missingMigrations(let detail): "cannot find migrations: \(detail)"
        case .badFileName(let file): "migration file \(file) must be named NNNN_description.sql"
        case .duplicateVersion(let version): "two migration files share version \(version)"
        }
    }
}

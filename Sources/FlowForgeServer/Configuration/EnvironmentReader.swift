import Foundation
import Logging

/// Typed reads of environment variables; an empty value counts as unset, a malformed one is a
/// `ConfigurationError` that names the variable and the accepted values.
struct EnvironmentReader {
    let values: [String: String]

    func string(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func int(_ name: String, default defaultValue: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError(variable: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\"")
        }
        return value
    }

    func bool(_ name: String, default defaultValue: Bool) throws -> Bool {
        guard let text = string(name)?.lowercased() else { return defaultValue }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(variable: name, message: "must be true or false, got \"\(text)\"")
        }
    }

    func oneOf(_ name: String, _ allowed: [String], default defaultValue: String) throws -> String {
        guard let text = string(name) else { return defaultValue }
        guard allowed.contains(text) else {
            throw ConfigurationError(variable: name, message: "must be one of \(allowed.joined(separator: ", ")), got \"\(text)\"")
        }
        return text
    }

    func url(_ name: String, default defaultValue: String) throws -> String {
        guard let text = string(name) else { return defaultValue }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw ConfigurationError(variable: name, message: "must be an http:// or https:// URL, got \"\(text)\"")
        }
        return text.hasSuffix("/") ? String(text.dropLast()) : text
    }

    func logLevel(_ name: String) throws -> Logger.Level {
        guard let text = string(name)?.lowercased() else { return .info }
        guard let level = Logger.Level(rawValue: text) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: name, message: "must be one of \(names), got \"\(text)\"")
        }
        return level
    }

    func dockerHost(_ name: String) throws -> String {
        guard let text = string(name) else { return "unix:///var/run/docker.sock" }
        guard text.hasPrefix("unix://") else {
            throw ConfigurationError(variable: name, message: "must be a unix:// socket path such as unix:///var/run/docker.sock, got \"\(text)\"")
        }
        return text
    }
}

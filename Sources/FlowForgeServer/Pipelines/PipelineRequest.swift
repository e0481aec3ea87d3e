import Foundation

/// The body of `POST /api/v1/pipelines`, checked field by field (each failure a 422 naming the field).
struct PipelineRequest: Decodable {
    let repoUrl: String?
    let branch: String?
    let commit: String?
    /// A list of strings, or one string for one command.
    let commands: CommandList?
    let env: [String: String]?
    /// `api` (the default) or `manual`: what `when.event` sees, so a file can keep steps for hand-started runs.
    let event: String?

    struct Valid {
        let branch: String
        let commit: String?
        let commands: [String]?
        let environment: [String: String]
        let event: String
    }

    func validated() throws -> Valid {
        let branch = (self.branch ?? "main").trimmingCharacters(in: .whitespaces)
        guard Self.isValidRefName(branch) else {
            throw APIError.validation("branch", "\"\(branch)\" is not a valid branch name")
        }
        var commitSHA: String?
        if let commit {
            let sha = commit.lowercased()
            guard sha.count == 40, sha.allSatisfy(\.isHexDigit) else {
                throw APIError.validation("commit", "must be a full 40-character commit SHA")
            }
            commitSHA = sha
        }
        let commands = self.commands?.values
        if let commands {
            guard !commands.isEmpty else { throw APIError.validation("commands", "must not be empty; leave it out to use flowforge.yml") }
            guard commands.count <= 100 else { throw APIError.validation("commands", "at most 100 commands") }
            if let index = commands.firstIndex(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
                throw APIError.validation("commands[\(index)]", "must not be empty")
            }
        }
        let environment = env ?? [:]
        guard environment.count <= 100 else { throw APIError.validation("env", "at most 100 variables") }
        for name in environment.keys.sorted() where !Self.isValidVariableName(name) {
            throw APIError.validation("env.\(name)", "is not a valid variable name (letters, digits and _, not starting with a digit)")
        }
        let event = self.event ?? "api"
        guard ["api", "manual"].contains(event) else {
            throw APIError.validation("event", "must be api or manual, not \"\(event)\"")
        }
        return Valid(branch: branch, commit: commitSHA, commands: commands, environment: environment, event: event)
    }

    /// A conservative subset of git's ref-name rules: enough to refuse what cannot be a branch.
    static func isValidRefName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 255, !name.hasPrefix("-"), !name.hasPrefix("/"), !name.hasSuffix("/"),
              !name.hasSuffix(".lock"), !name.contains(".."), !name.contains("//"), !name.contains("@{")
        else { return false }
        let forbidden: Set<Character> = [" ", "~", "^", ":", "?", "*", "[", "\\", "\t", "\n"]
        return !name.contains(where: { forbidden.contains($0) || $0.asciiValue.map { $0 < 32 || $0 == 127 } == true })
    }

    static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || first.isLetter, first.isASCII else { return false }
        return name.allSatisfy { $0.isASCII && ($0 == "_" || $0.isLetter || $0.isNumber) }
    }
}

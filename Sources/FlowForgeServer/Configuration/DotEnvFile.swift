import Foundation

/// `.env` files: `KEY=value` lines read at start-up beneath the real environment.
///
/// The format is the common subset: blank lines and `#` comments are skipped, an optional `export ` prefix
/// is allowed, a value may be wrapped in single or double quotes (quotes keep `#` and spaces; double quotes
/// also understand `\n`, `\"` and `\\`), and an unquoted value ends at ` #`. There is no variable expansion.
/// Anything else is an error naming the file and line, so a typo stops start-up instead of being ignored.
public enum DotEnvFile {
    /// The files read, weakest first: `.env.local` overrides `.env`, and the real environment overrides both.
    public static let names = [".env", ".env.local"]

    /// `environment` on top of the files in `directory` that exist.
    public static func merged(
        into environment: [String: String], directory: URL
    ) throws -> [String: String] {
        var merged: [String: String] = [:]
        for name in names {
            let file = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else { continue }
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw ConfigurationError(variable: name, message: "cannot read \(file.path): \(error.localizedDescription)")
            }
            merged.merge(try parse(text, file: name)) { _, new in new }
        }
        merged.merge(environment) { _, real in real }
        return merged
    }

    /// The variables of one file's `text`; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> [String: String] {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine)
            line = line.drop(while: { $0 == " " || $0 == "\t" })
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count).drop(while: { $0 == " " }) }
            func failure(_ message: String) -> ConfigurationError {
                ConfigurationError(variable: "\(file) line \(index + 1)", message: message)
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw failure("expected KEY=value, got \"\(line)\"")
            }
            let key = String(line[..<equals].trimmingCharacters(in: .whitespaces))
            guard let first = key.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first),
                  key.unicodeScalars.allSatisfy({ $0 == "_" || CharacterSet.alphanumerics.contains($0) && $0.isASCII })
            else {
                throw failure("\"\(key)\" is not a variable name (letters, digits and _, not starting with a digit)")
            }
            values[key] = try value(line[line.index(after: equals)...].drop(while: { $0 == " " || $0 == "\t" }), failure: failure)
        }
        return values
    }

    static func value(_ text: Substring, failure: (String) -> ConfigurationError) throws -> String {
        guard let quote = text.first, quote == "\"" || quote == "'" else {
            // Unquoted: a comment starts at " #"; surrounding blanks are not part of the value.
            var value = text
            if let comment = value.range(of: " #") { value = value[..<comment.lowerBound] }
            return value.trimmingCharacters(in: .whitespaces)
        }
        var result = ""
        var rest = text.dropFirst()
        while let character = rest.first {
            rest = rest.dropFirst()
            if character == quote {
                let after = rest.drop(while: { $0 == " " || $0 == "\t" })
                guard after.isEmpty || after.hasPrefix("#") else {
                    throw failure("unexpected text after the closing quote: \"\(after)\"")
                }
                return result
            }
            if quote == "\"", character == "\\", let escaped = rest.first {
                rest = rest.dropFirst()
                switch escaped {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(escaped)
                }
                continue
            }
            result.append(character)
        }
        throw failure("the value has no closing \(quote) (a value cannot span lines)")
    }
}

extension DotEnvFile {
    /// The process environment over `.env.local` over `.env` of the working directory: what the commands read.
    public static func processEnvironment() throws -> [String: String] {
        try merged(
            into: ProcessInfo.processInfo.environment,
            directory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        )
    }
}

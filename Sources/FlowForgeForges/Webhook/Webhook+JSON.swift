import Foundation

/// Decodes webhook bodies into the small Codable structs each forge declares (only the fields used,
/// all optional where forges leave them out), turning decoder errors into `WebhookError`s.
/// Forges name fields in snake_case; the structs use Swift's camelCase and map the multi-word names in
/// `CodingKeys` (`clone_url` is `cloneUrl`). Not `convertFromSnakeCase`: it converts every key of every object
/// opened, and a GitHub repository object alone has about ninety, which made that conversion the largest cost of
/// handling a delivery.
enum WebhookJSON {
    static func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], provider: String) throws -> T {
        let decoder = JSONDecoder()
        do {
            return try decoder.decode(T.self, from: Data(body))
        } catch let error as DecodingError {
            throw WebhookError.invalidJSON(provider: provider, detail: describe(error))
        }
    }

    /// Unwraps a required field, naming it by its JSON path when absent.
    static func require<T>(_ value: T?, _ field: String, provider: String) throws -> T {
        guard let value else { throw WebhookError.missingField(provider: provider, field: field) }
        return value
    }

    /// Same for strings, which also count as absent when empty.
    static func require(_ value: String?, _ field: String, provider: String) throws -> String {
        guard let value, !value.isEmpty else { throw WebhookError.missingField(provider: provider, field: field) }
        return value
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "the body" : keys.joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context):
            return "\(path(context)) has the wrong type"
        case let .keyNotFound(key, context):
            return "\(path(context)) lacks \(key.stringValue)"
        case .dataCorrupted:
            return "not valid JSON"
        @unknown default:
            return "unreadable"
        }
    }
}

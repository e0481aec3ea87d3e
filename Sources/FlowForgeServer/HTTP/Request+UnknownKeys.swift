import FlowForgeCore
import Foundation

/// The keys of a JSON request body that its type does not read, which `decodeJSON` refuses with a 422 so
/// that a misspelt or unsupported field (`"image"` in a pipeline request) is not silently ignored, as
/// `flowforge.yml` refuses unknown keys.
enum UnknownBodyKeys {
    /// The first top-level key of `data` (in the body's order of names, sorted) that `decoded` has no stored
    /// property for, with the error to answer; nil when every key is known.
    ///
    /// The known keys are the decoded value's stored properties, found by reflection, so a field added to a
    /// body type is accepted without a second list to keep in step. This holds for the request types here,
    /// which decode with synthesized `Codable` and `convertFromSnakeCase` (`repo_url` fills `repoUrl`); a
    /// type with its own `CodingKeys` must keep its property names equal to them.
    static func check(_ data: Data, decoded: Any) -> APIError? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let properties = Set(Mirror(reflecting: decoded).children.compactMap(\.label))
        for key in object.keys.sorted() where !properties.contains(camelCase(key)) {
            let known = properties.sorted().map(APIError.snakeCase)
            var message = "is not a field of this request"
            if let guess = Spelling.closest(to: key, among: known) { message += " (did you mean `\(guess)`?)" }
            message += known.isEmpty ? "; send an empty object" : "; known fields are: \(known.joined(separator: ", "))"
            return .validation(key, message)
        }
        return nil
    }

    /// What `JSONDecoder.KeyDecodingStrategy.convertFromSnakeCase` makes of `key`: `repo_url` → `repoUrl`.
    static func camelCase(_ key: String) -> String {
        let parts = key.split(separator: "_", omittingEmptySubsequences: true)
        guard let first = parts.first, parts.count > 1, !key.hasPrefix("_"), !key.hasSuffix("_") else { return key }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }.joined()
    }
}

import Foundation
import Hummingbird

extension Request {
    /// Reads the body (at most `context.maxUploadSize` bytes, else 413) and decodes it as JSON.
    /// Malformed JSON is a 400; a value of the wrong type, a missing required field or a field the request
    /// does not take is a 422 naming the field.
    func decodeJSON<T: Decodable>(_ type: T.Type, context: AppRequestContext) async throws -> T {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        let value: T
        do {
            value = try JSONDecoder.api.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        }
        if let unknown = UnknownBodyKeys.check(data, decoded: value) { throw unknown }
        return value
    }
}

extension APIError {
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (last.map { [$0] } ?? [])
            let names = keys.map { key in key.intValue.map { "[\($0)]" } ?? Self.snakeCase(key.stringValue) }
            return names.isEmpty ? "body" : names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self.init(.badRequest, code: "invalid_json", message: "the request body is not valid JSON; send a JSON object with `Content-Type: application/json`")
        case .dataCorrupted(let context):
            self = .validation(path(context.codingPath), context.debugDescription)
        case .keyNotFound(let key, let context):
            self = .validation(path(context.codingPath, key), "is required")
        case .typeMismatch(let type, let context):
            self = .validation(path(context.codingPath), "must be \(Self.describe(type))")
        case .valueNotFound(let type, let context):
            self = .validation(path(context.codingPath), "must be \(Self.describe(type)), not null")
        @unknown default:
            self.init(.badRequest, code: "invalid_json", message: "the request body could not be read as JSON")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of strings"
        case is [String: String].Type: "an object of string values"
        case is CommandList.Type: "a list of strings (or one command as a string)"
        case is [Any].Type: "a list"
        case is [String: Any].Type: "an object"
        case is Double.Type, is Float.Type: "a number"
        // Never a Swift type name: a client cannot act on `Array<Any>`.
        default: "a different kind of value"
        }
    }

    static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

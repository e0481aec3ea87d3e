import FlowForgeCore
import Foundation

/// Field checks shared by sign-up and profile changes; each failure is a 422 naming the field.
enum AccountValidation {
    static func email(_ value: String?) throws -> String {
        guard let value else { throw APIError.validation("email", "is required") }
        let email = value.trimmingCharacters(in: .whitespaces).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !email.contains(where: { $0.isWhitespace })
        else {
            throw APIError.validation("email", "is not a valid email address")
        }
        return email
    }

    static func password(_ value: String?, field: String = "password") throws -> String {
        guard let value else { throw APIError.validation(field, "is required") }
        guard value.count >= 8 else { throw APIError.validation(field, "must be at least 8 characters") }
        // bcrypt only reads the first 72 bytes; a longer password would silently be cut.
        guard value.utf8.count <= 72 else { throw APIError.validation(field, "must be at most 72 bytes") }
        return value
    }

    static func plan(_ value: String?, catalog: PlanCatalog) throws -> String {
        let id = value ?? PlanCatalog.freePlanID
        guard catalog.plan(id: id) != nil else {
            throw APIError.validation("plan", "must be one of \(catalog.plans.map(\.id).joined(separator: ", "))")
        }
        return id
    }
}

import Foundation

/// The parameters Stripe's API reference gives for each endpoint FlowForge calls, checked on every request
/// the fake receives: a parameter the endpoint does not take, or a required one missing, fails the test.
enum FakeStripeContract {
    struct Endpoint {
        let required: Set<String>
        let optional: Set<String>
        /// Exact values the reference (or FlowForge's contract) demands.
        var values: [String: String] = [:]
    }

    /// POST bodies, by path.
    static let posts: [String: Endpoint] = [
        // https://docs.stripe.com/api/customers/create: all parameters optional; FlowForge must send these.
        "/v1/customers": Endpoint(required: ["email", "metadata[account_id]"], optional: []),
        // https://docs.stripe.com/api/checkout/sessions/create
        "/v1/checkout/sessions": Endpoint(
            required: ["mode", "customer", "client_reference_id", "line_items[0][price]", "line_items[0][quantity]", "success_url", "cancel_url"],
            optional: ["subscription_data[metadata][account_id]", "subscription_data[metadata][plan]"],
            values: ["mode": "subscription", "line_items[0][quantity]": "1"]),
        // https://docs.stripe.com/api/customer_portal/sessions/create
        "/v1/billing_portal/sessions": Endpoint(required: ["customer"], optional: ["return_url"]),
    ]

    /// GET query parameters, by path prefix.
    static let gets: [String: Endpoint] = [
        "/v1/invoices": Endpoint(required: ["customer"], optional: ["limit", "starting_after", "status", "subscription"]),
        "/v1/subscriptions/": Endpoint(required: [], optional: []),
    ]

    static func violations(
        method: String, path: String, headers: [String: String], form: [String: String], query: [String: String], secretKey: String
    ) -> [String] {
        var problems: [String] = []
        if headers["authorization"]?.hasPrefix("Bearer ") != true { problems.append("no `Authorization: Bearer` header") }
        if headers["stripe-version"] == nil { problems.append("no Stripe-Version header") }
        let endpoint: Endpoint?
        let given: [String: String]
        if method == "POST" {
            if (headers["idempotency-key"] ?? "").isEmpty { problems.append("POST without Idempotency-Key") }
            if headers["content-type"]?.hasPrefix("application/x-www-form-urlencoded") != true { problems.append("body is not form-encoded") }
            endpoint = posts[path]
            given = form
        } else {
            endpoint = gets.first { path == $0.key || ($0.key.hasSuffix("/") && path.hasPrefix($0.key) && path.count > $0.key.count) }?.value
            given = query
        }
        guard let endpoint else { return problems + ["no such endpoint in the API reference"] }
        for name in endpoint.required where (given[name] ?? "").isEmpty { problems.append("missing parameter \(name)") }
        for name in given.keys where !endpoint.required.contains(name) && !endpoint.optional.contains(name) {
            problems.append("unknown parameter \(name)")
        }
        for (name, value) in endpoint.values where given[name] != nil && given[name] != value {
            problems.append("\(name) must be \(value), got \(given[name] ?? "")")
        }
        for name in ["success_url", "cancel_url", "return_url"] {
            if let url = given[name], !(url.hasPrefix("http://") || url.hasPrefix("https://")) { problems.append("\(name) is not a URL") }
        }
        return problems
    }

    /// `a=1&b%5Bc%5D=2` → ["a": "1", "b[c]": "2"].
    static func decodeForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { (String(s).replacingOccurrences(of: "+", with: " ")).removingPercentEncoding ?? String(s) }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }
}

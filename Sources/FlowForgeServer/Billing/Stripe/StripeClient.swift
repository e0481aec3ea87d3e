import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// `StripeAPI` over Stripe's REST API: form-encoded POSTs, `Authorization: Bearer <secret key>`, an
/// `Idempotency-Key` on every POST, and a pinned `Stripe-Version` so the shapes read here do not change
/// under FlowForge when the account's default API version is upgraded.
struct StripeClient: StripeAPI {
    /// The API version whose object shapes `StripeSubscription` and `StripeInvoice` read.
    static let apiVersion = "2024-06-20"
    /// Stripe's answers are small; a larger body is not one of its answers.
    static let maxResponseBytes = 4 * 1024 * 1024

    let baseURL: String
    let secretKey: String
    let http: HTTPClient
    let logger: Logger
    var timeout: TimeAmount = .seconds(30)

    func createCustomer(email: String, accountID: String, idempotencyKey: String) async throws -> StripeObjectRef {
        try await send(.POST, "/v1/customers", form: [("email", email), ("metadata[account_id]", accountID)], idempotencyKey: idempotencyKey)
    }

    func createCheckoutSession(_ session: StripeCheckoutRequest, idempotencyKey: String) async throws -> StripeHostedPage {
        try await send(.POST, "/v1/checkout/sessions", form: session.form, idempotencyKey: idempotencyKey)
    }

    func createPortalSession(customer: String, returnURL: String, idempotencyKey: String) async throws -> StripeHostedPage {
        try await send(.POST, "/v1/billing_portal/sessions", form: [("customer", customer), ("return_url", returnURL)], idempotencyKey: idempotencyKey)
    }

    func subscription(id: String) async throws -> StripeSubscription? {
        do {
            return try await send(.GET, "/v1/subscriptions/\(StripeForm.escape(id))")
        } catch StripeError.refused(status: 404, _, _, _) {
            return nil
        }
    }

    func invoices(customer: String, limit: Int) async throws -> [StripeInvoice] {
        let list: StripeList<StripeInvoice> = try await send(
            .GET, "/v1/invoices?" + StripeForm.encode([("customer", customer), ("limit", String(limit))]))
        return list.data
    }

    /// Sends one request and decodes a 2xx answer as `T`; anything else becomes a `StripeError`.
    /// Also used by tests to reach parts of the API FlowForge itself does not call.
    func send<T: Decodable>(
        _ method: HTTPMethod, _ path: String, form: [(String, String)] = [], idempotencyKey: String? = nil
    ) async throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        request.headers.add(name: "Stripe-Version", value: Self.apiVersion)
        request.headers.add(name: "Accept", value: "application/json")
        if method == .POST {
            // Stripe keeps an idempotency key's answer for 24 hours; a POST without one could charge twice on a retry.
            request.headers.add(name: "Idempotency-Key", value: idempotencyKey ?? UUID().uuidString.lowercased())
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: StripeForm.encode(form)))
        }
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: timeout)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: Self.maxResponseBytes)
        } catch {
            logger.warning("Stripe request failed", metadata: ["stripe_path": "\(Self.pathOnly(path))", "error": "\(error)"])
            throw StripeError.unreachable("\(error)")
        }
        let data = Data(buffer: body)
        guard (200..<300).contains(status) else {
            let detail = (try? JSONDecoder().decode(StripeError.Body.self, from: data))?.error
            logger.notice("Stripe refused a request", metadata: [
                "stripe_path": "\(Self.pathOnly(path))", "status": "\(status)", "stripe_code": "\(detail?.code ?? "-")",
            ])
            throw StripeError.refused(
                status: status, type: detail?.type, code: detail?.code,
                message: detail?.message ?? "no error message (HTTP \(status))")
        }
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return try decoder.decode(T.self, from: data)
        } catch {
            throw StripeError.unreadable("\(method.rawValue) \(Self.pathOnly(path)): \(error)")
        }
    }

    /// The path without its query, for logs: a query may hold a customer id, which is fine, but keep logs uniform.
    static func pathOnly(_ path: String) -> Substring {
        path.split(separator: "?", maxSplits: 1).first ?? Substring(path)
    }
}

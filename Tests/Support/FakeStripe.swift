import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// A fake Stripe API on 127.0.0.1 (a random port) for what localstripe lacks: Checkout Sessions, the
/// Customer Portal and prices. It keeps customers, subscriptions and invoices in memory, checks every request
/// against Stripe's API reference (`FakeStripeContract`: bearer key, `Idempotency-Key` on POSTs, form
/// encoding, no unknown and no missing parameter) and records what it got; a request that breaks the
/// contract is answered 400, as Stripe would, and kept in `violations()`.
public final class FakeStripe: Sendable {
    public let port: Int
    /// `http://127.0.0.1:<port>`: use it as STRIPE_API_BASE.
    public var baseURL: String { "http://127.0.0.1:\(port)" }
    let state: FakeStripeState
    private let server: Task<Void, any Error>

    /// `secretKey` is the key every request must carry; `prices` the price ids that exist.
    public init(secretKey: String, prices: Set<String>) async throws {
        let state = FakeStripeState(secretKey: secretKey, prices: prices)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await state.respond(to: request) },
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "FakeStripe"),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "fake-stripe", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        server = Task { try await app.run() }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw FakeForge.FakeForgeDidNotStart()
        }
        self.port = port
        self.state = state
    }

    deinit { server.cancel() }

    public func requests() async -> [FakeStripeRequest] { await state.requests }
    /// Every contract breach so far, as "METHOD path: what was wrong".
    public func violations() async -> [String] { await state.requests.flatMap { r in r.violations.map { "\(r.method) \(r.path): \($0)" } } }
    public func customers() async -> [String: [String: String]] { await state.customers }
    public func checkoutSessions() async -> [[String: String]] { await state.sessions }

    /// Stripe finishing a Checkout Session: creates the subscription (status `active` unless told) for the
    /// session's customer and price, and returns its id.
    public func completeCheckout(_ sessionIndex: Int = 0, status: String = "active") async -> String {
        await state.completeCheckout(sessionIndex, status: status)
    }

    /// The next POST to `path` is done but answered 500 with an error text FlowForge must not pass on.
    public func loseNextAnswer(path: String) async { await state.loseNextAnswer(path: path) }

    /// A subscription made in Stripe without FlowForge (another customer, any metadata); returns its id.
    public func addSubscription(customer: String, price: String, status: String = "active", metadata: [String: String] = [:]) async -> String {
        await state.addSubscription(customer: customer, price: price, status: status, metadata: metadata)
    }

    /// Changes a subscription as Stripe would (a payment failing, a cancellation, a plan change).
    public func update(subscription id: String, status: String? = nil, price: String? = nil, cancelAtPeriodEnd: Bool? = nil) async {
        await state.update(id, status: status, price: price, cancelAtPeriodEnd: cancelAtPeriodEnd)
    }

    /// The subscription's current JSON, as `GET /v1/subscriptions/{id}` answers it.
    public func subscription(_ id: String) async -> [String: Any]? { await state.subscriptions[id]?.value }

    public func addInvoice(customer: String, number: String, total: Int, status: String) async {
        await state.addInvoice(customer: customer, number: number, total: total, status: status)
    }
}

public struct FakeStripeRequest: Sendable {
    public let method: String
    public let path: String
    public let query: [String: String]
    public let headers: [String: String]
    public let form: [String: String]
    public var violations: [String]
}

/// JSON values kept by the actor; only ever read and written inside it.
struct Box: @unchecked Sendable { var value: [String: Any] }

actor FakeStripeState {
    let secretKey: String
    let prices: Set<String>
    private(set) var requests: [FakeStripeRequest] = []
    private(set) var customers: [String: [String: String]] = [:]
    private(set) var sessions: [[String: String]] = []
    private(set) var subscriptions: [String: Box] = [:]
    private var invoices: [Box] = []
    /// Idempotency key → the parameters and the answer of its first use.
    private var answered: [String: (form: [String: String], answer: (Int, String))] = [:]
    /// Paths whose next POST is carried out but answered 500, as when the answer is lost on the way back.
    private var losing: Set<String> = []
    private var counter = 0

    init(secretKey: String, prices: Set<String>) {
        self.secretKey = secretKey
        self.prices = prices
    }

    func nextID(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_fake\(counter)"
    }

    func respond(to request: Request) async throws -> Response {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let method = request.method.rawValue
        let path = request.uri.path
        let form = FakeStripeContract.decodeForm(body)
        let query = FakeStripeContract.decodeForm(request.uri.query ?? "")
        var record = FakeStripeRequest(method: method, path: path, query: query, headers: headers, form: form, violations: [])
        record.violations = FakeStripeContract.violations(
            method: method, path: path, headers: headers, form: form, query: query, secretKey: secretKey)
        let answer: (Int, String)
        if !record.violations.isEmpty {
            answer = (400, Self.error("invalid_request_error", record.violations.joined(separator: "; ")))
        } else if headers["authorization"] != "Bearer \(secretKey)" {
            answer = (401, Self.error("invalid_request_error", "Invalid API Key provided"))
        } else if method == "POST", let key = headers["idempotency-key"], let first = answered[key] {
            // Stripe answers a reused key with the first answer, or refuses it when the parameters differ.
            answer = first.form == form ? first.answer : (400, Self.error(
                "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with."))
        } else {
            answer = handle(method: method, path: path, form: form, query: query)
            if method == "POST", let key = headers["idempotency-key"] { answered[key] = (form, answer) }
        }
        if method == "POST", losing.remove(path) != nil {
            requests.append(record)
            return Response(status: .internalServerError, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(
                string: Self.error("api_error", "fake-stripe internal detail req_secret_42"))))
        }
        requests.append(record)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        return Response(status: .init(code: answer.0), headers: fields, body: .init(byteBuffer: ByteBuffer(string: answer.1)))
    }

    private func handle(method: String, path: String, form: [String: String], query: [String: String]) -> (Int, String) {
        switch (method, path) {
        case ("POST", "/v1/customers"):
            let id = nextID("cus")
            customers[id] = form
            return (200, Self.json(["id": id, "object": "customer", "email": form["email"] ?? ""]))
        case ("POST", "/v1/checkout/sessions"):
            guard let customer = form["customer"], customers[customer] != nil else { return (400, Self.error("invalid_request_error", "No such customer")) }
            guard let price = form["line_items[0][price]"], prices.contains(price) else { return (400, Self.error("invalid_request_error", "No such price")) }
            let id = nextID("cs_test")
            var session = form
            session["id"] = id
            sessions.append(session)
            return (200, Self.json(["id": id, "object": "checkout.session", "url": "https://checkout.stripe.test/c/pay/\(id)"]))
        case ("POST", "/v1/billing_portal/sessions"):
            guard let customer = form["customer"], customers[customer] != nil else { return (400, Self.error("invalid_request_error", "No such customer")) }
            let id = nextID("bps")
            return (200, Self.json(["id": id, "object": "billing_portal.session", "url": "https://billing.stripe.test/p/session/\(id)"]))
        case ("GET", "/v1/invoices"):
            let list = invoices.filter { $0.value["customer"] as? String == query["customer"] }.reversed().prefix(Int(query["limit"] ?? "10") ?? 10)
            return (200, Self.json(["object": "list", "has_more": false, "data": list.map(\.value)]))
        default:
            if method == "GET", path.hasPrefix("/v1/subscriptions/") {
                let id = String(path.dropFirst("/v1/subscriptions/".count))
                guard let subscription = subscriptions[id] else { return (404, Self.error("invalid_request_error", "No such subscription: '\(id)'")) }
                return (200, Self.json(subscription.value))
            }
            return (404, Self.error("invalid_request_error", "Unrecognized request URL (\(method): \(path))"))
        }
    }

    func completeCheckout(_ index: Int, status: String) -> String {
        let session = sessions[index]
        let id = nextID("sub")
        let end = Int(Date().timeIntervalSince1970) + 30 * 86_400
        subscriptions[id] = Box(value: [
            "id": id, "object": "subscription", "customer": session["customer"] ?? "", "status": status,
            "cancel_at_period_end": false, "current_period_end": end,
            "metadata": ["account_id": session["subscription_data[metadata][account_id]"] ?? ""],
            "items": ["object": "list", "data": [["id": nextID("si"), "price": ["id": session["line_items[0][price]"] ?? ""], "quantity": 1]]],
        ])
        return id
    }

    func loseNextAnswer(path: String) { losing.insert(path) }

    func addSubscription(customer: String, price: String, status: String, metadata: [String: String]) -> String {
        let id = nextID("sub")
        subscriptions[id] = Box(value: [
            "id": id, "object": "subscription", "customer": customer, "status": status, "cancel_at_period_end": false,
            "current_period_end": Int(Date().timeIntervalSince1970) + 30 * 86_400, "metadata": metadata,
            "items": ["object": "list", "data": [["id": nextID("si"), "price": ["id": price], "quantity": 1]]],
        ])
        return id
    }

    func update(_ id: String, status: String?, price: String?, cancelAtPeriodEnd: Bool?) {
        guard var subscription = subscriptions[id] else { return }
        if let status { subscription.value["status"] = status }
        if let cancelAtPeriodEnd { subscription.value["cancel_at_period_end"] = cancelAtPeriodEnd }
        if let price { subscription.value["items"] = ["object": "list", "data": [["id": nextID("si"), "price": ["id": price], "quantity": 1]]] }
        subscriptions[id] = subscription
    }

    func addInvoice(customer: String, number: String, total: Int, status: String) {
        let now = Int(Date().timeIntervalSince1970)
        invoices.append(Box(value: [
            "id": nextID("in"), "object": "invoice", "customer": customer, "number": number, "total": total, "amount_due": total,
            "currency": "usd", "status": status, "hosted_invoice_url": "https://invoice.stripe.test/i/\(number)",
            "period_start": now - 30 * 86_400, "period_end": now, "created": now,
        ]))
    }

    static func json(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func error(_ type: String, _ message: String) -> String {
        json(["error": ["type": type, "message": message]])
    }
}

import FlowForgeStore
import Foundation
import Hummingbird
import HTTPTypes
import Logging

/// `POST /api/billing/webhooks` (also `/api/webhooks/stripe`): Stripe's events. The signature is checked on
/// the raw body before anything is parsed; a bad one is a 400 and changes nothing. A 2xx tells Stripe the
/// event is done with, so it is answered only once the event's effect is stored (a failure answers 5xx and
/// Stripe delivers the event again).
struct StripeWebhookController {
    let billing: BillingService?

    /// Stripe's event bodies are a few kilobytes; this bounds what an unauthenticated caller can make us read.
    static let maxBodyBytes = 1024 * 1024
    static let signatureHeader = HTTPField.Name("Stripe-Signature")!

    var endpoints: RouteCollection<AppRequestContext> {
        RouteCollection(context: AppRequestContext.self).post(use: receive)
    }

    struct Reply: ResponseEncodable {
        let received: Bool
        let outcome: String
    }

    @Sendable func receive(_ request: Request, context: AppRequestContext) async throws -> Reply {
        guard let billing else { throw APIError.billingDisabled }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: Self.maxBodyBytes)
        } catch {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "a Stripe event body is at most \(Self.maxBodyBytes) bytes")
        }
        let payload = Array(body.readableBytesView)
        do {
            try StripeSignature.verify(
                header: request.headers[Self.signatureHeader], payload: payload,
                secret: billing.settings.webhookSecret, now: Int64(Date().timeIntervalSince1970))
        } catch let error as StripeSignature.Failure {
            context.logger.notice("Stripe webhook refused", metadata: ["reason": "\(error.description)"])
            throw APIError(.badRequest, code: "invalid_signature", message: "\(error.description); check STRIPE_WEBHOOK_SECRET against the endpoint's signing secret")
        }
        guard let event = StripeEventProcessor.parse(payload) else {
            throw APIError(.badRequest, code: "invalid_event", message: "the body is not a Stripe event (a JSON object with id, type and data.object)")
        }
        do {
            let outcome = try await StripeEventProcessor(billing: billing).process(event)
            return Reply(received: true, outcome: outcome.rawValue)
        } catch let error as StripeError {
            context.logger.warning("Stripe event not applied; Stripe will deliver it again", metadata: ["stripe_event": "\(event.id)", "error": "\(error)"])
            throw APIError(.serviceUnavailable, code: "stripe_unavailable", message: "the subscription could not be read back from Stripe; deliver the event again later")
        }
    }
}

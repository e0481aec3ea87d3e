/// One code forge's webhooks: how to tell a genuine delivery, and what it asks for.
///
/// The server calls these in order: `deliveryID` (deduplication), `repositoryFullName` (to look up the
/// repository's secret), `verify`, and only after `verify` returns true, `parse`. All four are pure
/// functions of the request: no I/O, no state, safe to call any number of times, from any task.
///
/// `parse` answers with a `WebhookOutcome`:
/// - `.trigger`: build this commit;
/// - `.ping`: the forge is testing the hook; answer 200, start nothing;
/// - `.installation`: a GitHub App installation changed; record it, start nothing;
/// - `.ignored(reason:)`: well-formed but nothing to build (a deleted branch, `[skip ci]`, an event or
///   action FlowForge does not handle); answer 2xx so the forge does not retry, and log the reason.
/// It throws a `WebhookError` only for a malformed delivery (missing event header, bad JSON, a required
/// field absent); answer 400 with the error's description.
public protocol Forge: Sendable {
    /// `"github"`, `"gitlab"`, `"bitbucket"` or `"git"`; becomes `Trigger.provider`.
    var name: String { get }

    /// Delivery id used for deduplication (GitHub X-GitHub-Delivery; GitLab Idempotency-Key or
    /// X-Gitlab-Event-UUID; Bitbucket X-Request-UUID); nil when the forge sent none.
    /// A redelivery of the same event carries the same id where the forge supports redelivery.
    func deliveryID(_ request: WebhookRequest) -> String?

    /// Checks the request against `secret` before anything is parsed; constant-time.
    /// True only when the signature (or token) is present and right; false when missing, malformed or
    /// wrong, and always false for an empty secret, so an unconfigured repository accepts nothing.
    func verify(_ request: WebhookRequest, secret: String) -> Bool

    /// Which repository this delivery is for (full name), read cheaply so the caller can find its secret;
    /// nil if the delivery names none (e.g. a GitHub App installation event).
    /// Throws `WebhookError.invalidJSON` when the body is not JSON. The body is not yet verified here:
    /// use the answer only to choose a secret.
    func repositoryFullName(_ request: WebhookRequest) throws -> String?

    /// Turns a verified delivery into an outcome; throws WebhookError (bad JSON, missing required field)
    /// for malformed bodies.
    func parse(_ request: WebhookRequest) throws -> WebhookOutcome
}

/// Why a delivery could not be read. Each message names the problem and what to change, because it ends
/// up in the forge's "recent deliveries" view, where the person fixing the hook will read it.
public enum WebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A header the forge always sends is absent (e.g. the event name).
    case missingHeader(provider: String, header: String)
    /// The body is not JSON, or a field has the wrong type.
    case invalidJSON(provider: String, detail: String)
    /// A field needed to build a pipeline is absent or null; `field` is its JSON path.
    case missingField(provider: String, field: String)
    /// A field is present but unusable (e.g. a push ref outside `refs/heads/` and `refs/tags/`).
    case invalidField(provider: String, field: String, detail: String)

    public var description: String {
        switch self {
        case let .missingHeader(provider, header):
            return "The \(provider) webhook request has no \(header) header. Send it from the forge's webhook settings, or check that a proxy in front of FlowForge keeps request headers."
        case let .invalidJSON(provider, detail):
            return "The \(provider) webhook body is not the JSON FlowForge expects (\(detail)). Set the webhook's content type to application/json."
        case let .missingField(provider, field):
            return "The \(provider) webhook body has no \(field). Redeliver the event from the forge; if it persists, the event is not one FlowForge can build."
        case let .invalidField(provider, field, detail):
            return "The \(provider) webhook body has an unusable \(field): \(detail)."
        }
    }
}

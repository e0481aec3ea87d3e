import Foundation
import HTTPTypes
import Hummingbird

/// The answer to a webhook delivery: a status and a JSON body, kept as text so a redelivery can be
/// answered with exactly the same bytes.
struct WebhookReply: Sendable, Equatable {
    var status: Int
    var body: String

    /// `202 {"pipeline_id": …}`: a pipeline was queued.
    static func queued(pipelineID: String) -> WebhookReply {
        WebhookReply(status: 202, encoding: Queued(pipelineId: pipelineID))
    }

    /// `200 {"pipeline_id": …, "refused": {"code", "message"}}`: the account's plan refused the pipeline; it
    /// is on record as `error` and its commit got an `error` status. 2xx, as the forge must not retry.
    static func refused(pipelineID: String, code: String, message: String) -> WebhookReply {
        WebhookReply(status: 200, encoding: Refused(pipelineId: pipelineID, refused: .init(code: code, message: message)))
    }

    /// `200 {"ok": true}`: the forge's test delivery.
    static let ping = WebhookReply(status: 200, encoding: Ping(ok: true))

    /// `200 {"ignored": "<reason>"}`: nothing to build, and the forge should not retry.
    static func ignored(_ reason: String) -> WebhookReply {
        WebhookReply(status: 200, encoding: Ignored(ignored: reason))
    }

    /// `200 {"installation_id": …, "action": …}`: a GitHub App installation was recorded.
    static func installation(id: Int64, action: String) -> WebhookReply {
        WebhookReply(status: 200, encoding: Installation(installationId: id, action: action))
    }

    init(status: Int, body: String) {
        self.status = status
        self.body = body
    }

    private init(status: Int, encoding value: some Encodable) {
        self.status = status
        // These small structs of strings, numbers and booleans always encode.
        body = (try? String(decoding: JSONEncoder.api.encode(value), as: UTF8.self)) ?? "{}"
    }

    /// The HTTP response; `replayed` marks an answer repeated for a redelivery.
    func response(replayed: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if replayed, let name = HTTPField.Name("X-FlowForge-Redelivery") {
            headers[name] = "true"
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: body))
        )
    }

    private struct Queued: Encodable { let pipelineId: String }
    private struct Ping: Encodable { let ok: Bool }
    private struct Refused: Encodable {
        struct Reason: Encodable {
            let code: String
            let message: String
        }
        let pipelineId: String
        let refused: Reason
    }
    private struct Ignored: Encodable { let ignored: String }
    private struct Installation: Encodable {
        let installationId: Int64
        let action: String
    }
}

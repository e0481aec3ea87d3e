import Foundation

/// Why a call to Stripe did not give an answer FlowForge can use.
enum StripeError: Error, CustomStringConvertible, Sendable {
    /// Stripe answered with an error (`{"error": {"type", "code", "message"}}`).
    case refused(status: Int, type: String?, code: String?, message: String)
    /// Stripe could not be reached or did not answer in time.
    case unreachable(String)
    /// Stripe answered 2xx with a body that is not what its API reference describes.
    case unreadable(String)

    var description: String {
        switch self {
        case .refused(let status, let type, let code, let message):
            "Stripe refused the request (HTTP \(status)\(type.map { ", \($0)" } ?? "")\(code.map { ", \($0)" } ?? "")): \(message)"
        case .unreachable(let reason): "Stripe could not be reached: \(reason)"
        case .unreadable(let reason): "Stripe's answer could not be read: \(reason)"
        }
    }

    /// Stripe's error body.
    struct Body: Decodable {
        struct Detail: Decodable {
            let type: String?
            let code: String?
            let message: String?
        }
        let error: Detail
    }
}

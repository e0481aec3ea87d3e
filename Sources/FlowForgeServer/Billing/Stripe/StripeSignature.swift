import Crypto
import Foundation

/// Checks a `Stripe-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…]` (other schemes such as
/// `v0` are ignored). The signed text is `"<t>.<raw body>"`, keyed with the endpoint's signing secret. Several
/// `v1` values appear while a secret is being rolled; one match is enough.
enum StripeSignature {
    /// Stripe's own libraries allow five minutes between signing and checking.
    static let tolerance: Int64 = 300

    /// Why a signature was refused; the text is safe to return to the caller.
    struct Failure: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    static func verify(header: String?, payload: [UInt8], secret: String, now: Int64) throws {
        guard let header, !header.isEmpty else {
            throw Failure(description: "the Stripe-Signature header is missing")
        }
        var timestamp: Int64?
        var timestampText: String?
        var signatures: [[UInt8]] = []
        for item in header.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            if key == "t" {
                timestampText = value
                timestamp = Int64(value)
            } else if key == "v1", let bytes = hexBytes(value) {
                signatures.append(bytes)
            }
        }
        guard let timestampText else { throw Failure(description: "the Stripe-Signature header has no t= timestamp") }
        guard let timestamp else {
            throw Failure(description: "the Stripe-Signature t= value is not a whole number of seconds")
        }
        guard !signatures.isEmpty else { throw Failure(description: "the Stripe-Signature header has no v1= signature") }
        // The caller picks t, so `now - t` may not fit in Int64 (t = Int64.min): a trapping subtraction would end
        // the process. An overflow means the timestamp is absurdly far from now, which is a refusal like any other.
        let (distance, overflow) = now.subtractingReportingOverflow(timestamp)
        guard !overflow, distance != Int64.min, abs(distance) <= tolerance else {
            throw Failure(description: "the Stripe-Signature timestamp is more than \(tolerance) seconds from now (a replayed or delayed event)")
        }
        let key = SymmetricKey(data: Array(secret.utf8))
        // Stripe signs the t= text exactly as sent, so sign that text rather than a re-printed number.
        let signed = Array("\(timestampText).".utf8) + payload
        // isValidAuthenticationCode compares in constant time.
        guard signatures.contains(where: { HMAC<SHA256>.isValidAuthenticationCode($0, authenticating: signed, using: key) }) else {
            throw Failure(description: "no v1 signature in Stripe-Signature matches the body under STRIPE_WEBHOOK_SECRET")
        }
    }

    /// The signature Stripe would send; tests sign their events with it.
    static func sign(payload: [UInt8], secret: String, timestamp: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + payload, using: SymmetricKey(data: Array(secret.utf8)))
        return "t=\(timestamp),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        guard text.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}

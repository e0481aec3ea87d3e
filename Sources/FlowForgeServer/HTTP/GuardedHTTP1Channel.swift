import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with FlowForge's connection limits around it: a connection over the
/// cap (in all, or for its client address) gets a 503 and is closed; every other one gets `ConnectionWatch`'s header timeout and close handling
/// on top of Hummingbird's idle timeout.
struct GuardedHTTP1Channel: ServerChildChannel {
    enum Value: ServerChildChannelValue {
        case http(HTTP1Channel.Value)
        /// Over the cap: already answered and closing.
        case refused(any Channel)

        var channel: any Channel {
            switch self {
            case .http(let value): value.channel
            case .refused(let channel): channel
            }
        }
    }

    let inner: HTTP1Channel
    let limits: ConnectionLimits
    let counter: ConnectionCounter

    init(responder: @escaping HTTPChannelHandler.Responder, limits: ConnectionLimits, counter: ConnectionCounter) {
        self.inner = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: TimeAmount(limits.idleTimeout)))
        self.limits = limits
        self.counter = counter
    }

    static func refusal(_ refusal: ConnectionCounter.Refusal) -> ByteBuffer {
        let body = switch refusal {
        case .total:
            #"{"error":{"code":"too_many_connections","message":"this server has as many connections open as it accepts (FLOWFORGE_HTTP_MAX_CONNECTIONS); try again shortly"}}"#
        case .address:
            #"{"error":{"code":"too_many_connections","message":"your address has as many connections open to this server as one address may (FLOWFORGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS); reuse or close some of them"}}"#
        }
        let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        return ByteBuffer(string: head + body)
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress
        if let refused = counter.admit(address: address) {
            logger.warning("connection refused: too many open", metadata: [
                "limit": "\(refused == .total ? counter.limit : counter.limitPerAddress)", "per": "\(refused)",
                "client_address": "\(address ?? "-")",
            ])
            channel.writeAndFlush(Self.refusal(refused)).whenComplete { _ in channel.close(promise: nil) }
            return channel.eventLoop.makeSucceededFuture(.refused(channel))
        }
        let counter = self.counter
        channel.closeFuture.whenComplete { _ in counter.release(address: address) }
        let limits = self.limits
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try ConnectionWatch.install(on: channel, limits: limits)
            return .http(value)
        }
    }

    func handle(value: Value, logger: Logger) async {
        guard case .http(let http) = value else { return }
        await inner.handle(value: http, logger: logger)
    }
}

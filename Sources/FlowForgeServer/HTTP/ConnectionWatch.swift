import Hummingbird
import NIOCore
import NIOHTTP1

/// The per-connection state behind two timeouts Hummingbird does not have, and the ending of a connection
/// whose request asked to close. Lives on the connection's event loop; both of its handlers call it there.
///
/// - Header timeout: armed when the connection starts and when the first byte of a next request arrives,
///   cancelled when that request's head is complete. A client that sends half a head and stops (or sends it
///   a byte at a time) is disconnected when it fires.
/// - Body timeout: armed when a request's head is complete, cancelled when its body has arrived. A client
///   that announces a body and sends it slowly (or never) is disconnected when it fires; nothing is answered,
///   since the request's handler may already be answering.
/// - Close: once the answer to a request with `Connection: close` (or an answer carrying it, such as a 413)
///   is written, the server half-closes (the client reads the answer, then end of stream), discards what the
///   client still sends, and closes fully when the client closes or after `lingerTimeout`. Without this a
///   client still writing a refused body blocks on a socket nobody reads.
final class ConnectionWatch {
    let channel: any Channel
    let limits: ConnectionLimits
    /// Requests whose head arrived and whose answer has not ended.
    private(set) var openRequests = 0
    private var closeAfterResponse = false
    private(set) var lingering = false
    private var headTimer: Scheduled<Void>?
    private var bodyTimer: Scheduled<Void>?
    private var lingerTimer: Scheduled<Void>?
    /// The raw input handler's context: reads issued from there reach the socket even while the
    /// application side applies back-pressure.
    var rawContext: ChannelHandlerContext?

    init(channel: any Channel, limits: ConnectionLimits) {
        self.channel = channel
        self.limits = limits
    }

    /// Puts both handlers into a channel Hummingbird's HTTP/1 setup has just configured.
    static func install(on channel: any Channel, limits: ConnectionLimits) throws {
        let watch = ConnectionWatch(channel: channel, limits: limits)
        let parts = RequestPartsWatch(watch: watch)
        let operations = channel.pipeline.syncOperations
        // Right after the HTTP/1 decoder, the first handler that sees parts: each head as it is complete,
        // each answer's end as it leaves.
        let decoder = try operations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try operations.addHandler(parts, position: .after(decoder))
        try operations.addHandler(RawInputWatch(watch: watch), position: .first)
    }

    func connectionStarted() {
        armHeadTimer()
    }

    /// Raw bytes arrived; true when they are to be passed on (false while lingering: they are discarded).
    func bytesArrived() -> Bool {
        if lingering { return false }
        if openRequests == 0 && headTimer == nil { armHeadTimer() }
        return true
    }

    func headArrived(closeRequested: Bool) {
        openRequests += 1
        if closeRequested { closeAfterResponse = true }
        headTimer?.cancel()
        headTimer = nil
        bodyTimer?.cancel()
        bodyTimer = channel.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.bodyTimeout)) { [self] in
            bodyTimer = nil
            if !lingering { channel.close(promise: nil) }
        }
    }

    /// The request's body (or its end, for a request without one) has arrived in full.
    func bodyArrived() {
        bodyTimer?.cancel()
        bodyTimer = nil
    }

    func responseAsksToClose() {
        closeAfterResponse = true
    }

    func responseEnded() {
        openRequests = max(0, openRequests - 1)
        if openRequests == 0 && closeAfterResponse && !lingering { startLingering() }
    }

    func inputClosed() {
        if lingering { channel.close(promise: nil) }
    }

    func connectionEnded() {
        headTimer?.cancel()
        headTimer = nil
        bodyTimer?.cancel()
        bodyTimer = nil
        lingerTimer?.cancel()
        lingerTimer = nil
    }

    private func armHeadTimer() {
        headTimer?.cancel()
        headTimer = channel.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.headerTimeout)) { [self] in
            headTimer = nil
            if openRequests == 0 { channel.close(promise: nil) }
        }
    }

    private func startLingering() {
        lingering = true
        headTimer?.cancel()
        headTimer = nil
        bodyTimer?.cancel()
        bodyTimer = nil
        channel.close(mode: .output, promise: nil)
        lingerTimer = channel.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(limits.lingerTimeout)) { [self] in
            lingerTimer = nil
            channel.close(promise: nil)
        }
        rawContext?.read()
    }
}

/// First in the pipeline: sees every byte as it arrives, before the HTTP decoder.
final class RawInputWatch: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let watch: ConnectionWatch

    init(watch: ConnectionWatch) { self.watch = watch }

    func handlerAdded(context: ChannelHandlerContext) {
        watch.rawContext = context
        if context.channel.isActive { watch.connectionStarted() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watch.rawContext = nil
        watch.connectionEnded()
    }

    func channelActive(context: ChannelHandlerContext) {
        watch.connectionStarted()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.connectionEnded()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if watch.bytesArrived() { context.fireChannelRead(data) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if watch.lingering {
            // Keep draining: the application no longer reads, so nothing else asks for more.
            context.read()
        } else {
            context.fireChannelReadComplete()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, watch.lingering {
            watch.inputClosed()
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Sees request heads arrive and answers leave, as HTTP parts.
final class RequestPartsWatch: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let watch: ConnectionWatch

    init(watch: ConnectionWatch) { self.watch = watch }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): watch.headArrived(closeRequested: !head.isKeepAlive)
        case .end: watch.bodyArrived()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.headers[canonicalForm: "connection"].contains(where: { $0.lowercased() == "close" }) {
                watch.responseAsksToClose()
            }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            let written = context.eventLoop.makePromise(of: Void.self)
            let watch = self.watch
            written.futureResult.assumeIsolated().whenComplete { result in
                watch.responseEnded()
                promise?.completeWith(result)
            }
            context.write(data, promise: written)
        }
    }
}

import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A plain TCP connection to a test server, for what an HTTP client library hides: sending half a request,
/// holding a connection idle, choosing the source address (any of 127.0.0.0/8), and seeing exactly when the
/// server ends the stream.
final class RawHTTPConnection: Sendable {
    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let received = Mutex<[UInt8]>([])
        let ended: EventLoopPromise<Void>
        /// Fulfilled once a whole response head (status line and headers) has arrived.
        let headArrived: EventLoopPromise<Void>
        /// Touched on the channel's event loop only.
        private var done = false
        private var headSeen = false

        init(ended: EventLoopPromise<Void>, headArrived: EventLoopPromise<Void>) {
            self.ended = ended
            self.headArrived = headArrived
        }

        private func end() {
            if !done {
                done = true
                ended.succeed()
                // A stream that ends without a head ends whoever waits for one, too.
                if !headSeen { headArrived.succeed() }
            }
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            let complete = received.withLock { bytes in
                bytes.append(contentsOf: buffer.readableBytesView)
                return bytes.firstRange(of: Array("\r\n\r\n".utf8)) != nil
            }
            if complete, !headSeen {
                headSeen = true
                headArrived.succeed()
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event { end() }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            end()
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    let channel: any Channel
    private let collector: Collector

    private init(channel: any Channel, collector: Collector) {
        self.channel = channel
        self.collector = collector
    }

    /// Connects to 127.0.0.1:`port`, from `source` (e.g. "127.0.0.2") when given.
    static func open(port: Int, from source: String? = nil) async throws -> RawHTTPConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let collector = Collector(ended: loop.makePromise(), headArrived: loop.makePromise())
        var bootstrap = ClientBootstrap(group: loop)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        return RawHTTPConnection(channel: channel, collector: collector)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    func send(bytes count: Int) async throws {
        try await channel.writeAndFlush(ByteBuffer(repeating: UInt8(ascii: "x"), count: count))
    }

    /// Everything received so far.
    var text: String { String(decoding: collector.received.withLock { $0 }, as: UTF8.self) }

    /// The status code of the first answer received, if one arrived.
    var status: Int? {
        let line = text.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = line.split(separator: " ")
        return parts.count >= 2 && parts[0].hasPrefix("HTTP/1.") ? Int(parts[1]) : nil
    }

    /// Writes `count` bytes of body and waits until the socket took all of them (the server read them, or
    /// buffers had room); false if `timeout` passed first (the server stopped reading), in which case the
    /// connection is closed here.
    func write(bytes count: Int, within timeout: Duration) async -> Bool {
        let written = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(ByteBuffer(repeating: UInt8(ascii: "x"), count: count), promise: written)
        return await Self.first(written.futureResult, timeout: timeout, channel: channel)
    }

    /// Waits until the server ends the stream (end of input, or the connection closed); false if `timeout`
    /// passed first, in which case the connection is closed here.
    func waitForEnd(timeout: Duration) async -> Bool {
        await Self.first(collector.ended.futureResult, timeout: timeout, channel: channel)
    }

    /// Waits until a whole response head has arrived (or the stream ended without one); false if
    /// `timeout` passed first, in which case the connection is closed here.
    func waitForHead(timeout: Duration) async -> Bool {
        await Self.first(collector.headArrived.futureResult, timeout: timeout, channel: channel)
    }

    /// True when `future` completes (either way) before `timeout`; else closes `channel`, which is what
    /// completes the future then.
    private static func first(_ future: EventLoopFuture<Void>, timeout: Duration, channel: any Channel) async -> Bool {
        let outcome = Outcome()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await future.get()
                outcome.decide(true)
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                // Closing is what ends the waiting task above when the server never did.
                if outcome.decide(false) { try? await channel.close() }
            }
            await group.next()
            group.cancelAll()
        }
        return outcome.value ?? false
    }

    /// Whichever of "ended" and "timed out" happened first.
    private final class Outcome: Sendable {
        private let state = Mutex<Bool?>(nil)

        /// Records `value` unless something was recorded already; true when this call decided.
        @discardableResult
        func decide(_ value: Bool) -> Bool {
            state.withLock { current in
                guard current == nil else { return false }
                current = value
                return true
            }
        }

        var value: Bool? { state.withLock { $0 } }
    }

    /// Sends one complete request with `Connection: close` and waits for the whole answer.
    static func request(port: Int, from source: String? = nil, _ method: String, _ path: String, json: String? = nil) async throws -> (status: Int?, body: String) {
        let connection = try await open(port: port, from: source)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if let json { head += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n" }
        try await connection.send(head + "\r\n" + (json ?? ""))
        _ = await connection.waitForEnd(timeout: .seconds(30))
        try? await connection.channel.close()
        let text = connection.text
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (connection.status, body)
    }

    func close() async {
        try? await channel.close()
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A git server on 127.0.0.1 that an attacker would run: it answers every request 401 with a Basic
/// challenge (so a git client offers whatever credentials it has) and records each `Authorization` it got.
final class RecordingGitServer: Sendable {
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    private let recorder: Recorder
    private let server: Task<Void, any Error>

    private final class Recorder: Sendable {
        let seen = Mutex<[String]>([])
    }

    init() async throws {
        let recorder = Recorder()
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                if let authorization = request.headers[.authorization] { recorder.seen.withLock { $0.append(authorization) } }
                return Response(status: .unauthorized, headers: [.wwwAuthenticate: #"Basic realm="git""#])
            },
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: Logger(label: "recording-git", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        server = Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            server.cancel()
            throw CancellationError()
        }
        self.port = port
        self.recorder = recorder
    }

    /// Every `Authorization` header received so far.
    var authorizations: [String] { recorder.seen.withLock { $0 } }

    func stop() { server.cancel() }
    deinit { server.cancel() }
}

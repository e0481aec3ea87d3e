import AsyncHTTPClient
import NIOCore

/// Where a log stream got to: the last message's timestamp and how many messages of that instant were passed
/// on, so a reopened stream skips exactly those.
struct DockerLogCursor: Sendable {
    var resumeAt: DockerLogTimestamp?
    var passedAtResumePoint = 0
}

extension DockerClient {
    /// Follows a container's stdout and stderr until it stops, passing each piece of output on as it arrives.
    ///
    /// A step may print nothing for longer than the HTTP client's read timeout (the shared client's is 90 s),
    /// which ends the request. Then the stream is opened again from the last message's timestamp, skipping
    /// the messages of that instant already passed on, so no output is lost or repeated.
    ///
    /// With `follow: false` it reads what the daemon has from `cursor` on and returns: the daemon may write a
    /// last line without a newline only after the followed stream ended, so a step's logs are drained once more
    /// after it exits.
    func followLogs(_ id: String, follow: Bool = true, cursor: inout DockerLogCursor, onOutput: ([UInt8]) async -> Void) async throws {
        while true {
            var query = [("follow", follow ? "true" : "false"), ("stdout", "true"), ("stderr", "true"), ("timestamps", "true")]
            if let resumeAt = cursor.resumeAt { query.append(("since", resumeAt.sinceParameter)) }
            var toSkip = cursor.passedAtResumePoint
            do {
                let response = try await http.execute(
                    try request(.GET, "/containers/\(id)/logs", query: query), deadline: .distantFuture,
                    logger: logger)
                if response.status.code >= 400 {
                    let body = try await response.body.collect(upTo: Self.maxBodyBytes)
                    throw DockerError.daemon(status: Int(response.status.code), message: Self.message(in: body))
                }
                var demuxer = DockerStreamDemuxer()
                for try await chunk in response.body {
                    // A chunk carries one frame per line a step printed: passed on together, so a chatty
                    // step costs one log append per network read rather than one per line.
                    var output: [UInt8] = []
                    for frame in try demuxer.feed(chunk.readableBytesView) {
                        guard let (stamp, message) = DockerLogTimestamp.split(frame.payload) else {
                            output += frame.payload
                            continue
                        }
                        if stamp == cursor.resumeAt, toSkip > 0 {
                            toSkip -= 1
                            continue
                        }
                        if stamp == cursor.resumeAt {
                            cursor.passedAtResumePoint += 1
                        } else {
                            cursor.resumeAt = stamp
                            cursor.passedAtResumePoint = 1
                        }
                        output += message
                    }
                    if !output.isEmpty { await onOutput(output) }
                }
                return
            } catch let error as HTTPClientError where error == .readTimeout {
                logger.debug("log stream idle past the read timeout; resuming", metadata: ["container": "\(id)"])
            }
        }
    }
}

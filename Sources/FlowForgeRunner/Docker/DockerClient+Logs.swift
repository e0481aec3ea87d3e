import AsyncHTTPClient
import NIOCore

extension DockerClient {
    /// Follows a container's stdout and stderr until it stops, passing each piece of output on as it arrives.
    ///
    /// A step may print nothing for longer than the HTTP client's read timeout (the shared client's is 90 s),
    /// which ends the request. Then the stream is opened again from the last message's timestamp, skipping
    /// the messages of that instant already passed on, so no output is lost or repeated.
    func followLogs(_ id: String, onOutput: ([UInt8]) async -> Void) async throws {
        var resumeAt: DockerLogTimestamp?
        var passedAtResumePoint = 0
        while true {
            var query = [("follow", "true"), ("stdout", "true"), ("stderr", "true"), ("timestamps", "true")]
            if let resumeAt { query.append(("since", resumeAt.sinceParameter)) }
            var toSkip = passedAtResumePoint
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
                    for frame in try demuxer.feed(chunk.readableBytesView) {
                        guard let (stamp, message) = DockerLogTimestamp.split(frame.payload) else {
                            await onOutput(frame.payload)
                            continue
                        }
                        if stamp == resumeAt, toSkip > 0 {
                            toSkip -= 1
                            continue
                        }
                        if stamp == resumeAt {
                            passedAtResumePoint += 1
                        } else {
                            resumeAt = stamp
                            passedAtResumePoint = 1
                        }
                        await onOutput(Array(message))
                    }
                }
                return
            } catch let error as HTTPClientError where error == .readTimeout {
                logger.debug("log stream idle past the read timeout; resuming", metadata: ["container": "\(id)"])
            }
        }
    }
}

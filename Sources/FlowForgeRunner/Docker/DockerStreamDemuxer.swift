/// Splits Docker's multiplexed output stream (used for `logs` and `attach` without a TTY) into frames.
///
/// Each frame is an 8-byte header — stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, a
/// big-endian `UInt32` payload length — followed by the payload. HTTP chunks do not respect frame borders,
/// so the demuxer keeps an incomplete frame until the rest arrives.
/// See https://docs.docker.com/engine/api/v1.41/#operation/ContainerAttach ("Stream format").
public struct DockerStreamDemuxer: Sendable {
    public enum Stream: UInt8, Sendable {
        case stdin = 0, stdout = 1, stderr = 2
    }

    public struct Frame: Sendable, Equatable {
        public var stream: Stream
        public var payload: [UInt8]

        public init(stream: Stream, payload: [UInt8]) {
            self.stream = stream
            self.payload = payload
        }
    }

    public enum DemuxError: Error, Equatable, CustomStringConvertible {
        case unknownStream(UInt8)

        public var description: String {
            switch self {
            case .unknownStream(let byte):
                "Docker sent an output frame for unknown stream \(byte); is the container running with a TTY?"
            }
        }
    }

    private var pending: [UInt8] = []

    public init() {}

    /// Bytes of a frame that has started but not finished; non-zero at the end of a stream means it was cut off.
    public var pendingByteCount: Int { pending.count }

    /// Adds bytes from the stream and returns every frame completed by them, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(DemuxError) -> [Frame] {
        pending.append(contentsOf: bytes)
        var frames: [Frame] = []
        var start = 0
        while pending.count - start >= 8 {
            let type = pending[start]
            guard let stream = Stream(rawValue: type) else { throw .unknownStream(type) }
            let length = pending[(start + 4)..<(start + 8)].reduce(0) { ($0 << 8) | Int($1) }
            guard pending.count - start - 8 >= length else { break }
            frames.append(Frame(stream: stream, payload: Array(pending[(start + 8)..<(start + 8 + length)])))
            start += 8 + length
        }
        // One removal per feed keeps this linear in the bytes fed, however many frames a chunk holds.
        pending.removeFirst(start)
        return frames
    }
}

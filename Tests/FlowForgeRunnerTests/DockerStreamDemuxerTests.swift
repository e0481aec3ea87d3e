import Testing

@testable import FlowForgeRunner

@Suite struct DockerStreamDemuxerTests {
    /// One frame as Docker writes it: stream byte, three zeros, big-endian length, payload.
    private func frame(_ stream: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF),
            UInt8(length & 0xFF)] + payload
    }

    @Test func splitsSeveralFramesFromOneChunk() throws {
        var demuxer = DockerStreamDemuxer()
        let frames = try demuxer.feed(frame(1, Array("out\n".utf8)) + frame(2, Array("err\n".utf8)))
        #expect(
            frames == [
                .init(stream: .stdout, payload: Array("out\n".utf8)),
                .init(stream: .stderr, payload: Array("err\n".utf8)),
            ])
        #expect(demuxer.pendingByteCount == 0)
    }

    @Test func joinsAFrameSplitAtEveryPossibleByte() throws {
        let bytes = frame(1, Array("hello world".utf8)) + frame(2, Array("second".utf8))
        for cut in 0...bytes.count {
            var demuxer = DockerStreamDemuxer()
            let frames = try demuxer.feed(bytes[..<cut]) + demuxer.feed(bytes[cut...])
            #expect(frames.map(\.payload) == [Array("hello world".utf8), Array("second".utf8)], "cut at \(cut)")
            #expect(demuxer.pendingByteCount == 0)
        }
    }

    @Test func handlesOneByteChunks() throws {
        let bytes = frame(1, Array("a".utf8)) + frame(1, []) + frame(2, Array("bc".utf8))
        var demuxer = DockerStreamDemuxer()
        var frames: [DockerStreamDemuxer.Frame] = []
        for byte in bytes { frames += try demuxer.feed([byte]) }
        #expect(frames.map(\.stream) == [.stdout, .stdout, .stderr])
        #expect(frames.map(\.payload) == [Array("a".utf8), [], Array("bc".utf8)])
    }

    @Test func readsLengthsAboveOneByteAsBigEndian() throws {
        let payload = [UInt8](repeating: 0x41, count: 70_000)  // 0x00_01_11_70: every length byte matters
        var demuxer = DockerStreamDemuxer()
        let frames = try demuxer.feed(frame(1, payload))
        #expect(frames.count == 1)
        #expect(frames.first?.payload.count == 70_000)
    }

    @Test func keepsAnIncompleteFrameUntilTheRestArrives() throws {
        var demuxer = DockerStreamDemuxer()
        let bytes = frame(1, Array("partial".utf8))
        #expect(try demuxer.feed(bytes.dropLast(3)).isEmpty)
        #expect(demuxer.pendingByteCount == bytes.count - 3)
        #expect(try demuxer.feed(bytes.suffix(3)).map(\.payload) == [Array("partial".utf8)])
    }

    @Test func rejectsAnUnknownStreamByte() {
        var demuxer = DockerStreamDemuxer()
        #expect(throws: DockerStreamDemuxer.DemuxError.unknownStream(7)) {
            try demuxer.feed(frame(7, [1]))
        }
    }
}

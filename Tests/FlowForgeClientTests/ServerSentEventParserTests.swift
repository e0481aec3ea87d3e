import Testing
@testable import FlowForgeClient

@Suite("server-sent event parser")
struct ServerSentEventParserTests {
    static let stream = Array("retry: 1500\n\n: keep-alive\n\nid: 1.r0\nevent: step\ndata: {\"name\":\"build\"}\n\nid: 1.r6\r\nevent: log\r\ndata: first\r\ndata:second\r\n\r\nevent: end\rdata: {\"status\":\"success\"}\r\r".utf8)

    static let expected = [
        ServerSentEvent(id: "1.r0", event: "step", data: #"{"name":"build"}"#),
        ServerSentEvent(id: "1.r6", event: "log", data: "first\nsecond"),
        // An event without its own id keeps the last one, as the standard says.
        ServerSentEvent(id: "1.r6", event: "end", data: #"{"status":"success"}"#),
    ]

    @Test func aWholeStreamGivesItsEventsInOrder() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Self.stream) == Self.expected)
        #expect(parser.retryMilliseconds == 1500)
        #expect(parser.lastEventID == "1.r6")
    }

    @Test func everySplitOfTheStreamGivesTheSameEvents() throws {
        for cut in 1..<Self.stream.count {
            var parser = ServerSentEventParser()
            let events = try parser.feed(Self.stream[..<cut]) + parser.feed(Self.stream[cut...])
            #expect(events == Self.expected, "split at byte \(cut)")
        }
        var parser = ServerSentEventParser()
        var oneByOne: [ServerSentEvent] = []
        for byte in Self.stream { oneByOne += try parser.feed([byte]) }
        #expect(oneByOne == Self.expected)
    }

    @Test func anEventWithoutDataIsNotDispatchedAndCommentsAreIgnored() throws {
        var parser = ServerSentEventParser()
        #expect(try parser.feed(Array("event: step\n\n:data: x\n\ndata\n\n".utf8)) == [ServerSentEvent(id: nil, event: "message", data: "")])
    }

    @Test func aLineThatNeverEndsIsRefusedPastTheCap() throws {
        var parser = ServerSentEventParser(maxLineBytes: 16)
        #expect(throws: ServerSentEventParser.LineTooLong.self) { try parser.feed(Array(repeating: UInt8(ascii: "x"), count: 17)) }
    }
}

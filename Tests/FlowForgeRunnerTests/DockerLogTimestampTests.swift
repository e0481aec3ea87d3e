import Testing

@testable import FlowForgeRunner

@Suite struct DockerLogTimestampTests {
    @Test func convertsToTheSinceParameter() throws {
        // 2024-05-07T21:09:36Z is 1715116176 seconds after the epoch.
        let stamp = try #require(DockerLogTimestamp("2024-05-07T21:09:36.12345Z"))
        #expect(stamp.sinceParameter == "1715116176.123450000")
        #expect(DockerLogTimestamp("1970-01-01T00:00:00Z")?.sinceParameter == "0.000000000")
        #expect(DockerLogTimestamp("2000-03-01T00:00:01.000000001Z")?.sinceParameter == "951868801.000000001")
    }

    @Test func splitsTheTimestampFromTheMessage() throws {
        let (stamp, message) = try #require(DockerLogTimestamp.split(Array("2024-05-07T21:09:36.5Z hi there\n".utf8)))
        #expect(stamp.nanoseconds == 500_000_000)
        #expect(Array(message) == Array("hi there\n".utf8))
    }

    @Test func rejectsTextThatIsNoTimestamp() {
        #expect(DockerLogTimestamp("hello") == nil)
        #expect(DockerLogTimestamp("2024-05-07T21:09:36.1234567890Z") == nil)
        #expect(DockerLogTimestamp.split(Array("no timestamp here".utf8)) == nil)
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import FlowForgeServer

/// Connection handling of the real server, seen from a plain socket: what an HTTP library would hide.
@Suite("HTTP connections: limits and timeouts")
struct HTTPConnectionTests {
    /// A client that sends its whole body before reading (as Python's urllib does) must not block forever on a
    /// connection the server no longer reads.
    @Test func aClientStillWritingARefusedBodyGetsIts413AndTheEnd() async throws {
        try await withLiveTestApp(environment: ["MAX_FILE_SIZE": "1024"]) { _, port, _ in
            let connection = try await RawHTTPConnection.open(port: port)
            let size = 32 * 1024 * 1024
            try await connection.send(
                "POST /api/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: \(size)\r\nConnection: close\r\n\r\n"
            )
            // More than the socket buffers of both ends hold: the write completes only if the server reads.
            #expect(await connection.write(bytes: size, within: .seconds(10)), "the server stopped reading and the client hangs")
            #expect(await connection.waitForEnd(timeout: .seconds(10)), "the server must end the connection after its 413")
            #expect(connection.status == 413, "\(connection.text.prefix(200))")
            #expect(connection.text.contains("payload_too_large"))
            await connection.close()
        }
    }

    @Test func aHalfSentRequestIsClosedAfterTheHeaderTimeout() async throws {
        let environment = ["FLOWFORGE_HTTP_HEADER_TIMEOUT": "300", "FLOWFORGE_HTTP_IDLE_TIMEOUT": "60000"]
        try await withLiveTestApp(environment: environment) { _, port, _ in
            let connection = try await RawHTTPConnection.open(port: port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            let started = ContinuousClock.now
            #expect(await connection.waitForEnd(timeout: .seconds(10)))
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(connection.status == nil, "no answer to a request that never arrived")
            await connection.close()
        }
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let environment = ["FLOWFORGE_HTTP_IDLE_TIMEOUT": "300", "FLOWFORGE_HTTP_HEADER_TIMEOUT": "60000"]
        try await withLiveTestApp(environment: environment) { _, port, _ in
            let connection = try await RawHTTPConnection.open(port: port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            #expect(await connection.waitForEnd(timeout: .seconds(10)))
            #expect(connection.status == 200)
            await connection.close()
        }
    }

    @Test func aKeepAliveConnectionServesSeveralRequestsWithinTheTimeouts() async throws {
        let environment = ["FLOWFORGE_HTTP_IDLE_TIMEOUT": "60000", "FLOWFORGE_HTTP_HEADER_TIMEOUT": "60000"]
        try await withLiveTestApp(environment: environment) { _, port, _ in
            let connection = try await RawHTTPConnection.open(port: port)
            try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(await connection.waitForEnd(timeout: .seconds(10)))
            #expect(connection.text.components(separatedBy: "HTTP/1.1 200").count == 3, "\(connection.text)")
            await connection.close()
        }
    }

    @Test func aBodySentTooSlowlyEndsTheConnectionAfterTheBodyTimeout() async throws {
        let environment = ["FLOWFORGE_HTTP_BODY_TIMEOUT": "300", "FLOWFORGE_HTTP_HEADER_TIMEOUT": "60000", "FLOWFORGE_HTTP_IDLE_TIMEOUT": "60000"]
        try await withLiveTestApp(environment: environment) { _, port, _ in
            let connection = try await RawHTTPConnection.open(port: port)
            try await connection.send(
                "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"em"
            )
            let started = ContinuousClock.now
            #expect(await connection.waitForEnd(timeout: .seconds(10)), "a body that never completes must not hold the connection")
            #expect(ContinuousClock.now - started < .seconds(5))
            await connection.close()
        }
    }

    @Test func aBodyThatArrivesInTimeIsServed() async throws {
        let environment = ["FLOWFORGE_HTTP_BODY_TIMEOUT": "2000", "FLOWFORGE_HTTP_HEADER_TIMEOUT": "60000"]
        try await withLiveTestApp(environment: environment) { _, port, _ in
            let connection = try await RawHTTPConnection.open(port: port)
            let body = #"{"email": "nobody@example.com", "password": "wrong password"}"#
            try await connection.send(
                "POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            )
            try await connection.send(body)
            #expect(await connection.waitForEnd(timeout: .seconds(10)))
            #expect(connection.status == 401, "\(connection.text.prefix(300))")
            await connection.close()
        }
    }

    @Test func connectionsOverTheCapAreRefused() async throws {
        try await expectCapRefuses(["FLOWFORGE_HTTP_MAX_CONNECTIONS": "3"], naming: "FLOWFORGE_HTTP_MAX_CONNECTIONS)")
    }

    @Test func connectionsFromOneAddressOverItsCapAreRefused() async throws {
        try await expectCapRefuses(["FLOWFORGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS": "3"], naming: "FLOWFORGE_HTTP_MAX_CONNECTIONS_PER_ADDRESS")
    }

    /// With a cap of 3, the test client's own connection and two held ones fill it: a fourth is refused
    /// with a 503 naming the setting, and once one closes a new one is served again.
    private func expectCapRefuses(_ cap: [String: String], naming setting: String) async throws {
        let environment = cap.merging(["FLOWFORGE_HTTP_HEADER_TIMEOUT": "60000"]) { _, new in new }
        try await withLiveTestApp(environment: environment) { client, port, _ in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            let held = [try await RawHTTPConnection.open(port: port), try await RawHTTPConnection.open(port: port)]
            // Both are served, so both are counted. Each is set up on its own event loop, so the answer is
            // awaited: without it the next connection could be admitted before them.
            for connection in held {
                try await connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                #expect(await connection.waitForHead(timeout: .seconds(10)))
                #expect(connection.status == 200, "\(connection.text.prefix(300))")
            }
            let refused = try await RawHTTPConnection.open(port: port)
            #expect(await refused.waitForEnd(timeout: .seconds(10)))
            #expect(refused.status == 503)
            #expect(refused.text.contains("too_many_connections") && refused.text.contains(setting), "\(refused.text)")
            for connection in held {
                await connection.close()
            }
            await refused.close()
            // The slots are given back when connections end.
            let deadline = ContinuousClock.now + .seconds(10)
            var served = false
            while !served, ContinuousClock.now < deadline {
                let again = try await RawHTTPConnection.open(port: port)
                try await again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                _ = await again.waitForEnd(timeout: .seconds(5))
                served = again.status == 200
                await again.close()
                if !served { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(served, "a closed connection's slot was not given back")
        }
    }
}

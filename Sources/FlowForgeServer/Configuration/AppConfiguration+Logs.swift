/// How much output a pipeline may keep, and how event streams keep idle connections open.
public struct LogSettings: Sendable, Equatable {
    /// `FLOWFORGE_MAX_LOG_BYTES`: the most output one pipeline's log keeps, all steps together. Past it a
    /// step's output is read and dropped (the step is never blocked), after one line saying so.
    public var maxLogBytes: Int64 = 16 << 20
    /// `FLOWFORGE_SSE_KEEPALIVE_MS`: an event stream with nothing to send writes a `:` comment this often, so
    /// that proxies keep it open and a client that went away is noticed.
    public var eventKeepAliveMillis: Int = 15_000

    public init() {}
}

extension AppConfiguration {
    mutating func readLogSettings(_ env: EnvironmentReader) throws {
        logSettings.maxLogBytes = try env.byteSize("FLOWFORGE_MAX_LOG_BYTES", default: 16 << 20, range: 1024...(1 << 40))
        logSettings.eventKeepAliveMillis = try env.int("FLOWFORGE_SSE_KEEPALIVE_MS", default: 15_000, range: 10...3_600_000)
    }
}

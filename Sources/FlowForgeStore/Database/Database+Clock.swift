extension Database {
    /// The database's own clock as epoch milliseconds, as an SQL expression.
    ///
    /// Lease times come from here, never from a worker's wall clock: replicas whose clocks disagree then
    /// still agree on when a lease expires, and a replica whose clock runs ahead cannot steal live jobs.
    var nowMillisSQL: String {
        switch dialect {
        case .sqlite: "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"
        case .postgres: "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
        }
    }

    /// The database's clock now, in epoch milliseconds.
    public func nowMillis() async throws -> Int64 {
        let expression = nowMillisSQL
        return try await withConnection { db in
            try await db.raw("SELECT \(unsafeRaw: expression) AS now").first()?.int64("now") ?? Clock.nowMillis()
        }
    }
}

/// Fixed-window request counts per client key, in bounded memory with O(1) work per request.
///
/// Entries live in two generations. New and recently seen keys go into `current`; when a whole window has
/// passed, or `current` holds half the capacity, `current` becomes `previous` and the old `previous` is
/// dropped in one step. A key found in `previous` moves back into `current` with its count, so an active
/// client keeps its window. What is dropped was either untouched for a whole window (its count had expired
/// anyway) or, under a flood of distinct keys, among the least recently seen: the table never holds more than
/// `capacity` keys, and no request ever scans it.
struct RateLimitTable: Sendable {
    struct Entry: Sendable, Equatable {
        var start: Int64
        var count: Int
    }

    let window: Int64
    let limit: Int
    let capacity: Int
    private(set) var current: [String: Entry] = [:]
    private(set) var previous: [String: Entry] = [:]
    private var generationStart: Int64?
    /// How often the generations turned over (for tests of the bound).
    private(set) var rotations = 0

    init(windowMillis: Int64, limit: Int, capacity: Int = 100_000) {
        precondition(capacity >= 2, "a rate-limit table needs room for at least two keys")
        self.window = windowMillis
        self.limit = limit
        self.capacity = capacity
    }

    /// Keys currently remembered; never more than `capacity`.
    var storedCount: Int { current.count + previous.count }

    /// Counts one request of `key` at `now` (ms); nil when allowed, else the milliseconds until its window ends.
    mutating func admit(_ key: String, now: Int64) -> Int64? {
        let start = generationStart ?? now
        generationStart = start
        if now - start >= window {
            rotate(at: now)
        }
        var entry = current[key] ?? previous.removeValue(forKey: key) ?? Entry(start: now, count: 0)
        if now - entry.start >= window { entry = Entry(start: now, count: 0) }
        entry.count += 1
        if current[key] == nil && current.count >= capacity / 2 {
            rotate(at: now)
        }
        current[key] = entry
        return entry.count > limit ? entry.start + window - now : nil
    }

    private mutating func rotate(at now: Int64) {
        previous = current
        current = [:]
        current.reserveCapacity(min(capacity / 2, 1024))
        generationStart = now
        rotations += 1
    }
}

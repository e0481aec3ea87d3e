/// Fixed-window request counts per client key, in bounded memory with amortised O(1) work per request.
///
/// Every window has the same length, so entries expire in the order their windows started. Each window start
/// is also appended to `expiries`, a queue in that order; a request first pops the front records whose window
/// is over and drops their entries (a record whose key has started a newer window since is just discarded).
/// Only expired entries are ever dropped: a live count is never forgotten. When the table holds `capacity`
/// live keys, a new key is refused (fail closed, answered 429 until the oldest window ends) rather than making
/// room by evicting someone's live count, which would let a flood of distinct keys reset everyone's limit.
/// Keys already in the table are counted as usual.
struct RateLimitTable: Sendable {
    struct Entry: Sendable, Equatable {
        var start: Int64
        var count: Int
    }

    private struct Expiry: Sendable {
        let key: String
        let start: Int64
    }

    let window: Int64
    let limit: Int
    let capacity: Int
    private(set) var entries: [String: Entry] = [:]
    /// Window starts in arrival order; `head` is the front (popping by index keeps it O(1)).
    private var expiries: [Expiry] = []
    private var head = 0
    /// New keys refused because the table was full of live entries (for tests and diagnostics).
    private(set) var refusedForCapacity = 0

    init(windowMillis: Int64, limit: Int, capacity: Int = 100_000) {
        precondition(capacity >= 1, "a rate-limit table needs room for at least one key")
        self.window = windowMillis
        self.limit = limit
        self.capacity = capacity
    }

    /// Keys currently remembered; never more than `capacity`.
    var storedCount: Int { entries.count }

    /// Counts one request of `key` at `now` (ms) against the table's own limit; nil when allowed, else the
    /// milliseconds until it may retry.
    mutating func admit(_ key: String, now: Int64) -> Int64? {
        decide(key, now: now, limit: limit).retryAfterMillis
    }

    /// Counts one request of `key` at `now` (ms) against `limit`, which may differ per key (plans) and per
    /// request (a plan changed mid-window applies at once).
    mutating func decide(_ key: String, now: Int64, limit: Int) -> RateLimitDecision {
        dropExpired(now: now)
        var entry: Entry
        if let known = entries[key], now - known.start < window {
            entry = known
        } else {
            if entries[key] == nil && entries.count >= capacity {
                refusedForCapacity += 1
                // The front record is the oldest live window; it ends first.
                let oldest = head < expiries.count ? expiries[head].start : now
                let wait = max(1, oldest + window - now)
                return RateLimitDecision(limit: limit, remaining: 0, resetAtMillis: now + wait, retryAfterMillis: wait)
            }
            entry = Entry(start: now, count: 0)
            expiries.append(Expiry(key: key, start: now))
        }
        entry.count += 1
        entries[key] = entry
        let reset = entry.start + window
        return RateLimitDecision(
            limit: limit, remaining: max(0, limit - entry.count), resetAtMillis: reset,
            retryAfterMillis: entry.count > limit ? reset - now : nil)
    }

    /// Takes back one counted request of `key` while its window is live; never below zero.
    mutating func refund(_ key: String, now: Int64) {
        guard var entry = entries[key], now - entry.start < window, entry.count > 0 else { return }
        entry.count -= 1
        entries[key] = entry
    }

    private mutating func dropExpired(now: Int64) {
        while head < expiries.count, now - expiries[head].start >= window {
            let record = expiries[head]
            head += 1
            // Only if the entry is still the window this record was made for.
            if entries[record.key]?.start == record.start { entries.removeValue(forKey: record.key) }
        }
        // Compact once the consumed front is at least half the queue, so the queue stays about as long as the
        // live records it holds (at most one per key and window).
        if head > 1024 && head * 2 >= expiries.count {
            expiries.removeFirst(head)
            head = 0
        }
    }
}

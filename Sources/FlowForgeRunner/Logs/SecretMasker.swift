import Foundation

/// Replaces every occurrence of a secret's value in a stream of output bytes by `********`, however the
/// stream is cut into chunks (writes, Docker frames).
///
/// What is masked (`SecretMasker.patterns(for:)`): each value whole; the value without leading and trailing
/// blanks, CR and LF (what `$(cat file)` or a trimmed echo prints); each line of a multi-line value (with
/// and without its surrounding blanks, without a trailing `\r`) that has at least `minimumLineBytes`
/// non-blank bytes, at most `maxLinesPerValue` lines per value; and the `password`, `auth` and
/// `identitytoken` fields of a registry auth JSON value. Overlapping and adjacent occurrences, also of
/// different secrets, become one `********`: every byte covered by any occurrence is hidden.
///
/// Streaming and cost: the patterns form one Aho–Corasick automaton, so each byte costs amortised O(1)
/// whatever the patterns and however small the chunks; the automaton's state says how long the end of the
/// stream that could still become an occurrence is, and exactly that much is held back (`finish` releases
/// it at the end of the step). Bytes are compared as bytes, so a value split inside a UTF-8 sequence is
/// found as well.
public struct SecretMasker: Sendable {
    public static let mask: [UInt8] = Array("********".utf8)
    /// Shorter lines of a multi-line value (`}`, `--`) are everywhere in logs; they are masked only as part
    /// of the whole value.
    public static let minimumLineBytes = 4
    /// The trimmed form of a value is masked only when it is this long (the shortest value the API takes).
    public static let minimumValueBytes = 8
    /// A value with more lines (a huge file) has only its first lines masked alone: the patterns and the
    /// automaton stay small.
    public static let maxLinesPerValue = 100

    private let automaton: MaskAutomaton
    /// Automaton state after the last byte fed.
    private var state: Int32 = 0
    /// Bytes not yet released; `pending[head...]` are live, starting at absolute position `released`.
    private var pending: [UInt8] = []
    private var head = 0
    private var released = 0
    private var fed = 0
    /// Hidden ranges `[start, end)` in absolute positions, disjoint, sorted; `coverHead` is the first live one.
    private var covers: [(start: Int, end: Int)] = []
    private var coverHead = 0
    /// The last released byte was hidden, so a hidden run continuing in the next release adds no second mask.
    private var lastWasMasked = false
    /// Automaton transitions taken (also failure links): the work done, for tests of the cost bound.
    private(set) var steps = 0

    /// Masks `secrets` (empty values are ignored).
    public init(secrets: some Sequence<String>) {
        var unique = Set<[UInt8]>()
        for secret in secrets { unique.formUnion(Self.patterns(for: secret)) }
        automaton = MaskAutomaton(patterns: Array(unique))
    }

    /// Whether there is anything to mask at all (no secrets: output passes through untouched).
    public var isEmpty: Bool { automaton.isEmpty }

    /// The byte strings that hide `secret`.
    static func patterns(for secret: String) -> Set<[UInt8]> {
        let bytes = Array(secret.utf8)
        guard !bytes.isEmpty else { return [] }
        var result: Set<[UInt8]> = [bytes]
        let whole = trimming(bytes[...], blanks: [0x20, 0x09, 0x0D, 0x0A])
        if whole.count >= minimumValueBytes { result.insert(Array(whole)) }
        // Bytes, not Characters: Swift keeps "\r\n" as one Character, which a split on "\n" misses.
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        if lines.count > 1 || bytes.contains(UInt8(ascii: "\r")) {
            for line in lines.prefix(maxLinesPerValue) {
                let bare = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
                let trimmed = trimming(bare, blanks: [0x20, 0x09])
                guard trimmed.count >= minimumLineBytes else { continue }
                result.insert(Array(bare))
                result.insert(Array(trimmed))
            }
        }
        // A registry auth document: its credentials may be printed on their own (a `docker login` script).
        if let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] {
            for key in ["password", "auth", "identitytoken"] {
                if let field = object[key] as? String, field.utf8.count >= minimumLineBytes { result.insert(Array(field.utf8)) }
            }
        }
        return result
    }

    private static func trimming(_ bytes: ArraySlice<UInt8>, blanks: Set<UInt8>) -> ArraySlice<UInt8> {
        guard let first = bytes.firstIndex(where: { !blanks.contains($0) }),
            let last = bytes.lastIndex(where: { !blanks.contains($0) })
        else { return [] }
        return bytes[first...last]
    }

    /// The masked output that is decided once `chunk` follows what came before.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [UInt8] {
        if automaton.isEmpty { return Array(chunk) }
        for byte in chunk {
            state = automaton.next(state, byte, steps: &steps)
            pending.append(byte)
            fed += 1
            let length = automaton.longestMatch[Int(state)]
            if length > 0 { cover(from: fed - Int(length), to: fed) }
        }
        // Only the end of the stream the automaton is in the middle of can still become an occurrence.
        return release(until: fed - Int(automaton.depth[Int(state)]))
    }

    /// Everything still held back, masked: the stream has ended (the step finished).
    public mutating func finish() -> [UInt8] {
        let rest = release(until: fed)
        state = 0
        lastWasMasked = false
        return rest
    }

    /// Adds `[start, end)`; ends only grow, so merging looks at the last ranges only (amortised O(1)).
    private mutating func cover(from start: Int, to end: Int) {
        var start = start
        while covers.count > coverHead, let last = covers.last, last.end >= start {
            start = min(start, last.start)
            covers.removeLast()
        }
        covers.append((start, end))
    }

    private mutating func release(until end: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(end - released)
        while released < end {
            while coverHead < covers.count, covers[coverHead].end <= released { coverHead += 1 }
            let hidden = coverHead < covers.count && covers[coverHead].start <= released
            if hidden {
                if !lastWasMasked { output.append(contentsOf: Self.mask) }
                lastWasMasked = true
            } else {
                output.append(pending[head])
                lastWasMasked = false
            }
            head += 1
            released += 1
        }
        // Compaction when half is dead: each byte and range is moved O(1) times.
        if head > 4096 && head * 2 > pending.count {
            pending.removeFirst(head)
            head = 0
        }
        if coverHead > 64 && coverHead * 2 > covers.count {
            covers.removeFirst(coverHead)
            coverHead = 0
        }
        return output
    }
}

/// The Aho–Corasick automaton of the patterns: a trie with failure links, shared (immutable) by every copy
/// of a masker. `depth[s]` is the length of the longest pattern beginning the stream's end spells in state
/// `s`; `longestMatch[s]` the longest pattern ending there (0 for none).
final class MaskAutomaton: Sendable {
    let edges: [Int64: Int32]
    let failure: [Int32]
    let depth: [Int32]
    let longestMatch: [Int32]

    var isEmpty: Bool { depth.count == 1 }

    init(patterns: [[UInt8]]) {
        var edges: [Int64: Int32] = [:]
        var depth: [Int32] = [0]
        var terminal: [Int32] = [0]
        for pattern in patterns where !pattern.isEmpty {
            var node: Int32 = 0
            for byte in pattern {
                let key = Int64(node) << 8 | Int64(byte)
                if let child = edges[key] {
                    node = child
                } else {
                    let child = Int32(depth.count)
                    edges[key] = child
                    depth.append(depth[Int(node)] + 1)
                    terminal.append(0)
                    node = child
                }
            }
            terminal[Int(node)] = Int32(pattern.count)
        }
        // Children of each node, for the breadth-first pass.
        var children = [[(UInt8, Int32)]](repeating: [], count: depth.count)
        for (key, child) in edges { children[Int(key >> 8)].append((UInt8(key & 0xFF), child)) }
        var failure = [Int32](repeating: 0, count: depth.count)
        var longestMatch = terminal
        var queue: [Int32] = children[0].map(\.1)
        var index = 0
        while index < queue.count {
            let node = queue[index]
            index += 1
            for (byte, child) in children[Int(node)] {
                var fallback = failure[Int(node)]
                while true {
                    if node != 0, let next = edges[Int64(fallback) << 8 | Int64(byte)], next != child {
                        failure[Int(child)] = next
                        break
                    }
                    if fallback == 0 { break }
                    fallback = failure[Int(fallback)]
                }
                if node == 0 { failure[Int(child)] = 0 }
                longestMatch[Int(child)] = max(longestMatch[Int(child)], longestMatch[Int(failure[Int(child)])])
                queue.append(child)
            }
        }
        self.edges = edges
        self.failure = failure
        self.depth = depth
        self.longestMatch = longestMatch
    }

    /// The state after `byte`; `steps` counts lookups (amortised O(1) per byte: each failure link taken
    /// shortens the match that the bytes before built up one by one).
    func next(_ state: Int32, _ byte: UInt8, steps: inout Int) -> Int32 {
        var current = state
        while true {
            steps += 1
            if let next = edges[Int64(current) << 8 | Int64(byte)] { return next }
            if current == 0 { return 0 }
            current = failure[Int(current)]
        }
    }
}

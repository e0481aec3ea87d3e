/// Replaces every occurrence of a secret's value in a stream of output bytes by `********`, however the
/// stream is cut into chunks (writes, Docker frames).
///
/// What is masked: each value whole, and each line of a multi-line value (with and without its surrounding
/// blanks, without a trailing `\r`) that has at least `minimumLineBytes` non-blank bytes, because a script
/// that prints a certificate or a JSON document line by line must not show it either. Overlapping and
/// adjacent occurrences, also of different secrets, become one `********`: every byte covered by any
/// occurrence is hidden, so no piece of a secret survives beside another one's mask.
///
/// Streaming: `feed` returns what is decided and holds back only the longest end of the stream that could
/// still become an occurrence (a proper beginning of some value), plus nothing else; `finish` releases
/// that rest at the end of the step. Bytes are compared as bytes, so a value split inside a UTF-8 sequence
/// is found as well.
public struct SecretMasker: Sendable {
    public static let mask: [UInt8] = Array("********".utf8)
    /// Shorter lines of a multi-line value (`}`, `--`) are everywhere in logs; they are masked only as part
    /// of the whole value.
    public static let minimumLineBytes = 4

    /// The byte strings to hide, and for each first byte the indices of those that start with it.
    private let patterns: [[UInt8]]
    private let byFirstByte: [[Int]]
    /// Bytes not yet decided, and how many of them at the start are already known to be covered by an
    /// occurrence that began in bytes released before.
    private var pending: [UInt8] = []
    private var coveredPrefix = 0
    /// The last released byte was hidden, so a hidden run continuing in the next release adds no second mask.
    private var lastWasMasked = false

    /// Masks `secrets` (empty values are ignored).
    public init(secrets: some Sequence<String>) {
        var unique = Set<[UInt8]>()
        for secret in secrets where !secret.isEmpty {
            let bytes = Array(secret.utf8)
            unique.insert(bytes)
            // Bytes, not Characters: Swift keeps "\r\n" as one Character, which a split on "\n" misses.
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            guard lines.count > 1 || bytes.contains(UInt8(ascii: "\r")) else { continue }
            for line in lines {
                let bare = line.last == UInt8(ascii: "\r") ? line.dropLast() : line
                let trimmed = Self.trimmingBlanks(bare)
                guard trimmed.count >= Self.minimumLineBytes else { continue }
                unique.insert(Array(bare))
                unique.insert(Array(trimmed))
            }
        }
        patterns = unique.sorted { $0.count > $1.count || ($0.count == $1.count && $0.lexicographicallyPrecedes($1)) }
        var table = [[Int]](repeating: [], count: 256)
        for (index, pattern) in patterns.enumerated() { table[Int(pattern[0])].append(index) }
        byFirstByte = table
    }

    /// Whether there is anything to mask at all (no secrets: output passes through untouched).
    public var isEmpty: Bool { patterns.isEmpty }

    /// The masked output that is decided once `chunk` follows what came before.
    public mutating func feed(_ chunk: some Collection<UInt8>) -> [UInt8] {
        if patterns.isEmpty { return Array(chunk) }
        pending.append(contentsOf: chunk)
        return release(final: false)
    }

    /// Everything still held back, masked: the stream has ended (the step finished).
    public mutating func finish() -> [UInt8] {
        let rest = release(final: true)
        pending = []
        coveredPrefix = 0
        lastWasMasked = false
        return rest
    }

    /// Without leading and trailing spaces and tabs.
    private static func trimmingBlanks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return [] }
        return bytes[first...last]
    }

    private mutating func release(final: Bool) -> [UInt8] {
        let count = pending.count
        // The furthest end of the occurrences starting at or before the position scanned: that position
        // is hidden exactly when it lies before it.
        var coveredUntil = coveredPrefix
        var covered = [Bool](repeating: false, count: count)
        var held = count
        var start = 0
        scan: while start < count {
            // Longest first: a pattern still undecided here stops the scan before any shorter one counts.
            for index in byFirstByte[Int(pending[start])] {
                let pattern = patterns[index]
                let available = count - start
                if pattern.count <= available {
                    if pending[start..<(start + pattern.count)].elementsEqual(pattern) {
                        coveredUntil = max(coveredUntil, start + pattern.count)
                    }
                } else if !final, pending[start...].elementsEqual(pattern.prefix(available)) {
                    // Could still become this pattern: everything from here waits for more bytes.
                    held = start
                    break scan
                }
            }
            if start < coveredUntil { covered[start] = true }
            start += 1
        }
        var output: [UInt8] = []
        output.reserveCapacity(held)
        for position in 0..<held {
            if covered[position] {
                if !lastWasMasked { output.append(contentsOf: Self.mask) }
                lastWasMasked = true
            } else {
                output.append(pending[position])
                lastWasMasked = false
            }
        }
        coveredPrefix = max(0, coveredUntil - held)
        pending.removeFirst(held)
        return output
    }
}

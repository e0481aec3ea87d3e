extension String {
    /// The string cut to at most `maxBytes` UTF-8 bytes, ending in "…" when anything was cut.
    ///
    /// Counting bytes is the strictest of the ways forges count length (bytes ≥ UTF-16 units ≥ code
    /// points ≥ characters), so the result fits whichever one a forge uses.
    func truncated(toUTF8Bytes maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        let ellipsis = "…"
        return prefix(fittingUTF8Bytes: maxBytes - ellipsis.utf8.count) + ellipsis
    }

    /// The longest prefix of whole characters (grapheme clusters) within `maxBytes` UTF-8 bytes: never
    /// half of a multi-byte character, nor an emoji without its modifiers.
    func prefix(fittingUTF8Bytes maxBytes: Int) -> String {
        var result = ""
        var used = 0
        for character in self {
            let size = character.utf8.count
            guard used + size <= maxBytes else { break }
            result.append(character)
            used += size
        }
        return result
    }
}

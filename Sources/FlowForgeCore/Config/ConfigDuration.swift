/// Step timeouts: integer seconds (`600`) or a duration string (`90s`, `10m`, `1h30m`, `1h30m15s`).
enum ConfigDuration {
    /// The longest timeout accepted; longer values are almost always a unit mistake.
    static let maxSeconds = 24 * 3600

    /// Seconds for `text`, or nil when it is not a positive duration in one of the accepted forms.
    static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        if let plain = Int(trimmed) { return plain > 0 && plain <= maxSeconds ? plain : nil }
        var total = 0
        var number = ""
        var lastUnit = 4  // units must appear in order h, m, s, each at most once
        for character in trimmed {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            let units: [Character: (rank: Int, seconds: Int)] = ["h": (3, 3600), "m": (2, 60), "s": (1, 1)]
            guard let unit = units[character], unit.rank < lastUnit, number.count <= 6, let value = Int(number) else {
                return nil
            }
            total += value * unit.seconds
            lastUnit = unit.rank
            number = ""
        }
        guard number.isEmpty, lastUnit < 4, total > 0, total <= maxSeconds else { return nil }
        return total
    }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

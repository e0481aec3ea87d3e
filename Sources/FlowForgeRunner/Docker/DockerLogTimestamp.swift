/// The timestamp Docker puts before each log message when asked for `timestamps=1`
/// (Go's RFC 3339 with nanoseconds, in UTC: `2024-05-07T21:09:36.123456789Z`).
///
/// FlowForge only needs it to resume a log stream: to compare instants and to write the
/// `seconds.nanoseconds` form the `since` parameter takes.
struct DockerLogTimestamp: Equatable, Sendable {
    let seconds: Int64
    let nanoseconds: Int

    /// Splits `payload` into its timestamp and the message after the separating space;
    /// nil when it does not start with a timestamp.
    static func split(_ payload: [UInt8]) -> (DockerLogTimestamp, ArraySlice<UInt8>)? {
        guard let space = payload.prefix(40).firstIndex(of: UInt8(ascii: " ")),
            let stamp = DockerLogTimestamp(String(decoding: payload[..<space], as: UTF8.self))
        else { return nil }
        return (stamp, payload[(space + 1)...])
    }

    init?(_ text: String) {
        let digits = text.utf8.map { Int($0) - 48 }
        guard text.utf8.count >= 20, text.hasSuffix("Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for digit in digits[range] {
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var nanos = 0
        let fraction = digits[19..<(digits.count - 1)]
        if !fraction.isEmpty {
            guard fraction.first == Int(UInt8(ascii: ".")) - 48, fraction.count <= 10,
                let value = number((fraction.startIndex + 1)..<fraction.endIndex)
            else { return nil }
            nanos = value * Self.powerOfTen(9 - (fraction.count - 1))
        }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        self.seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.nanoseconds = nanos
    }

    /// The `since` value that includes this very instant.
    var sinceParameter: String {
        let nanos = String(nanoseconds)
        return "\(seconds).\(String(repeating: "0", count: 9 - nanos.count))\(nanos)"
    }

    private static func powerOfTen(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's `days_from_civil`).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

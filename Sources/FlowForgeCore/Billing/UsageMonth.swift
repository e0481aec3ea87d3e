import Foundation

/// A calendar month in UTC, the period usage is metered and limited over. Its `id` (`2026-12`) is the
/// `usage.period` key and the `month` of the usage API.
public struct UsageMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    /// 1 to 12.
    public let month: Int

    public init(year: Int, month: Int) {
        // Normalise so that `month` arithmetic can step across years.
        let index = year * 12 + (month - 1)
        self.year = index >= 0 ? index / 12 : (index - 11) / 12
        self.month = index - self.year * 12 + 1
    }

    /// The month that holds `millis` (epoch milliseconds) in UTC.
    public init(millis: Int64) {
        let components = Self.calendar.dateComponents([.year, .month], from: Date(timeIntervalSince1970: Double(millis) / 1000))
        self.init(year: components.year ?? 1970, month: components.month ?? 1)
    }

    /// `YYYY-MM`.
    public var id: String { String(format: "%04d-%02d", year, month) }
    public var description: String { id }

    public func adding(months: Int) -> UsageMonth { UsageMonth(year: year, month: month + months) }

    /// The first instant of the month, UTC.
    public var start: Date {
        Self.calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? Date(timeIntervalSince1970: 0)
    }

    /// When this month's usage stops counting: the first instant of the next month, UTC.
    public var resetsAt: Date { adding(months: 1).start }

    public static func < (lhs: UsageMonth, rhs: UsageMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}

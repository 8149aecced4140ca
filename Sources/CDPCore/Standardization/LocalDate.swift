/// A calendar date without time or zone (proleptic Gregorian), e.g. a date of birth.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A valid date, or nil when the month or day does not exist (2023-02-29, month 13).
    public init?(year: Int, month: Int, day: Int) {
        guard LocalDate.problem(year: year, month: month, day: day) == nil else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private init(unchecked year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Why year/month/day is not a calendar date, or nil when it is.
    static func problem(year: Int, month: Int, day: Int) -> String? {
        guard year >= 1 && year <= 9999 else { return "year \(year) is out of range 1–9999" }
        guard month >= 1 && month <= 12 else { return "month \(month) does not exist" }
        let last = daysInMonth(year: year, month: month)
        guard day >= 1 && day <= last else {
            if month == 2 && day == 29 { return "\(year) is not a leap year, so February has 28 days" }
            return "day \(day) does not exist in \(monthNames[month - 1]) (it has \(last) days)"
        }
        return nil
    }

    /// "2025-03-14".
    public var isoText: String {
        if (0...9999).contains(year) {
            // The hot path of ingestion: one allocation, digits written in place.
            return String(unsafeUninitializedCapacity: 10) { bytes in
                LocalDate.writeDigits(year, width: 4, into: bytes, at: 0)
                bytes[4] = 0x2D
                LocalDate.writeDigits(month, width: 2, into: bytes, at: 5)
                bytes[7] = 0x2D
                LocalDate.writeDigits(day, width: 2, into: bytes, at: 8)
                return 10
            }
        }
        var text = ""
        text.reserveCapacity(10)
        LocalDate.appendPadded(&text, year, width: 4)
        text.append("-")
        LocalDate.appendPadded(&text, month, width: 2)
        text.append("-")
        LocalDate.appendPadded(&text, day, width: 2)
        return text
    }

    public var description: String { isoText }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int {
        // Count from a March-based year so that the leap day falls at the end.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = (month + 9) % 12  // March = 0
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` days after 1970-01-01; nil outside years 1–9999.
    public init?(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(year: year, month: month, day: day)
    }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(to other: LocalDate) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// Absolute number of days between two dates.
    public static func daysBetween(_ a: LocalDate, _ b: LocalDate) -> Int {
        abs(a.days(to: b))
    }

    /// The date with day and month exchanged (2025-03-04 → 2025-04-03), when that is a valid date
    /// different from this one: the usual slip between dd/MM and MM/dd sources.
    public var swappingDayAndMonth: LocalDate? {
        guard day != month, let swapped = LocalDate(year: year, month: day, day: month) else { return nil }
        return swapped
    }

    /// The date `count` days later (earlier when negative).
    public func adding(days count: Int) -> LocalDate? {
        LocalDate(daysSinceEpoch: daysSinceEpoch + count)
    }

    static let monthNames = [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ]

    /// Writes `value` (non-negative) as exactly `width` decimal digits, zero-padded.
    static func writeDigits(_ value: Int, width: Int, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        var remaining = value
        for position in stride(from: offset + width - 1, through: offset, by: -1) {
            bytes[position] = UInt8(remaining % 10) + 0x30
            remaining /= 10
        }
    }

    static func appendPadded(_ text: inout String, _ value: Int, width: Int) {
        var digits: [UInt8] = []
        var v = abs(value)
        repeat {
            digits.append(UInt8(v % 10) + 0x30)
            v /= 10
        } while v > 0
        while digits.count < width { digits.append(0x30) }
        if value < 0 { text.append("-") }
        text.append(String(decoding: digits.reversed(), as: UTF8.self))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = DateParsing.parseDate(text).value else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(text)' is not an ISO date")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isoText)
    }
}

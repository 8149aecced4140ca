import Foundation
import Testing
@testable import CDPCore

private func date(_ y: Int, _ m: Int, _ d: Int) -> LocalDate? { LocalDate(year: y, month: m, day: d) }

@Suite struct DateParsingTests {
    @Test(arguments: [
        ("2025-03-14", DateFormat.isoDate, "2025-03-14"),
        ("14/03/2025", .dayMonthYearSlash, "2025-03-14"),
        ("3/4/2025", .dayMonthYearSlash, "2025-04-03"),
        ("03/14/2025", .monthDayYearSlash, "2025-03-14"),
        ("2025/03/14", .yearMonthDaySlash, "2025-03-14"),
        ("14.03.2025", .dayMonthYearDot, "2025-03-14"),
        ("14 Mar 2025", .dayMonthNameYear, "2025-03-14"),
        ("4 september 2025", .dayMonthNameYear, "2025-09-04"),
        ("4  Sept. 2025", .dayMonthNameYear, "2025-09-04"),
        ("29/02/2024", .dayMonthYearSlash, "2024-02-29"),
        ("29/02/2000", .dayMonthYearSlash, "2000-02-29"),
    ])
    func parsesWithFormat(_ raw: String, _ format: DateFormat, _ expected: String) {
        #expect(DateParsing.parseDate(raw, format: format).value?.isoText == expected)
    }

    @Test(arguments: [
        ("2023-02-29", DateFormat.isoDate, "'2023-02-29' is not a valid date: 2023 is not a leap year, so February has 28 days"),
        ("1900-02-29", .isoDate, "'1900-02-29' is not a valid date: 1900 is not a leap year, so February has 28 days"),
        ("2025-13-01", .isoDate, "'2025-13-01' is not a valid date: month 13 does not exist"),
        ("2025-04-31", .isoDate, "'2025-04-31' is not a valid date: day 31 does not exist in April (it has 30 days)"),
        ("2025-00-10", .isoDate, "'2025-00-10' is not a valid date: month 0 does not exist"),
        ("14-03-2025", .dayMonthYearSlash, "'14-03-2025' does not match the date format dd/MM/yyyy"),
        ("14/03/2025x", .dayMonthYearSlash, "'14/03/2025x' does not match the date format dd/MM/yyyy"),
        ("14 Foo 2025", .dayMonthNameYear, "'14 Foo 2025' has an unknown month name 'foo'"),
        ("", .isoDate, "date is empty"),
    ])
    func rejectsWithFormat(_ raw: String, _ format: DateFormat, _ reason: String) {
        #expect(DateParsing.parseDate(raw, format: format).failure?.reason == reason)
    }

    @Test(arguments: [
        ("2025-03-14", "2025-03-14"), ("2025/3/4", "2025-03-04"), ("20250314", "2025-03-14"),
        (" 2025-03-14T10:22:05Z ", "2025-03-14"), ("2024-02-29 23:59:59", "2024-02-29"),
    ])
    func autoDetectsISODates(_ raw: String, _ expected: String) {
        #expect(DateParsing.parseDate(raw).value?.isoText == expected)
    }

    @Test(arguments: [
        ("03/04/2025", "'03/04/2025' is not an ISO date (yyyy-MM-dd); day and month order is ambiguous, so give a date format"),
        ("March 4", "'March 4' is not a date in ISO form (yyyy-MM-dd)"),
        ("20230229", "'20230229' is not a valid date: 2023 is not a leap year, so February has 28 days"),
        ("2025-03-14T25:00:00", "'2025-03-14T25:00:00' has hour 25; hours run 00–23"),
    ])
    func autoDetectRejects(_ raw: String, _ reason: String) {
        #expect(DateParsing.parseDate(raw).failure?.reason == reason)
    }

    @Test(arguments: [
        ("2025-03-14T10:22:05Z", "2025-03-14T10:22:05Z"),
        ("2025-03-14 10:22:05", "2025-03-14T10:22:05Z"),
        ("2025-03-14T10:22:05.123456Z", "2025-03-14T10:22:05Z"),
        ("2025-03-14T10:22:05+02:00", "2025-03-14T08:22:05Z"),
        ("2025-03-14T01:00:00+0530", "2025-03-13T19:30:00Z"),
        ("2025-03-14T23:30:00-05", "2025-03-15T04:30:00Z"),
        ("2025-03-14T10:22Z", "2025-03-14T10:22:00Z"),
        ("2025-03-14T10:22", "2025-03-14T10:22:00Z"),
        ("2025-03-14 10:22:05 UTC", "2025-03-14T10:22:05Z"),
        ("2025-03-14", "2025-03-14T00:00:00Z"),
        ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"),
        ("2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z"),
    ])
    func parsesTimestamps(_ raw: String, _ expected: String) {
        #expect(DateParsing.parseTimestamp(raw).value?.isoText == expected)
    }

    @Test func timestampEpochSeconds() {
        #expect(DateParsing.parseTimestamp("1970-01-01T00:00:00Z").value?.secondsSinceEpoch == 0)
        #expect(DateParsing.parseTimestamp("2025-03-14T10:22:05Z").value?.secondsSinceEpoch == 1_741_947_725)
        #expect(DateParsing.parseTimestamp("1969-12-31T23:59:59Z").value?.secondsSinceEpoch == -1)
    }

    @Test(arguments: [
        ("2025-03-14T10:22:05 junk", "'2025-03-14T10:22:05 junk' has unexpected text after the time"),
        ("2025-03-14T10:60:00Z", "'2025-03-14T10:60:00Z' has minute 60; minutes run 00–59"),
        ("2025-03-14T10:22:05+25:00", "'2025-03-14T10:22:05+25:00' has a UTC offset out of range (at most ±18:00)"),
        ("2025-03-14T10:22:05+2", "'2025-03-14T10:22:05+2' has a malformed UTC offset; expected ±hh:mm"),
        ("2025-03-14X10:22:05", "'2025-03-14X10:22:05' has 'X' after the date; expected 'T' or a space"),
        ("2025-03-14T1:22:05", "'2025-03-14T1:22:05' does not have a time in the form HH:mm:ss"),
        ("14/03/2025 10:00", "'14/03/2025 10:00' does not start with a date in ISO form (yyyy-MM-dd)"),
        ("2023-02-29T00:00:00Z", "'2023-02-29T00:00:00Z' is not a valid date: 2023 is not a leap year, so February has 28 days"),
    ])
    func rejectsTimestamps(_ raw: String, _ reason: String) {
        #expect(DateParsing.parseTimestamp(raw).failure?.reason == reason)
    }

    @Test func leapYears() {
        #expect(LocalDate.isLeapYear(2024))
        #expect(LocalDate.isLeapYear(2000))
        #expect(!LocalDate.isLeapYear(1900))
        #expect(!LocalDate.isLeapYear(2023))
        #expect(date(2023, 2, 29) == nil)
        #expect(date(2024, 2, 29) != nil)
    }

    /// Oracle: walking day by day from 1970-01-01 must agree with the closed-form conversion.
    @Test func daysSinceEpochAgreesWithDayByDayWalk() throws {
        var current = try #require(date(1970, 1, 1))
        for offset in 0..<(366 * 60) {
            #expect(current.daysSinceEpoch == offset)
            #expect(LocalDate(daysSinceEpoch: offset) == current)
            var (y, m, d) = (current.year, current.month, current.day + 1)
            if d > LocalDate.daysInMonth(year: y, month: m) { (m, d) = (m + 1, 1) }
            if m > 12 { (y, m) = (y + 1, 1) }
            current = try #require(date(y, m, d))
        }
        #expect(date(1969, 12, 31)?.daysSinceEpoch == -1)
        #expect(date(1, 1, 1)?.daysSinceEpoch == -719_162)
    }

    @Test func swapDaysBetweenAndOrder() throws {
        let march4 = try #require(date(2025, 3, 4))
        #expect(march4.swappingDayAndMonth == date(2025, 4, 3))
        #expect(date(2025, 3, 3)?.swappingDayAndMonth == nil)
        #expect(date(2025, 3, 14)?.swappingDayAndMonth == nil)
        let next = try #require(date(2026, 3, 4))
        #expect(march4.days(to: next) == 365)
        #expect(LocalDate.daysBetween(next, march4) == 365)
        #expect(march4 < next)
        #expect(march4.adding(days: 28) == date(2025, 4, 1))
    }

    @Test func customPatterns() {
        #expect(DateFormat(pattern: "yyyyMMdd") != nil)
        #expect(DateFormat(pattern: "yy-MM-dd") == nil)
        #expect(DateFormat(pattern: "HH:mm") == nil)
        #expect(DateFormat(pattern: "MM/yyyy") == nil)
        if let format = DateFormat(pattern: "d-MMM-yyyy") {
            #expect(DateParsing.parseDate("5-Jan-2020", format: format).value == date(2020, 1, 5))
        } else {
            Issue.record("pattern should be accepted")
        }
    }
}

@Suite struct DateCodableTests {
    @Test func datesAndTimestampsEncodeAsISOText() throws {
        let date = try #require(LocalDate(year: 2024, month: 2, day: 29))
        let stamp = Timestamp(date: date, hour: 10, minute: 22, second: 5)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode([AnyCodableDate(date: date, stamp: stamp)])
        #expect(String(decoding: data, as: UTF8.self) == #"[{"date":"2024-02-29","stamp":"2024-02-29T10:22:05Z"}]"#)
        #expect(try JSONDecoder().decode([AnyCodableDate].self, from: data) == [AnyCodableDate(date: date, stamp: stamp)])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([LocalDate].self, from: Data(#"["2023-02-29"]"#.utf8)) }
    }

    private struct AnyCodableDate: Codable, Equatable {
        var date: LocalDate
        var stamp: Timestamp
    }
}

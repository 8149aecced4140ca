import CDPCore
import Foundation
import Testing

/// Quartz cron expressions read in full, and their next fire on known dates, across daylight-saving changes.
@Suite struct QuartzCronTests {
    static func instant(_ text: String) -> Double {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!.timeIntervalSince1970
    }

    static func text(_ instant: Double?) -> String? {
        instant.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var cron: String
        var zone: String
        var after: String
        var expected: String?
        var testDescription: String { "\(cron) in \(zone) after \(after)" }
    }

    static let knownDates: [Case] = [
        Case(cron: "0 0 2 * * ?", zone: "Europe/Madrid", after: "2026-12-06T17:00:00Z", expected: "2026-12-07T01:00:00Z"),
        Case(cron: "0 15 10 ? * 6L", zone: "UTC", after: "2026-01-01T00:00:00Z", expected: "2026-01-30T10:15:00Z"),  // last Friday
        Case(cron: "0 0 12 LW * ?", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: "2026-02-27T12:00:00Z"),  // 28th is a Saturday
        Case(cron: "0 0 12 1W * ?", zone: "UTC", after: "2026-07-31T13:00:00Z", expected: "2026-08-03T12:00:00Z"),  // 1st is a Saturday: Monday 3rd
        Case(cron: "0 0 12 31W * ?", zone: "UTC", after: "2026-05-01T00:00:00Z", expected: "2026-05-29T12:00:00Z"),  // 31st is a Sunday: Friday 29th
        Case(cron: "0 0 12 15W * ?", zone: "UTC", after: "2026-03-01T00:00:00Z", expected: "2026-03-16T12:00:00Z"),  // 15th is a Sunday
        Case(cron: "0 0 9 ? * 2#1", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: "2026-02-02T09:00:00Z"),  // first Monday
        Case(cron: "0 0 9 ? * MON#5", zone: "UTC", after: "2026-01-01T00:00:00Z", expected: "2026-03-30T09:00:00Z"),  // a fifth Monday
        Case(cron: "0 0 0 L-2 * ?", zone: "UTC", after: "2026-02-01T00:00:00Z", expected: "2026-02-26T00:00:00Z"),
        Case(cron: "0 0 12 L * ?", zone: "UTC", after: "2028-02-01T00:00:00Z", expected: "2028-02-29T12:00:00Z"),
        Case(cron: "0 0/15 9-17 ? * MON-FRI", zone: "UTC", after: "2026-12-05T12:00:00Z", expected: "2026-12-07T09:00:00Z"),
        Case(cron: "0 0/15 9-17 ? * MON-FRI", zone: "UTC", after: "2026-12-07T09:00:00Z", expected: "2026-12-07T09:15:00Z"),
        Case(cron: "0 50 17 ? * mon-fri", zone: "UTC", after: "2026-12-07T17:50:00Z", expected: "2026-12-08T17:50:00Z"),
        Case(cron: "30 45 23 29 FEB ? 2028", zone: "UTC", after: "2026-01-01T00:00:00Z", expected: "2028-02-29T23:45:30Z"),
        Case(cron: "0 0 22-2/2 * * ?", zone: "UTC", after: "2026-12-06T23:00:00Z", expected: "2026-12-07T00:00:00Z"),  // wraps midnight
        Case(cron: "*/20 * * * * ?", zone: "UTC", after: "2026-12-06T23:59:50Z", expected: "2026-12-07T00:00:00Z"),
        Case(cron: "0 0 0 1 JAN,JUL ? 2026-2027", zone: "UTC", after: "2027-07-01T00:00:00Z", expected: nil),
        Case(cron: "0 0 0 30 FEB ?", zone: "UTC", after: "2026-01-01T00:00:00Z", expected: nil),  // never
        Case(cron: "0 0 0 ? * 7L", zone: "UTC", after: "2026-12-01T00:00:00Z", expected: "2026-12-26T00:00:00Z"),
        // Spring forward in Madrid (2026-03-29, 02:00 → 03:00): 02:30 is skipped and fires at 03:30, then on as usual.
        Case(cron: "0 30 2 * * ?", zone: "Europe/Madrid", after: "2026-03-28T12:00:00Z", expected: "2026-03-29T01:30:00Z"),
        Case(cron: "0 30 2 * * ?", zone: "Europe/Madrid", after: "2026-03-29T01:30:00Z", expected: "2026-03-30T00:30:00Z"),
        // Fall back (2026-10-25, 03:00 → 02:00): 02:30 is shown twice and fires at its first showing only.
        Case(cron: "0 30 2 * * ?", zone: "Europe/Madrid", after: "2026-10-24T12:00:00Z", expected: "2026-10-25T00:30:00Z"),
        Case(cron: "0 30 2 * * ?", zone: "Europe/Madrid", after: "2026-10-25T00:30:00Z", expected: "2026-10-26T01:30:00Z"),
        Case(cron: "0 0 * * * ?", zone: "Europe/Madrid", after: "2026-10-25T00:30:00Z", expected: "2026-10-25T02:00:00Z"),
        Case(cron: "0 0 2 * * ?", zone: "America/New_York", after: "2026-03-07T12:00:00Z", expected: "2026-03-08T07:00:00Z"),
        Case(cron: "0 30 1 * * ?", zone: "America/New_York", after: "2026-10-31T12:00:00Z", expected: "2026-11-01T05:30:00Z"),
        Case(cron: "0 30 1 * * ?", zone: "America/New_York", after: "2026-11-01T05:30:00Z", expected: "2026-11-02T06:30:00Z"),
    ]

    @Test(arguments: knownDates)
    func firesNextOnTheKnownDate(_ known: Case) throws {
        let cron = try QuartzCron(known.cron)
        let zone = try #require(TimeZone(identifier: known.zone))
        #expect(Self.text(cron.nextFire(after: Self.instant(known.after), in: zone)) == known.expected)
    }

    struct Broken: Sendable, CustomTestStringConvertible {
        var cron: String
        var message: String
        var testDescription: String { cron }
    }

    static let broken: [Broken] = [
        Broken(
            cron: "0 0 2 * *",
            message:
                "needs 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), found 5; e.g. \"0 0 2 * * ?\" is 02:00 every day"
        ),
        Broken(
            cron: "0 0 2 * * *",
            message:
                "day-of-week: day-of-month ('*') and day-of-week ('*') are both given; write ? in one of them, as Quartz requires (e.g. \"0 0 2 * * ?\")"
        ),
        Broken(cron: "0 0 2 ? * ?", message: "day-of-week: '?' is in both day fields; give one of them a value (`*` for every day)"),
        Broken(cron: "60 0 2 * * ?", message: "seconds: 60 is out of range (0 to 59)"),
        Broken(cron: "0 0 24 * * ?", message: "hours: 24 is out of range (0 to 23)"),
        Broken(
            cron: "0 0 2 * FOO ?",
            message: "month: 'FOO' is not a number from 1 to 12 or a name (JAN, FEB, MAR, APR, MAY, JUN, JUL, AUG, SEP, OCT, NOV, DEC)"),
        Broken(
            cron: "0 0 2 ? * MON#6",
            message: "day-of-week: 'MON#6': the number after '#' must be 1 to 5 (the first to fifth such day of the month)"),
        Broken(cron: "0 0/0 2 * * ?", message: "minutes: '0/0': the step after '/' must be a whole number from 1 to 60"),
        Broken(cron: "0 0 2 32W * ?", message: "day-of-month: '32W': nW needs a day from 1 to 31 before the W"),
        Broken(cron: "0 0 2 * * ? 1969", message: "year: 1969 is out of range (1970 to 2099)"),
    ]

    @Test(arguments: broken)
    func aBrokenExpressionNamesItsField(_ broken: Broken) {
        #expect(throws: QuartzCronError.self) { try QuartzCron(broken.cron) }
        do {
            _ = try QuartzCron(broken.cron)
        } catch {
            #expect(error.description == broken.message)
        }
    }

    /// The field-by-field search agrees with the obvious one: every minute in turn, checked by `matches`.
    @Test(arguments: [
        "0 0/7 3-5,22 ? * TUE-THU", "0 13 */5 L-3,10 * ?", "0 0 0 ? FEB,MAR 1#2,6L", "0 30 9 LW,1W JAN-MAR ?",
        "0 59 23 31 * ?", "0 0 12 ? * SAT-MON", "0 1-3 0 15W * ?",
    ])
    func theSearchAgreesWithCheckingEveryMinute(_ text: String) throws {
        let cron = try QuartzCron(text)
        var start = QuartzCron.WallTime(year: 2026, month: 1, day: 1)
        for _ in 0..<12 {
            let found = try #require(cron.nextWallTime(atOrAfter: start))
            var brute = start
            var steps = 0
            while !cron.matches(brute) && steps < 400 * 24 * 60 {
                brute = Self.nextMinute(brute)
                steps += 1
            }
            #expect(found == brute, "\(text) from \(start)")
            start = Self.nextMinute(found)
        }
    }

    static func nextMinute(_ time: QuartzCron.WallTime) -> QuartzCron.WallTime {
        var next = time
        next.second = 0
        next.minute += 1
        if next.minute == 60 { (next.minute, next.hour) = (0, next.hour + 1) }
        if next.hour == 24 { (next.hour, next.day) = (0, next.day + 1) }
        let days = [
            31, next.year % 4 == 0 && (next.year % 100 != 0 || next.year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
        ][next.month - 1]
        if next.day > days { (next.day, next.month) = (1, next.month + 1) }
        if next.month == 13 { (next.month, next.year) = (1, next.year + 1) }
        return next
    }
}

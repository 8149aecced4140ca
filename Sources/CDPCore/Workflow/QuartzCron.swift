import Foundation

/// A Quartz cron expression, as a Databricks job's `schedule.quartz_cron_expression` gives it:
/// `seconds minutes hours day-of-month month day-of-week [year]`, e.g. `0 0 2 * * ?` (02:00 every day).
///
/// Every Quartz form is read: `*`, lists (`1,15`), ranges (`MON-FRI`, `22-2` wraps), steps (`0/15`, `*/5`,
/// `10-50/10`), month and day names, and the day fields' own: `?` (no value; exactly one of day-of-month and
/// day-of-week must be `?`, as in Quartz), `L` (last day of the month; `L-3` three days before it; `6L` the
/// month's last Friday), `W` (`15W` the weekday nearest the 15th, within the month; `LW` the last weekday)
/// and `#` (`2#1` the first Monday). Day-of-week counts from 1 = Sunday to 7 = Saturday, as Quartz does.
public struct QuartzCron: Hashable, Sendable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    let seconds: [Int]
    let minutes: [Int]
    let hours: [Int]
    let daysOfMonth: [DayOfMonth]?
    let months: [Int]
    let daysOfWeek: [DayOfWeek]?
    /// nil: any year.
    let years: [Int]?

    /// A day-of-month item.
    enum DayOfMonth: Hashable, Sendable {
        case days([Int])
        /// `L` (0) or `L-n`: the last day of the month, less `n` days.
        case last(before: Int)
        /// `LW`: the last Monday-to-Friday of the month.
        case lastWeekday
        /// `nW`: the Monday-to-Friday nearest day `n`, without leaving the month.
        case nearestWeekday(Int)
    }

    /// A day-of-week item (1 = Sunday … 7 = Saturday).
    enum DayOfWeek: Hashable, Sendable {
        case days([Int])
        /// `nL`: the last such weekday of the month.
        case last(Int)
        /// `n#k`: the k-th such weekday of the month.
        case nth(Int, Int)
    }

    /// The last year a schedule can fire in (Quartz's limit).
    public static let lastYear = 2099

    public var description: String { text }

    /// Reads an expression.
    /// - Throws: `QuartzCronError` naming the field at fault and what it accepts.
    public init(_ text: String) throws(QuartzCronError) {
        self.text = text
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).uppercased() }
        guard fields.count == 6 || fields.count == 7 else {
            throw QuartzCronError(
                field: nil,
                "needs 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), found \(fields.count); e.g. \"0 0 2 * * ?\" is 02:00 every day"
            )
        }
        seconds = try Self.values(fields[0], field: "seconds", 0...59)
        minutes = try Self.values(fields[1], field: "minutes", 0...59)
        hours = try Self.values(fields[2], field: "hours", 0...23)
        months = try Self.values(fields[4], field: "month", 1...12, names: Self.monthNames)
        years = fields.count == 7 && fields[6] != "*" ? try Self.values(fields[6], field: "year", 1970...Self.lastYear) : nil
        let dayOfMonth = fields[3], dayOfWeek = fields[5]
        switch (dayOfMonth == "?", dayOfWeek == "?") {
        case (true, true):
            throw QuartzCronError(field: "day-of-week", "'?' is in both day fields; give one of them a value (`*` for every day)")
        case (false, false):
            throw QuartzCronError(
                field: "day-of-week",
                "day-of-month ('\(dayOfMonth)') and day-of-week ('\(dayOfWeek)') are both given; write ? in one of them, as Quartz requires (e.g. \"0 0 2 * * ?\")"
            )
        case (true, false):
            daysOfMonth = nil
            var items: [DayOfWeek] = []
            for item in dayOfWeek.split(separator: ",", omittingEmptySubsequences: false) { items.append(try Self.dayOfWeek(String(item))) }
            daysOfWeek = items
        case (false, true):
            daysOfWeek = nil
            var items: [DayOfMonth] = []
            for item in dayOfMonth.split(separator: ",", omittingEmptySubsequences: false) {
                items.append(try Self.dayOfMonth(String(item)))
            }
            daysOfMonth = items
        }
    }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// A field of numbers: `*`, lists, ranges (wrapping past the top), steps, names (the first name counts as
    /// the range's lowest value).
    static func values(_ text: String, field: String, _ range: ClosedRange<Int>, names: [String] = []) throws(QuartzCronError) -> [Int] {
        var result = Set<Int>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2 else { throw QuartzCronError(field: field, "'\(item)' has more than one '/'") }
            var step = 1
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 1, value <= range.upperBound - range.lowerBound + 1 else {
                    throw QuartzCronError(field: field, "'\(item)': the step after '/' must be a whole number from 1 to \(range.count)")
                }
                step = value
            }
            let base = parts[0]
            var start: Int, end: Int
            if base == "*" {
                (start, end) = (range.lowerBound, range.upperBound)
            } else if let dash = base.firstIndex(of: "-"), dash != base.startIndex {
                start = try value(String(base[..<dash]), field: field, range, names: names)
                end = try value(String(base[base.index(after: dash)...]), field: field, range, names: names)
            } else {
                start = try value(base, field: field, range, names: names)
                // `5/15` runs from 5 to the top; `5` alone is 5.
                end = parts.count == 2 ? range.upperBound : start
            }
            // A range that wraps (`22-2`, `FRI-MON`) runs past the top and on from the bottom.
            let span = end >= start ? end - start : end + range.count - start
            for offset in stride(from: 0, through: span, by: step) {
                let raw = start + offset
                result.insert(raw > range.upperBound ? raw - range.count : raw)
            }
        }
        return result.sorted()
    }

    static func value(_ text: String, field: String, _ range: ClosedRange<Int>, names: [String]) throws(QuartzCronError) -> Int {
        if let index = names.firstIndex(of: text) { return range.lowerBound + index }
        guard let number = Int(text) else {
            let named = names.isEmpty ? "" : " or a name (\(names.joined(separator: ", ")))"
            throw QuartzCronError(field: field, "'\(text)' is not a number from \(range.lowerBound) to \(range.upperBound)\(named)")
        }
        guard range.contains(number) else {
            throw QuartzCronError(field: field, "\(number) is out of range (\(range.lowerBound) to \(range.upperBound))")
        }
        return number
    }

    static func dayOfMonth(_ item: String) throws(QuartzCronError) -> DayOfMonth {
        let field = "day-of-month"
        if item == "L" { return .last(before: 0) }
        if item == "LW" { return .lastWeekday }
        if item.hasPrefix("L-") {
            guard let before = Int(item.dropFirst(2)), (0...30).contains(before) else {
                throw QuartzCronError(field: field, "'\(item)': L-n needs n from 0 to 30 (days before the month's last)")
            }
            return .last(before: before)
        }
        if item.hasSuffix("W") {
            guard let day = Int(item.dropLast()), (1...31).contains(day) else {
                throw QuartzCronError(field: field, "'\(item)': nW needs a day from 1 to 31 before the W")
            }
            return .nearestWeekday(day)
        }
        return .days(try values(item, field: field, 1...31))
    }

    static func dayOfWeek(_ item: String) throws(QuartzCronError) -> DayOfWeek {
        let field = "day-of-week"
        if let hash = item.firstIndex(of: "#") {
            let day = try value(String(item[..<hash]), field: field, 1...7, names: dayNames)
            guard let nth = Int(item[item.index(after: hash)...]), (1...5).contains(nth) else {
                throw QuartzCronError(
                    field: field, "'\(item)': the number after '#' must be 1 to 5 (the first to fifth such day of the month)")
            }
            return .nth(day, nth)
        }
        if item == "L" { return .days([7]) }
        if item.count > 1 && item.hasSuffix("L") {
            return .last(try value(String(item.dropLast()), field: field, 1...7, names: dayNames))
        }
        return .days(try values(item, field: field, 1...7, names: dayNames))
    }
}

/// Why a Quartz cron expression cannot be read: the field at fault and what it accepts.
public struct QuartzCronError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `seconds`, `minutes`, `hours`, `day-of-month`, `month`, `day-of-week` or `year`; nil for the whole.
    public var field: String?
    public var message: String
    public init(field: String?, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { field.map { "\($0): \(message)" } ?? message }
}

// MARK: - When it fires

extension QuartzCron {
    /// A time on a wall clock: what a clock in the schedule's time zone shows.
    public struct WallTime: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var year, month, day, hour, minute, second: Int

        public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
            (self.year, self.month, self.day, self.hour, self.minute, self.second) = (year, month, day, hour, minute, second)
        }

        public static func < (a: Self, b: Self) -> Bool {
            (a.year, a.month, a.day, a.hour, a.minute, a.second) < (b.year, b.month, b.day, b.hour, b.minute, b.second)
        }

        public var description: String {
            func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            return "\(year)-\(two(month))-\(two(day)) \(two(hour)):\(two(minute)):\(two(second))"
        }

        /// Seconds since 1970 as if the wall clock were UTC.
        var secondsAsUTC: Int64 {
            Int64(QuartzCron.days(year, month, day)) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        }

        init(secondsAsUTC: Int64) {
            let days = Int(secondsAsUTC >= 0 ? secondsAsUTC / 86_400 : (secondsAsUTC - 86_399) / 86_400)
            let rest = Int(secondsAsUTC - Int64(days) * 86_400)
            // Instants a schedule meets lie in years 1970–2099, well inside what LocalDate holds.
            let date = LocalDate(daysSinceEpoch: days)
            self.init(
                year: date?.year ?? 1970, month: date?.month ?? 1, day: date?.day ?? 1, hour: rest / 3600, minute: rest / 60 % 60,
                second: rest % 60)
        }

        /// This wall time in `zone`: 1970 seconds.
        public init(_ instant: Double, in zone: TimeZone) {
            let seconds = Int64(instant.rounded(.down))
            self.init(secondsAsUTC: seconds + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))))
        }
    }

    /// Whether the expression names this wall time (the oracle the search is tested against).
    public func matches(_ time: WallTime) -> Bool {
        seconds.contains(time.second) && minutes.contains(time.minute) && hours.contains(time.hour)
            && months.contains(time.month) && (years?.contains(time.year) ?? true)
            && days(inYear: time.year, month: time.month).contains(time.day)
    }

    /// The days of a month the expression names, ascending.
    func days(inYear year: Int, month: Int) -> [Int] {
        let count = LocalDate.daysInMonth(year: year, month: month)
        // 1 = Sunday … 7 = Saturday; 1970-01-01 was a Thursday.
        let first = Self.days(year, month, 1)
        func weekday(_ day: Int) -> Int { ((first + day - 1) % 7 + 7 + 4) % 7 + 1 }
        var result = Set<Int>()
        if let daysOfMonth {
            for item in daysOfMonth {
                switch item {
                case .days(let days):
                    result.formUnion(days.filter { $0 <= count })
                case .last(let before):
                    if count - before >= 1 { result.insert(count - before) }
                case .lastWeekday:
                    var day = count
                    while weekday(day) == 1 || weekday(day) == 7 { day -= 1 }
                    result.insert(day)
                case .nearestWeekday(let day):
                    guard day <= count else { continue }
                    switch weekday(day) {
                    case 7: result.insert(day > 1 ? day - 1 : day + 2)  // Saturday: the Friday before, or Monday 3rd
                    case 1: result.insert(day < count ? day + 1 : day - 2)  // Sunday: the Monday after, or the Friday
                    default: result.insert(day)
                    }
                }
            }
        }
        if let daysOfWeek {
            for item in daysOfWeek {
                switch item {
                case .days(let weekdays):
                    result.formUnion((1...count).filter { weekdays.contains(weekday($0)) })
                case .last(let wanted):
                    if let day = (1...count).last(where: { weekday($0) == wanted }) { result.insert(day) }
                case .nth(let wanted, let nth):
                    let matching = (1...count).filter { weekday($0) == wanted }
                    if nth <= matching.count { result.insert(matching[nth - 1]) }
                }
            }
        }
        return result.sorted()
    }

    /// The first wall time at or after `start` the expression names; nil if none is before 2100.
    public func nextWallTime(atOrAfter start: WallTime) -> WallTime? {
        var time = start
        func first(_ values: [Int], atLeast value: Int) -> Int? { values.first { $0 >= value } }
        while time.year <= Self.lastYear {
            if let years {
                guard let year = first(years, atLeast: time.year) else { return nil }
                if year != time.year { time = WallTime(year: year, month: 1, day: 1) }
            }
            guard let month = first(months, atLeast: time.month) else {
                time = WallTime(year: time.year + 1, month: 1, day: 1)
                continue
            }
            if month != time.month { time = WallTime(year: time.year, month: month, day: 1) }
            guard let day = first(days(inYear: time.year, month: time.month), atLeast: time.day) else {
                time =
                    time.month == 12
                    ? WallTime(year: time.year + 1, month: 1, day: 1) : WallTime(year: time.year, month: time.month + 1, day: 1)
                continue
            }
            if day != time.day { time = WallTime(year: time.year, month: time.month, day: day) }
            guard let hour = first(hours, atLeast: time.hour) else {
                time = WallTime(year: time.year, month: time.month, day: time.day + 1)  // past the month's end: no day matches, next month
                continue
            }
            if hour != time.hour { time = WallTime(year: time.year, month: time.month, day: time.day, hour: hour) }
            guard let minute = first(minutes, atLeast: time.minute) else {
                time = WallTime(year: time.year, month: time.month, day: time.day, hour: time.hour + 1)
                if time.hour > 23 { time = WallTime(year: time.year, month: time.month, day: time.day + 1) }
                continue
            }
            if minute != time.minute { time.minute = minute; time.second = 0 }
            guard let second = first(seconds, atLeast: time.second) else {
                time.second = 0
                time.minute += 1
                if time.minute > 59 {
                    time.minute = 0
                    time.hour += 1
                    if time.hour > 23 { time = WallTime(year: time.year, month: time.month, day: time.day + 1) }
                }
                continue
            }
            time.second = second
            return time
        }
        return nil
    }

    /// The first instant after `instant` (seconds since 1970) at which the expression fires in `zone`, or
    /// nil when it never fires again before 2100.
    ///
    /// Across daylight-saving changes each wall time it names fires once: one that a clock skips (02:30 as
    /// clocks go from 02:00 to 03:00) fires as the clock shows it an hour late, 03:30 (Quartz's behaviour);
    /// one that a clock shows twice (02:30 as clocks go back from 03:00 to 02:00) fires at its first showing.
    public func nextFire(after instant: Double, in zone: TimeZone) -> Double? {
        let from = Int64(instant.rounded(.down)) + 1
        var wall = WallTime(Double(from), in: zone)
        // A wall time shown twice can be passed over once per change; a handful of steps always suffice.
        for _ in 0..<1000 {
            guard let next = nextWallTime(atOrAfter: wall) else { return nil }
            let fire = Self.firstInstant(of: next, in: zone)
            if fire >= from { return Double(fire) }
            wall = WallTime(secondsAsUTC: next.secondsAsUTC + 1)
        }
        return nil
    }

    /// The instants a wall time is shown in `zone`, earliest first; for one the clock skips, the instant the
    /// clock, pushed forward, would show it as late as the jump.
    static func firstInstant(of wall: WallTime, in zone: TimeZone) -> Int64 {
        let local = wall.secondsAsUTC
        func offset(_ seconds: Int64) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))) }
        let candidates = Set([offset(local - 86_400), offset(local), offset(local + 86_400)])
        let shown = candidates.map { local - $0 }.filter { offset($0) == local - $0 }
        if let first = shown.min() { return first }
        // Skipped: before the jump the offset was the smaller one.
        return local - (candidates.min() ?? 0)
    }

    /// Days since 1970-01-01 of a date in a month (`day` may run past the month's end).
    static func days(_ year: Int, _ month: Int, _ day: Int) -> Int {
        (LocalDate(year: year, month: month, day: 1)?.daysSinceEpoch ?? 0) + day - 1
    }
}

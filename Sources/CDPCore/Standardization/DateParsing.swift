/// Hand-written date and timestamp parsing over bytes; no DateFormatter.
public enum DateParsing {
    /// Parses `raw` with an explicit `format`, checking the date exists in the calendar.
    public static func parseDate(_ raw: String, format: DateFormat) -> StandardizationOutcome<LocalDate> {
        let text = TextNormalization.trim(raw)
        func reject(_ reason: String) -> StandardizationOutcome<LocalDate> {
            .rejected(StandardizationFailure(kind: .date, input: raw, reason: reason))
        }
        if text.isEmpty { return reject("date is empty") }
        var copy = text
        return copy.withUTF8 { parseDate($0, format: format, text: text, raw: raw) }
    }

    private static func parseDate(
        _ bytes: UnsafeBufferPointer<UInt8>, format: DateFormat, text: String, raw: String
    ) -> StandardizationOutcome<LocalDate> {
        func reject(_ reason: String) -> StandardizationOutcome<LocalDate> {
            .rejected(StandardizationFailure(kind: .date, input: raw, reason: reason))
        }
        var i = 0
        var year = 0
        var month = 0
        var day = 0
        var mismatch: String { "'\(text)' does not match the date format \(format.pattern)" }
        for token in format.tokens {
            switch token {
            case .year:
                guard let value = readNumber(bytes, &i, minDigits: 4, maxDigits: 4) else { return reject(mismatch) }
                year = value
            case .month:
                guard let value = readNumber(bytes, &i, minDigits: 1, maxDigits: 2) else { return reject(mismatch) }
                month = value
            case .day:
                guard let value = readNumber(bytes, &i, minDigits: 1, maxDigits: 2) else { return reject(mismatch) }
                day = value
            case .monthName:
                let start = i
                while i < bytes.count, (bytes[i] | 0x20) >= 0x61, (bytes[i] | 0x20) <= 0x7A { i += 1 }
                let name = String(decoding: bytes[start..<i], as: UTF8.self).lowercased()
                guard let value = monthNumber(name) else {
                    return reject(name.isEmpty ? mismatch : "'\(text)' has an unknown month name '\(name)'")
                }
                if i < bytes.count && bytes[i] == UInt8(ascii: ".") { i += 1 }  // "Sept."
                month = value
            case .literal(let b):
                guard i < bytes.count, bytes[i] == b else { return reject(mismatch) }
                i += 1
            case .space:
                guard i < bytes.count, bytes[i] == 0x20 else { return reject(mismatch) }
                while i < bytes.count && bytes[i] == 0x20 { i += 1 }
            }
        }
        if i != bytes.count { return reject(mismatch) }
        return checked(year: year, month: month, day: day, text: text, raw: raw)
    }

    /// Parses an unambiguous ISO-like date: "yyyy-MM-dd", "yyyy/MM/dd", "yyyyMMdd", or the date part
    /// of an ISO timestamp ("2025-03-14T10:22:05Z", taken as written, without zone conversion).
    /// Day-first or month-first forms are rejected as ambiguous: give a ``DateFormat`` for them.
    public static func parseDate(_ raw: String) -> StandardizationOutcome<LocalDate> {
        let text = TextNormalization.trim(raw)
        func reject(_ reason: String) -> StandardizationOutcome<LocalDate> {
            .rejected(StandardizationFailure(kind: .date, input: raw, reason: reason))
        }
        if text.isEmpty { return reject("date is empty") }
        var copy = text
        return copy.withUTF8 { parseDate($0, text: text, raw: raw) }
    }

    private static func parseDate(_ bytes: UnsafeBufferPointer<UInt8>, text: String, raw: String) -> StandardizationOutcome<LocalDate> {
        func reject(_ reason: String) -> StandardizationOutcome<LocalDate> {
            .rejected(StandardizationFailure(kind: .date, input: raw, reason: reason))
        }
        var i = 0
        if bytes.count == 8, let value = readNumber(bytes, &i, minDigits: 8, maxDigits: 8) {
            return checked(year: value / 10_000, month: value / 100 % 100, day: value % 100, text: text, raw: raw)
        }
        i = 0
        if let (year, month, day) = readISODate(bytes, &i) {
            let rest = i == bytes.count || bytes[i] == UInt8(ascii: "T") || bytes[i] == UInt8(ascii: " ")
            if rest {
                if i < bytes.count, case .rejected(let failure) = parseTimestamp(text) {
                    return reject(failure.reason)
                }
                return checked(year: year, month: month, day: day, text: text, raw: raw)
            }
        }
        if bytes.contains(UInt8(ascii: "/")) || bytes.contains(UInt8(ascii: ".")) {
            return reject("'\(text)' is not an ISO date (yyyy-MM-dd); day and month order is ambiguous, so give a date format")
        }
        return reject("'\(text)' is not a date in ISO form (yyyy-MM-dd)")
    }

    /// Parses a timestamp: "yyyy-MM-dd HH:mm:ss", ISO 8601 with 'T', optional fractional seconds
    /// (dropped), 'Z' or a ±hh:mm / ±hhmm / ±hh offset (converted to UTC), or a date alone
    /// (midnight UTC). Without a zone the time is taken as UTC.
    public static func parseTimestamp(_ raw: String) -> StandardizationOutcome<Timestamp> {
        let text = TextNormalization.trim(raw)
        func reject(_ reason: String) -> StandardizationOutcome<Timestamp> {
            .rejected(StandardizationFailure(kind: .timestamp, input: raw, reason: reason))
        }
        if text.isEmpty { return reject("timestamp is empty") }
        var copy = text
        return copy.withUTF8 { parseTimestamp($0, text: text, raw: raw) }
    }

    private static func parseTimestamp(_ bytes: UnsafeBufferPointer<UInt8>, text: String, raw: String) -> StandardizationOutcome<Timestamp> {
        func reject(_ reason: String) -> StandardizationOutcome<Timestamp> {
            .rejected(StandardizationFailure(kind: .timestamp, input: raw, reason: reason))
        }
        let n = bytes.count
        var i = 0
        guard let (year, month, day) = readISODate(bytes, &i) else {
            return reject("'\(text)' does not start with a date in ISO form (yyyy-MM-dd)")
        }
        if let problem = LocalDate.problem(year: year, month: month, day: day) {
            return reject("'\(text)' is not a valid date: \(problem)")
        }
        guard let date = LocalDate(year: year, month: month, day: day) else {
            return reject("'\(text)' is not a valid date")
        }
        if i == n { return .standardized(Timestamp(date: date)) }
        let separator = bytes[i]
        guard separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == 0x20 else {
            return reject("'\(text)' has '\(Character(Unicode.Scalar(separator)))' after the date; expected 'T' or a space")
        }
        i += 1
        var malformed: String { "'\(text)' does not have a time in the form HH:mm:ss" }
        guard let hour = readNumber(bytes, &i, minDigits: 2, maxDigits: 2) else { return reject(malformed) }
        guard i < n, bytes[i] == UInt8(ascii: ":") else { return reject(malformed) }
        i += 1
        guard let minute = readNumber(bytes, &i, minDigits: 2, maxDigits: 2) else { return reject(malformed) }
        var second = 0
        if i < n && bytes[i] == UInt8(ascii: ":") {
            i += 1
            guard let value = readNumber(bytes, &i, minDigits: 2, maxDigits: 2) else { return reject(malformed) }
            second = value
            if i < n && (bytes[i] == UInt8(ascii: ".") || bytes[i] == UInt8(ascii: ",")) {
                i += 1
                let start = i
                while i < n && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1 }
                if i == start { return reject("'\(text)' has no digits after the decimal point of the seconds") }
            }
        }
        if hour > 23 { return reject("'\(text)' has hour \(hour); hours run 00–23") }
        if minute > 59 { return reject("'\(text)' has minute \(minute); minutes run 00–59") }
        if second > 59 { return reject("'\(text)' has second \(second); seconds run 00–59") }
        var offsetSeconds = 0
        if i < n && bytes[i] == 0x20 { i += 1 }
        if i < n {
            let sign = bytes[i]
            if sign == UInt8(ascii: "Z") || sign == UInt8(ascii: "z") {
                i += 1
            } else if n - i == 3 && String(decoding: bytes[i...], as: UTF8.self).uppercased() == "UTC" {
                i = n
            } else if sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                i += 1
                var badOffset: String { "'\(text)' has a malformed UTC offset; expected ±hh:mm" }
                guard let offsetHours = readNumber(bytes, &i, minDigits: 2, maxDigits: 2) else { return reject(badOffset) }
                var offsetMinutes = 0
                if i < n {
                    if bytes[i] == UInt8(ascii: ":") { i += 1 }
                    guard let value = readNumber(bytes, &i, minDigits: 2, maxDigits: 2) else { return reject(badOffset) }
                    offsetMinutes = value
                }
                if offsetHours > 18 || offsetMinutes > 59 {
                    return reject("'\(text)' has a UTC offset out of range (at most ±18:00)")
                }
                offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (sign == UInt8(ascii: "-") ? -1 : 1)
            }
        }
        if i != n { return reject("'\(text)' has unexpected text after the time") }
        let local = Timestamp(date: date, hour: hour, minute: minute, second: second)
        return .standardized(Timestamp(secondsSinceEpoch: local.secondsSinceEpoch - Int64(offsetSeconds)))
    }

    /// Reads yyyy-MM-dd or yyyy/MM/dd (one- or two-digit month and day) without checking the calendar.
    private static func readISODate(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> (Int, Int, Int)? {
        guard let year = readNumber(bytes, &i, minDigits: 4, maxDigits: 4), i < bytes.count else { return nil }
        let separator = bytes[i]
        guard separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/") else { return nil }
        i += 1
        guard let month = readNumber(bytes, &i, minDigits: 1, maxDigits: 2), i < bytes.count, bytes[i] == separator else {
            return nil
        }
        i += 1
        guard let day = readNumber(bytes, &i, minDigits: 1, maxDigits: 2) else { return nil }
        return (year, month, day)
    }

    @inline(__always)
    private static func readNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ i: inout Int, minDigits: Int, maxDigits: Int) -> Int? {
        var value = 0
        var count = 0
        while i < bytes.count && count < maxDigits {
            let b = bytes[i]
            guard b >= 0x30 && b <= 0x39 else { break }
            value = value * 10 + Int(b - 0x30)
            count += 1
            i += 1
        }
        return count >= minDigits ? value : nil
    }

    private static func checked(year: Int, month: Int, day: Int, text: String, raw: String) -> StandardizationOutcome<LocalDate> {
        if let problem = LocalDate.problem(year: year, month: month, day: day) {
            return .rejected(StandardizationFailure(kind: .date, input: raw, reason: "'\(text)' is not a valid date: \(problem)"))
        }
        guard let date = LocalDate(year: year, month: month, day: day) else {
            return .rejected(StandardizationFailure(kind: .date, input: raw, reason: "'\(text)' is not a valid date"))
        }
        return .standardized(date)
    }

    private static func monthNumber(_ name: String) -> Int? {
        if name == "sept" { return 9 }
        for (index, full) in LocalDate.monthNames.enumerated() {
            let lower = full.lowercased()
            if name == lower || (name.count == 3 && lower.hasPrefix(name)) { return index + 1 }
        }
        return nil
    }
}

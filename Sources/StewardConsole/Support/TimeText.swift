import Foundation

/// Timestamps and durations as the console shows them.
enum TimeText {
    /// Seconds since 1970 of an ISO 8601 UTC timestamp `YYYY-MM-DDTHH:MM:SSZ` (fractions ignored).
    static func seconds(_ text: String) -> Double? {
        let digits = Array(text.utf8)
        guard digits.count >= 19 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? {
            var value = 0
            for index in from..<(from + length) {
                let byte = digits[index]
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2)
        else { return nil }
        // Days from civil (H. Hinnant).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Double(days * 86400 + hour * 3600 + minute * 60 + second)
    }

    /// "2026-11-28 05:16" from an ISO timestamp.
    static func short(_ text: String) -> String {
        guard text.count >= 16 else { return text }
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// "450ms", "12.3s", "4m05s", "2h03m".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 1 { return "\(Int(seconds * 1000))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds)
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, whole / 60 % 60)
    }

    /// How long something has been waiting, as a work list shows it: "now", "5 min", "3 h", "12 d".
    static func age(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 60 else { return "now" }
        if seconds < 3600 { return "\(Int(seconds / 60)) min" }
        if seconds < 86400 { return "\(Int(seconds / 3600)) h" }
        return "\(Int(seconds / 86400)) d"
    }

    /// "12,340" with thousands separators.
    static func count(_ value: Int) -> String {
        let digits = String(abs(value))
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }

    /// "8.1k/s".
    static func rate(_ perSecond: Double) -> String {
        guard perSecond.isFinite, perSecond > 0 else { return "–/s" }
        if perSecond >= 1_000_000 { return String(format: "%.1fM/s", perSecond / 1_000_000) }
        if perSecond >= 1000 { return String(format: "%.1fk/s", perSecond / 1000) }
        return String(format: "%.0f/s", perSecond)
    }
}

import CDPCore
import Foundation

/// Timestamps and durations as the console shows them.
enum TimeText {
    /// Seconds since 1970 of an ISO 8601 UTC timestamp `YYYY-MM-DDTHH:MM:SSZ` (fractions ignored).
    static func seconds(_ text: String) -> Double? {
        Timestamp(isoText: text).map { Double($0.secondsSinceEpoch) }
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

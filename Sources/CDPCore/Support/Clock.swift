import Foundation

/// Time and identity, injected so tests can pin "now" and "who".
public struct Environment: Sendable {
    /// Seconds since 1970 UTC.
    public var now: @Sendable () -> Double
    public var user: String

    public init(now: @escaping @Sendable () -> Double, user: String) {
        self.now = now
        self.user = user
    }

    public static func live(user: String) -> Environment {
        Environment(now: { Date().timeIntervalSince1970 }, user: user)
    }

    /// A fixed clock for tests.
    public static func fixed(at seconds: Double, user: String = "tester") -> Environment {
        Environment(now: { seconds }, user: user)
    }

    public var today: String { ISOTime.date(now()) }
    public var timestamp: String { ISOTime.timestamp(now()) }
}

/// ISO 8601 text for UTC instants, without Foundation formatters (fast and locale-free).
public enum ISOTime {
    public static func timestamp(_ seconds: Double) -> String {
        let (date, secondsOfDay) = split(seconds)
        let hour = secondsOfDay / 3600, minute = secondsOfDay / 60 % 60, second = secondsOfDay % 60
        return date + "T" + pad2(hour) + ":" + pad2(minute) + ":" + pad2(second) + "Z"
    }

    public static func date(_ seconds: Double) -> String { split(seconds).0 }

    private static func split(_ seconds: Double) -> (String, Int) {
        let whole = Int64(seconds.rounded(.down))
        let days = Int(whole >= 0 ? whole / 86400 : (whole - 86399) / 86400)
        let secondsOfDay = Int(whole - Int64(days) * 86400)
        // Civil-from-days (proleptic Gregorian), after H. Hinnant's published algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (String(format: "%04d", year) + "-" + pad2(month) + "-" + pad2(day), secondsOfDay)
    }

    private static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
}

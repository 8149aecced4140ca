import Foundation

/// Time and identity, injected so tests can pin "now" and "who".
public struct Environment: Sendable {
    /// Seconds since 1970 UTC.
    public var now: @Sendable () -> Double
    public var user: String
    /// The account cdp runs as when it acts for ``user`` (`--as`), whose files anything written now would be; nil
    /// when they are the same.
    public var actingAccount: String?

    public init(now: @escaping @Sendable () -> Double, user: String, actingAccount: String? = nil) {
        self.now = now
        self.user = user
        self.actingAccount = actingAccount
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

/// ISO 8601 text for UTC instants (seconds since 1970), through `Timestamp`.
public enum ISOTime {
    public static func timestamp(_ seconds: Double) -> String {
        Timestamp(secondsSinceEpoch: Int64(seconds.rounded(.down))).isoText
    }

    public static func date(_ seconds: Double) -> String { String(timestamp(seconds).prefix(10)) }
}

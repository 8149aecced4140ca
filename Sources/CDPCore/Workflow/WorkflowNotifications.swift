/// Whom a workflow tells when its runs start, succeed, fail or run too long (Databricks'
/// `email_notifications` and `webhook_notifications`): each event names its recipients.
public struct NotificationTargets<Recipient: Hashable & Codable & Sendable>: Hashable, Codable, Sendable {
    public var onStart: [Recipient]
    public var onSuccess: [Recipient]
    public var onFailure: [Recipient]
    public var onDurationWarningThresholdExceeded: [Recipient]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case onStart = "on_start"
        case onSuccess = "on_success"
        case onFailure = "on_failure"
        case onDurationWarningThresholdExceeded = "on_duration_warning_threshold_exceeded"
    }

    /// The settings it may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(
        onStart: [Recipient] = [], onSuccess: [Recipient] = [], onFailure: [Recipient] = [],
        onDurationWarningThresholdExceeded: [Recipient] = []
    ) {
        self.onStart = onStart
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.onDurationWarningThresholdExceeded = onDurationWarningThresholdExceeded
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        onStart = try container.decodeIfPresent([Recipient].self, forKey: .onStart) ?? []
        onSuccess = try container.decodeIfPresent([Recipient].self, forKey: .onSuccess) ?? []
        onFailure = try container.decodeIfPresent([Recipient].self, forKey: .onFailure) ?? []
        onDurationWarningThresholdExceeded =
            try container.decodeIfPresent([Recipient].self, forKey: .onDurationWarningThresholdExceeded) ?? []
    }

    /// The recipients of an event.
    public func recipients(of event: NotificationEvent) -> [Recipient] {
        switch event {
        case .start: onStart
        case .success: onSuccess
        case .failure, .qualityAlert: onFailure
        case .durationWarning: onDurationWarningThresholdExceeded
        }
    }
}

/// A webhook: `{"id": "ops", "url": "http://…"}`. Databricks names a destination set up in its workspace by
/// `id`; cdp has no such registry, so the URL is given here and the id is a label.
public struct Webhook: Hashable, Codable, Sendable {
    public var id: String?
    public var url: String
    enum CodingKeys: String, CodingKey, CaseIterable { case id, url }
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    public init(id: String? = nil, url: String) {
        self.id = id
        self.url = url
    }
}

/// What a notification is about.
public enum NotificationEvent: String, Hashable, Codable, Sendable, CaseIterable {
    case start = "on_start"
    case success = "on_success"
    case failure = "on_failure"
    /// A `health` rule was broken (`RUN_DURATION_SECONDS` greater than its value).
    case durationWarning = "on_duration_warning_threshold_exceeded"
    /// A rule's pass rate fell below the `alert_below` its rules.toml entry sets; sent as a failure is.
    case qualityAlert = "on_quality_alert"
}

/// Databricks' `health`: `{"rules": [{"metric": "RUN_DURATION_SECONDS", "op": "GREATER_THAN", "value": 3600}]}`.
public struct JobHealth: Hashable, Codable, Sendable {
    public var rules: [HealthRule]
    enum CodingKeys: String, CodingKey, CaseIterable { case rules }
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    public init(rules: [HealthRule]) { self.rules = rules }

    /// The run-duration limit, when a rule sets one (the smallest).
    public var runDurationLimitSeconds: Int? {
        rules.filter { $0.metric == HealthRule.runDurationSeconds }.map(\.value).min()
    }
}

public struct HealthRule: Hashable, Codable, Sendable {
    public static let runDurationSeconds = "RUN_DURATION_SECONDS"
    public static let greaterThan = "GREATER_THAN"
    public var metric: String
    public var op: String
    public var value: Int
    enum CodingKeys: String, CodingKey, CaseIterable { case metric, op, value }
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }
    public init(metric: String = HealthRule.runDurationSeconds, op: String = HealthRule.greaterThan, value: Int) {
        self.metric = metric
        self.op = op
        self.value = value
    }
}

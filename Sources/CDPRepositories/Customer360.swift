import CDPCore

/// One engagement or order event of a customer's timeline.
public struct TimelineEvent: Sendable, Hashable, Codable {
    public var at: String
    /// `sent`, `open`, `click`, `conversion`, `unsubscribe`, or `order`.
    public var kind: String
    /// The campaign's name and channel, or the order's status.
    public var detail: String
    public var channel: String?
    public var amount: Double?
    public var record: SourceRecordID

    public init(
        at: String,
        kind: String,
        detail: String,
        channel: String? = nil,
        amount: Double? = nil,
        record: SourceRecordID
    ) {
        self.at = at
        self.kind = kind
        self.detail = detail
        self.channel = channel
        self.amount = amount
        self.record = record
    }
}

/// One `campaign_performance` row.
public struct CampaignPerformance: Sendable, Hashable, Codable {
    public var campaign: String
    public var name: String?
    public var channel: String?
    public var startDate: String?
    public var budget: Double?
    public var currency: String?
    public var sent: Int
    public var uniqueReached: Int
    public var opens: Int
    public var clicks: Int
    public var conversions: Int
    public var openRate: Double?
    public var clickRate: Double?
    public var conversionRate: Double?
    public var revenue: Double
    public var costPerConversion: Double?

    public init(
        campaign: String,
        name: String? = nil,
        channel: String? = nil,
        startDate: String? = nil,
        budget: Double? = nil,
        currency: String? = nil,
        sent: Int,
        uniqueReached: Int,
        opens: Int,
        clicks: Int,
        conversions: Int,
        openRate: Double? = nil,
        clickRate: Double? = nil,
        conversionRate: Double? = nil,
        revenue: Double,
        costPerConversion: Double? = nil
    ) {
        self.campaign = campaign
        self.name = name
        self.channel = channel
        self.startDate = startDate
        self.budget = budget
        self.currency = currency
        self.sent = sent
        self.uniqueReached = uniqueReached
        self.opens = opens
        self.clicks = clicks
        self.conversions = conversions
        self.openRate = openRate
        self.clickRate = clickRate
        self.conversionRate = conversionRate
        self.revenue = revenue
        self.costPerConversion = costPerConversion
    }
}

/// The newest `match_summary` row: what the last match run did.
public struct MatchSummary: Sendable, Hashable, Codable {
    public var run: MatchRunID
    public var startedAt: String
    public var records: Int?
    public var autoMergedPairs: Int?
    public var queued: Int
    public var decided: Int
    public var goldenRecords: Int?

    public init(
        run: MatchRunID,
        startedAt: String,
        records: Int? = nil,
        autoMergedPairs: Int? = nil,
        queued: Int,
        decided: Int,
        goldenRecords: Int? = nil
    ) {
        self.run = run
        self.startedAt = startedAt
        self.records = records
        self.autoMergedPairs = autoMergedPairs
        self.queued = queued
        self.decided = decided
        self.goldenRecords = goldenRecords
    }
}

/// One `customer_360` row.
public struct Customer360Row: Sendable, Hashable, Codable {
    public var golden: GoldenID
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phone: String?
    public var birthDate: String?
    public var street: String?
    public var city: String?
    public var postcode: String?
    public var country: String?
    public var emailOptIn: Bool?
    public var smsOptIn: Bool?
    public var sourceCount: Int
    public var sources: [String]
    public var firstSeen: String?
    public var lastSeen: String?
    public var orders: Int
    public var lifetimeValue: Double
    public var lastOrder: String?
    public var campaignsReached: Int
    public var sent: Int
    public var opens: Int
    public var clicks: Int
    public var conversions: Int
    public var conversionRevenue: Double
    public var unsubscribes: Int
    public var lastEngagement: String?
    public var openQualityIssues: Int

    public var displayName: String {
        [firstName, lastName].compactMap { $0 }.joined(separator: " ")
    }

    public init(
        golden: GoldenID,
        firstName: String?,
        lastName: String?,
        email: String?,
        phone: String?,
        birthDate: String?,
        street: String?,
        city: String?,
        postcode: String?,
        country: String?,
        emailOptIn: Bool?,
        smsOptIn: Bool?,
        sourceCount: Int,
        sources: [String],
        firstSeen: String?,
        lastSeen: String?,
        orders: Int,
        lifetimeValue: Double,
        lastOrder: String?,
        campaignsReached: Int,
        sent: Int,
        opens: Int,
        clicks: Int,
        conversions: Int,
        conversionRevenue: Double,
        unsubscribes: Int,
        lastEngagement: String?,
        openQualityIssues: Int
    ) {
        self.golden = golden
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.birthDate = birthDate
        self.street = street
        self.city = city
        self.postcode = postcode
        self.country = country
        self.emailOptIn = emailOptIn
        self.smsOptIn = smsOptIn
        self.sourceCount = sourceCount
        self.sources = sources
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.orders = orders
        self.lifetimeValue = lifetimeValue
        self.lastOrder = lastOrder
        self.campaignsReached = campaignsReached
        self.sent = sent
        self.opens = opens
        self.clicks = clicks
        self.conversions = conversions
        self.conversionRevenue = conversionRevenue
        self.unsubscribes = unsubscribes
        self.lastEngagement = lastEngagement
        self.openQualityIssues = openQualityIssues
    }
}

extension TimelineEvent {
    /// The newest `limit` of events read per source record, newest first (ties by kind), as every store answers
    /// ``Customer360Repository/timeline(contacts:customers:limit:)``.
    public static func newestFirst(_ events: [TimelineEvent], limit: Int) -> [TimelineEvent] {
        Array(events.sorted { $0.at != $1.at ? $0.at > $1.at : $0.kind < $1.kind }.prefix(limit))
    }
}

extension CustomerSearchKeys.Lookup {
    /// The names a looked-up word sounds like or is one edit from, each with the strongest variant key it met the
    /// word by (a typo over a sound), from the name index's (variant, name) rows in index order; the word itself is
    /// left to the exact lookup.
    public func strongestVariants(_ rows: [(variant: String, name: String)]) -> [String: String] {
        var bestVariant: [String: String] = [:]
        for (variant, name) in rows where name != exact {
            if let known = bestVariant[name], (kind(of: known) ?? .soundsAlike) >= (kind(of: variant) ?? .soundsAlike) { continue }
            bestVariant[name] = variant
        }
        return bestVariant
    }
}

/// A customer's engagement for the profile's charts, counted per month and channel.
public enum EngagementCharts {
    /// Months in order; channels by count, most first (ties by name).
    public static func sorted(months: [String: Int], channels: [String: Int]) -> (months: [(String, Int)], channels: [(String, Int)]) {
        (months.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
         channels.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) })
    }
}

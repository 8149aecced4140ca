import CDPCore
import CDPRepositories
import GRDB

/// Campaign events summed in one pass over `silver_event`: per golden customer (into its facts), per
/// campaign (with the distinct contacts sent to, opening, clicking and converting, as bit sets over
/// contact ordinals) and per campaign and day. Three SQL aggregations over the same rows took three times
/// as long, and `COUNT(DISTINCT …)` sorted the events each time.
struct EventTotals {
    struct CampaignTotals {
        var sent = 0, opens = 0, clicks = 0, conversions = 0, unsubscribes = 0
        var revenue = 0.0
        /// Distinct contacts sent to: the campaign's reach. Engagement from a contact never sent to (a lost or
        /// quarantined send) counts in the event totals but neither in the reach nor in the rates.
        var sentTo = BitSet(), openers = BitSet(), clickers = BitSet(), converters = BitSet()
    }

    struct DayTotals {
        var sent = 0, opens = 0, clicks = 0, conversions = 0, unsubscribes = 0
        var revenue = 0.0
    }

    private var campaignOrdinal: [String: Int32] = [:]
    private var campaignIDs: [String] = []
    private var campaigns: [CampaignTotals] = []
    private var channels: [String: String] = [:]
    private var dayOrdinal: [String: Int32] = [:]
    private var dayTexts: [String] = []
    /// Keyed by campaign ordinal << 32 | day ordinal.
    private var days: [Int64: DayTotals] = [:]

    enum Kind { case sent, open, click, conversion, unsubscribe, other }

    static func kind(_ text: String) -> Kind {
        switch text {
        case "sent": .sent
        case "open": .open
        case "click": .click
        case "conversion": .conversion
        case "unsubscribe": .unsubscribe
        default: .other
        }
    }

    static func read(
        _ db: Database, contactOwners: [SourceName], into facts: inout [Int64: LakeStore.CustomerFacts]
    ) throws -> EventTotals {
        var totals = EventTotals()
        // Contacts of the event-owning sources → ordinal → golden id (−1: not linked to a golden record).
        var contactOrdinal: [String: Int32] = [:]
        var goldenOf: [Int64] = []
        if !contactOwners.isEmpty {
            let marks = Array(repeating: "?", count: contactOwners.count).joined(separator: ",")
            let links = try Row.fetchCursor(
                db, sql: "SELECT source_key, golden_id FROM golden_xref WHERE valid_to_run IS NULL AND source IN (\(marks))",
                arguments: StatementArguments(contactOwners.map(\.rawValue)))
            while let row = try links.next() {
                let key: String = row[0]
                guard contactOrdinal[key] == nil else { continue }
                contactOrdinal[key] = Int32(goldenOf.count)
                goldenOf.append(row[1])
            }
        }
        let campaignRows = try Row.fetchCursor(db, sql: "SELECT source_key, MAX(channel) FROM silver_campaign WHERE is_current = 1 GROUP BY source_key")
        while let row = try campaignRows.next() {
            let id: String = row[0]
            if let channel: String = row[1] { totals.channels[id] = channel }
            _ = totals.ordinal(ofCampaign: id)
        }

        let events = try Row.fetchCursor(
            db, sql: "SELECT contact_id, campaign_id, event_type, occurred_at, revenue FROM silver_event WHERE is_current = 1")
        while let row = try events.next() {
            let contactKey: String? = row[0]
            let contact: Int32
            if let contactKey, let known = contactOrdinal[contactKey] {
                contact = known
            } else {
                contact = Int32(goldenOf.count)
                goldenOf.append(-1)
                if let contactKey { contactOrdinal[contactKey] = contact }
            }
            let campaign = totals.ordinal(ofCampaign: row[1] as String? ?? "")
            let kind = Self.kind(row[2] as String? ?? "")
            let occurredAt: String? = row[3]
            let revenue = kind == .conversion ? (row[4] as Double? ?? 0) : 0

            totals.campaigns[Int(campaign)].add(kind, contact: Int(contact), revenue: revenue)
            if let occurredAt {
                let day = totals.ordinal(ofDay: String(occurredAt.prefix(10)))
                totals.days[Int64(campaign) << 32 | Int64(day), default: DayTotals()].add(kind, revenue: revenue)
            }
            let golden = goldenOf[Int(contact)]
            guard golden >= 0 else { continue }
            facts[golden, default: LakeStore.CustomerFacts()].add(kind, campaign: campaign, revenue: revenue, at: occurredAt)
        }
        return totals
    }

    private mutating func ordinal(ofCampaign id: String) -> Int32 {
        if let known = campaignOrdinal[id] { return known }
        let ordinal = Int32(campaignIDs.count)
        campaignOrdinal[id] = ordinal
        campaignIDs.append(id)
        campaigns.append(CampaignTotals())
        return ordinal
    }

    private mutating func ordinal(ofDay text: String) -> Int32 {
        if let known = dayOrdinal[text] { return known }
        let ordinal = Int32(dayTexts.count)
        dayOrdinal[text] = ordinal
        dayTexts.append(text)
        return ordinal
    }

    /// One row per current campaign; rates are distinct contacts over distinct contacts sent to.
    func insertCampaignPerformance(_ db: Database) throws -> Int {
        let insert = try db.makeStatement(
            sql: """
                INSERT OR REPLACE INTO campaign_performance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let rows = try Row.fetchAll(
            db, sql: "SELECT source_key, name, channel, start_date, end_date, budget, currency FROM silver_campaign WHERE is_current = 1")
        for row in rows {
            let id: String = row[0]
            let totals = campaignOrdinal[id].map { campaigns[Int($0)] } ?? CampaignTotals()
            let sentTo = totals.sentTo.count
            func rate(_ set: BitSet) -> Double? { sentTo > 0 ? Double(set.intersectionCount(totals.sentTo)) / Double(sentTo) : nil }
            let budget: Double? = row[5]
            let costPerConversion = totals.conversions > 0 ? budget.map { $0 / Double(totals.conversions) } : nil
            let values: [(any DatabaseValueConvertible)?] = [
                id, row[1] as String?, row[2] as String?, row[3] as String?, row[4] as String?, budget, row[6] as String?,
                totals.sent, sentTo, totals.opens, totals.clicks, totals.conversions, totals.unsubscribes,
                rate(totals.openers), rate(totals.clickers), rate(totals.converters), totals.revenue, costPerConversion,
            ]
            try insert.execute(arguments: StatementArguments(values))
        }
        return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_performance") ?? 0
    }

    /// Per channel (the campaign's, `unknown` without one) and day.
    func insertEngagementDaily(_ db: Database) throws -> Int {
        struct Key: Hashable {
            var channel: String
            var day: Int32
        }
        var byChannel: [Key: DayTotals] = [:]
        for (key, totals) in days {
            let campaign = campaignIDs[Int(key >> 32)]
            let channelKey = Key(channel: channels[campaign] ?? "unknown", day: Int32(truncatingIfNeeded: key))
            byChannel[channelKey, default: DayTotals()].merge(totals)
        }
        let insert = try db.makeStatement(sql: "INSERT INTO engagement_daily VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        for (key, totals) in byChannel {
            try insert.execute(arguments: [
                key.channel, dayTexts[Int(key.day)], totals.sent, totals.opens, totals.clicks, totals.conversions,
                totals.unsubscribes, totals.revenue,
            ])
        }
        return byChannel.count
    }
}

extension EventTotals.CampaignTotals {
    mutating func add(_ kind: EventTotals.Kind, contact: Int, revenue: Double) {
        switch kind {
        case .sent:
            sent += 1
            sentTo.insert(contact)
        case .open:
            opens += 1
            openers.insert(contact)
        case .click:
            clicks += 1
            clickers.insert(contact)
        case .conversion:
            conversions += 1
            converters.insert(contact)
            self.revenue += revenue
        case .unsubscribe: unsubscribes += 1
        case .other: break
        }
    }
}

extension EventTotals.DayTotals {
    mutating func add(_ kind: EventTotals.Kind, revenue: Double) {
        switch kind {
        case .sent: sent += 1
        case .open: opens += 1
        case .click: clicks += 1
        case .conversion:
            conversions += 1
            self.revenue += revenue
        case .unsubscribe: unsubscribes += 1
        case .other: break
        }
    }

    mutating func merge(_ other: Self) {
        sent += other.sent
        opens += other.opens
        clicks += other.clicks
        conversions += other.conversions
        unsubscribes += other.unsubscribes
        revenue += other.revenue
    }
}

extension LakeStore.CustomerFacts {
    mutating func add(_ kind: EventTotals.Kind, campaign: Int32, revenue: Double, at occurredAt: String?) {
        if !campaigns.contains(campaign) { campaigns.append(campaign) }
        switch kind {
        case .sent: sent += 1
        case .open: opens += 1
        case .click: clicks += 1
        case .conversion:
            conversions += 1
            conversionRevenue += revenue
        case .unsubscribe: unsubscribes += 1
        case .other: break
        }
        if kind == .open || kind == .click || kind == .conversion, let occurredAt, lastEngagement.map({ occurredAt > $0 }) ?? true {
            lastEngagement = occurredAt
        }
    }
}

/// A set of small non-negative integers as bits: 1M contacts take 125 KB.
struct BitSet {
    private var words: [UInt64] = []
    private(set) var count = 0

    mutating func insert(_ value: Int) {
        let word = value >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: max(word + 1 - words.count, words.count))) }
        let bit = UInt64(1) << UInt64(value & 63)
        if words[word] & bit == 0 {
            words[word] |= bit
            count += 1
        }
    }

    func contains(_ value: Int) -> Bool {
        let word = value >> 6
        return word < words.count && words[word] & (UInt64(1) << UInt64(value & 63)) != 0
    }

    /// How many values are in both sets.
    func intersectionCount(_ other: BitSet) -> Int {
        var count = 0
        for index in 0..<min(words.count, other.words.count) { count += (words[index] & other.words[index]).nonzeroBitCount }
        return count
    }
}

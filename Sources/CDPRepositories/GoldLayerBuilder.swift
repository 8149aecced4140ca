import CDPCore

/// The gold layer as both stores build it: a store reads its lake in the order the `add…` methods name (customers'
/// source records, orders, open issues, then the contact links, campaigns and events), and writes what the builder
/// gives back: one `customer_360` row with its search keys per golden record (``customer(_:attributes:run:)``), then
/// the name variants, the campaigns and the days. Campaign events are summed in one pass that feeds the customers, the
/// campaigns (distinct contacts sent to, opening, clicking and converting, as bit sets over contact ordinals) and the
/// days alike: three SQL aggregations over the same rows took three times as long, and `COUNT(DISTINCT …)` sorted the
/// events each time. Kept in one place so the embedded lake and the team store cannot drift apart.
///
/// `OptIn` is a consent value as the store holds it (the embedded lake keeps whatever silver held, the team store a
/// number); the builder only carries it to the customer's row.
public struct GoldLayerBuilder<OptIn: Sendable> {
    /// Per golden customer, what its source records add up to.
    struct CustomerFacts {
        var sources: Set<String> = []
        var sourceCount = 0
        var firstSeen: String?
        var lastSeen: String?
        var consentAt: String?
        var emailOptIn: OptIn?
        var smsOptIn: OptIn?
        var emails: Set<String> = []
        var phones: Set<String> = []
        var orders = 0
        var lifetimeValue = 0.0
        var lastOrder: String?
        /// Ordinals of the campaigns that reached the customer (a handful: a linear search beats a set).
        var campaigns: [Int32] = []
        var sent = 0, opens = 0, clicks = 0, conversions = 0, unsubscribes = 0
        var conversionRevenue = 0.0
        var lastEngagement: String?
        var openIssues = 0
    }

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

    enum Kind { case sent, open, click, conversion, unsubscribe, other }

    private var facts: [Int64: CustomerFacts] = [:]
    /// Contacts of the event-owning sources → ordinal → golden id (−1: not linked to a golden record).
    private var contactOrdinal: [String: Int32] = [:]
    private var goldenOfContact: [Int64] = []
    private var campaignOrdinal: [String: Int32] = [:]
    private var campaignIDs: [String] = []
    private var campaigns: [CampaignTotals] = []
    private var channels: [String: String] = [:]
    private var dayOrdinal: [String: Int32] = [:]
    private var dayTexts: [String] = []
    /// Keyed by campaign ordinal << 32 | day ordinal.
    private var days: [Int64: DayTotals] = [:]
    /// Every name word of the customers built so far: their variants are the name index.
    private var names: Set<String> = []

    public init() {}

    // MARK: What the store reads

    /// One current source record of a golden customer (a current link joined to its current silver row).
    public mutating func addMember(
        golden: Int64, source: String, createdAt: String?, updatedAt: String?, emailOptIn: OptIn?, smsOptIn: OptIn?, email: String?,
        phone: String?
    ) {
        var fact = facts[golden] ?? CustomerFacts()
        fact.sources.insert(source)
        fact.sourceCount += 1
        let updated = updatedAt ?? createdAt
        if let createdAt, fact.firstSeen.map({ createdAt < $0 }) ?? true { fact.firstSeen = createdAt }
        if let updated, fact.lastSeen.map({ updated > $0 }) ?? true { fact.lastSeen = updated }
        // Consent: the most recently updated record that states one.
        if emailOptIn != nil || smsOptIn != nil, let stamp = updated, fact.consentAt.map({ stamp >= $0 }) ?? true {
            fact.consentAt = stamp
            if let emailOptIn { fact.emailOptIn = emailOptIn }
            if let smsOptIn { fact.smsOptIn = smsOptIn }
        }
        if let email { fact.emails.insert(email) }
        if let phone { fact.phones.insert(phone) }
        facts[golden] = fact
    }

    /// A golden customer's current orders: how many, what they were worth (cancelled and refunded ones count 0), the last.
    /// The worth is summed by the store's SQL, in an order of its own (and exactly on the team store): it is kept to a
    /// millionth, so that 367.53999999999996 and 367.54 read alike on both stores.
    public mutating func setOrders(golden: Int64, count: Int, lifetimeValue: Double, lastOrder: String?) {
        facts[golden, default: CustomerFacts()].orders = count
        facts[golden, default: CustomerFacts()].lifetimeValue = (lifetimeValue * 1e6).rounded() / 1e6
        facts[golden, default: CustomerFacts()].lastOrder = lastOrder
    }

    /// How many open or fixed quarantined records a golden customer's source keys hold.
    public mutating func setOpenIssues(golden: Int64, count: Int) {
        facts[golden, default: CustomerFacts()].openIssues = count
    }

    /// A current link of an event-owning source's record (its key is what events name as their contact); the first
    /// link read for a key wins.
    public mutating func addContact(key: String, golden: Int64) {
        guard contactOrdinal[key] == nil else { return }
        contactOrdinal[key] = Int32(goldenOfContact.count)
        goldenOfContact.append(golden)
    }

    /// A current campaign and its channel.
    public mutating func addCampaign(id: String, channel: String?) {
        if let channel { channels[id] = channel }
        _ = ordinal(ofCampaign: id)
    }

    /// One current campaign event.
    public mutating func addEvent(contact contactKey: String?, campaign campaignID: String?, type: String?, occurredAt: String?, revenue: Double?) {
        let contact: Int32
        if let contactKey, let known = contactOrdinal[contactKey] {
            contact = known
        } else {
            contact = Int32(goldenOfContact.count)
            goldenOfContact.append(-1)
            if let contactKey { contactOrdinal[contactKey] = contact }
        }
        let campaign = ordinal(ofCampaign: campaignID ?? "")
        let kind = Self.kind(type ?? "")
        let revenue = kind == .conversion ? (revenue ?? 0) : 0
        campaigns[Int(campaign)].add(kind, contact: Int(contact), revenue: revenue)
        if let occurredAt {
            let day = ordinal(ofDay: String(occurredAt.prefix(10)))
            days[Int64(campaign) << 32 | Int64(day), default: DayTotals()].add(kind, revenue: revenue)
        }
        let golden = goldenOfContact[Int(contact)]
        guard golden >= 0 else { return }
        facts[golden, default: CustomerFacts()].add(kind, campaign: campaign, revenue: revenue, at: occurredAt)
    }

    // MARK: What the store writes

    /// One golden customer's `customer_360` row and its search keys, from its surviving values (attribute name →
    /// value) and what its records added up to.
    public mutating func customer(_ golden: Int64, attributes: [String: String], run: RunID?) -> GoldCustomer<OptIn> {
        let fact = facts[golden] ?? CustomerFacts()
        let keys = CustomerSearchKeys.keys(
            firstName: attributes["first_name"], lastName: attributes["last_name"],
            emails: Array(fact.emails) + [attributes["email"]].compactMap { $0 },
            phones: Array(fact.phones) + [attributes["phone"]].compactMap { $0 })
        names.formUnion(CustomerSearchKeys.nameWords(firstName: attributes["first_name"], lastName: attributes["last_name"]))
        return GoldCustomer(
            golden: golden, firstName: attributes["first_name"], lastName: attributes["last_name"], email: attributes["email"],
            phone: attributes["phone"], birthDate: attributes["birth_date"], street: attributes["street"], city: attributes["city"],
            postcode: attributes["postcode"], country: attributes["country"], emailOptIn: fact.emailOptIn, smsOptIn: fact.smsOptIn,
            sourceCount: fact.sourceCount, sources: fact.sources.sorted().joined(separator: ","), firstSeen: fact.firstSeen,
            lastSeen: fact.lastSeen, orders: fact.orders, lifetimeValue: fact.lifetimeValue, lastOrder: fact.lastOrder,
            campaignsReached: fact.campaigns.count, sent: fact.sent, opens: fact.opens, clicks: fact.clicks, conversions: fact.conversions,
            conversionRevenue: fact.conversionRevenue, unsubscribes: fact.unsubscribes, lastEngagement: fact.lastEngagement,
            openQualityIssues: fact.openIssues, builtRun: run?.rawValue, searchKeys: keys)
    }

    /// The name index, once every customer is built: each name word's variants, (variant, name) once each, sorted.
    public func nameVariants() -> [(variant: String, name: String)] {
        var pairs: [(variant: String, name: String)] = []
        for name in names.sorted() {
            for variant in Set(CustomerSearchKeys.variants(ofName: name)).sorted() { pairs.append((variant, name)) }
        }
        return pairs
    }

    /// One `campaign_performance` row per current campaign (a campaign read twice keeps its last row); rates are
    /// distinct contacts over distinct contacts sent to.
    public func campaignPerformance(_ details: [CampaignDetails]) -> [GoldCampaign] {
        var position: [String: Int] = [:]
        var rows: [GoldCampaign] = []
        for detail in details {
            let totals = campaignOrdinal[detail.id].map { campaigns[Int($0)] } ?? CampaignTotals()
            let sentTo = totals.sentTo.count
            func rate(_ set: BitSet) -> Double? { sentTo > 0 ? Double(set.intersectionCount(totals.sentTo)) / Double(sentTo) : nil }
            let row = GoldCampaign(
                id: detail.id, name: detail.name, channel: detail.channel, startDate: detail.startDate, endDate: detail.endDate,
                budget: detail.budget, currency: detail.currency, sent: totals.sent, uniqueReached: sentTo, opens: totals.opens,
                clicks: totals.clicks, conversions: totals.conversions, unsubscribes: totals.unsubscribes, openRate: rate(totals.openers),
                clickRate: rate(totals.clickers), conversionRate: rate(totals.converters), revenue: totals.revenue,
                costPerConversion: totals.conversions > 0 ? detail.budget.map { $0 / Double(totals.conversions) } : nil)
            if let known = position[detail.id] {
                rows[known] = row
            } else {
                position[detail.id] = rows.count
                rows.append(row)
            }
        }
        return rows
    }

    /// Engagement per channel (the campaign's, `unknown` without one) and day, sorted by channel and day.
    public func engagementDays() -> [GoldEngagementDay] {
        var byChannel: [ChannelDay: DayTotals] = [:]
        for (key, totals) in days {
            let campaign = campaignIDs[Int(key >> 32)]
            let channelKey = ChannelDay(channel: channels[campaign] ?? "unknown", day: Int32(truncatingIfNeeded: key))
            byChannel[channelKey, default: DayTotals()].merge(totals)
        }
        return byChannel.map { key, totals in
            GoldEngagementDay(
                channel: key.channel, day: dayTexts[Int(key.day)], sent: totals.sent, opens: totals.opens, clicks: totals.clicks,
                conversions: totals.conversions, unsubscribes: totals.unsubscribes, revenue: totals.revenue)
        }.sorted { ($0.channel, $0.day) < ($1.channel, $1.day) }
    }

    // MARK: Ordinals

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
}

/// One golden customer's `customer_360` row (columns in the table's order) and the keys it is searched by.
public struct GoldCustomer<OptIn: Sendable> {
    public var golden: Int64
    public var firstName, lastName, email, phone, birthDate, street, city, postcode, country: String?
    public var emailOptIn, smsOptIn: OptIn?
    public var sourceCount: Int
    /// The sources of its records, sorted, comma-separated.
    public var sources: String
    public var firstSeen, lastSeen: String?
    public var orders: Int
    public var lifetimeValue: Double
    public var lastOrder: String?
    public var campaignsReached, sent, opens, clicks, conversions: Int
    public var conversionRevenue: Double
    public var unsubscribes: Int
    public var lastEngagement: String?
    public var openQualityIssues: Int
    public var builtRun: Int64?
    /// Its search keys, each once.
    public var searchKeys: [String]
}

/// A current campaign as silver holds it: what its `campaign_performance` row repeats.
public struct CampaignDetails: Sendable {
    public var id: String
    public var name, channel, startDate, endDate: String?
    public var budget: Double?
    public var currency: String?

    public init(id: String, name: String?, channel: String?, startDate: String?, endDate: String?, budget: Double?, currency: String?) {
        self.id = id
        self.name = name
        self.channel = channel
        self.startDate = startDate
        self.endDate = endDate
        self.budget = budget
        self.currency = currency
    }
}

/// One `campaign_performance` row (columns in the table's order).
public struct GoldCampaign: Sendable {
    public var id: String
    public var name, channel, startDate, endDate: String?
    public var budget: Double?
    public var currency: String?
    public var sent, uniqueReached, opens, clicks, conversions, unsubscribes: Int
    public var openRate, clickRate, conversionRate: Double?
    public var revenue: Double
    public var costPerConversion: Double?
}

/// One `engagement_daily` row (columns in the table's order).
public struct GoldEngagementDay: Sendable {
    public var channel: String
    public var day: String
    public var sent, opens, clicks, conversions, unsubscribes: Int
    public var revenue: Double
}

extension GoldLayerBuilder.CampaignTotals {
    mutating func add(_ kind: GoldLayerBuilder.Kind, contact: Int, revenue: Double) {
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

extension GoldLayerBuilder.DayTotals {
    mutating func add(_ kind: GoldLayerBuilder.Kind, revenue: Double) {
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

extension GoldLayerBuilder.CustomerFacts {
    mutating func add(_ kind: GoldLayerBuilder.Kind, campaign: Int32, revenue: Double, at occurredAt: String?) {
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

/// A channel and a day (by ordinal) of `engagement_daily`.
private struct ChannelDay: Hashable {
    var channel: String
    var day: Int32
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

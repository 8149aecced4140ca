import CDPCore
import CDPRepositories
import Foundation

/// The gold layer on the team store: read from the lake, added up by ``GoldLayerBuilder`` exactly as the embedded
/// lake adds it up, and copied (COPY) into the gold tables in one transaction under the run lock the run holds
/// (``PostgresSchema/goldWriteObjects``: the database refuses a session of a role not holding it).
extension PostgresLake: GoldRepository {
    @discardableResult
    public func rebuildGold(_ sources: GoldSources, run: RunID?, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError) -> GoldCounts {
        func checkStop(_ phase: String) throws(StoreError) {
            if shouldStop() { throw StoreError(.interrupted, "rebuild the gold layer: stopped \(phase); the old layer is kept") }
        }
        try checkStop("before it began")
        guard let reads = try readGoldInputs(sources, shouldStop: shouldStop) else {
            throw StoreError(.interrupted, "rebuild the gold layer: stopped while reading the lake; the old layer is kept")
        }
        var builder = GoldLayerBuilder<Int64>()
        try addCustomerFacts(reads, into: &builder)
        try addEvents(reads, into: &builder)
        try checkStop("while adding it up")

        var counts = GoldCounts()
        let goldens = reads.goldens
        var customers: [[String?]] = []
        var keys: [[String?]] = []
        customers.reserveCapacity(goldens.count)
        for row in goldens {
            let golden = try integer(row[0], "a golden id")
            let c = builder.customer(golden, attributes: try Self.goldenValues(row[1], golden: golden), run: run)
            customers.append([
                String(c.golden), c.firstName, c.lastName, c.email, c.phone, c.birthDate, c.street, c.city, c.postcode, c.country,
                c.emailOptIn.map(String.init), c.smsOptIn.map(String.init), String(c.sourceCount), c.sources, c.firstSeen, c.lastSeen,
                String(c.orders), String(c.lifetimeValue), c.lastOrder, String(c.campaignsReached), String(c.sent), String(c.opens),
                String(c.clicks), String(c.conversions), String(c.conversionRevenue), String(c.unsubscribes), c.lastEngagement,
                String(c.openQualityIssues), c.builtRun.map(String.init),
            ])
            keys += c.searchKeys.map { [$0, String(c.golden)] }
            counts.customers += 1
            counts.searchKeys += c.searchKeys.count
        }
        let variants = builder.nameVariants().map { [$0.variant, $0.name] as [String?] }
        let campaigns = builder.campaignPerformance(try campaignDetails(reads.campaignDetails)).map { c -> [String?] in
            [
                c.id, c.name, c.channel, c.startDate, c.endDate, c.budget.map { String($0) }, c.currency, String(c.sent),
                String(c.uniqueReached), String(c.opens), String(c.clicks), String(c.conversions), String(c.unsubscribes),
                c.openRate.map { String($0) }, c.clickRate.map { String($0) }, c.conversionRate.map { String($0) }, String(c.revenue),
                c.costPerConversion.map { String($0) },
            ]
        }
        let days = builder.engagementDays().map { d -> [String?] in
            [d.channel, d.day, String(d.sent), String(d.opens), String(d.clicks), String(d.conversions), String(d.unsubscribes), String(d.revenue)]
        }
        counts.campaigns = campaigns.count
        counts.engagementDays = days.count
        try checkStop("before writing")

        let tables: [(String, [String], [[String?]])] = [
            ("customer_360", Self.customer360Columns, customers), ("customer_search", ["key", "golden_id"], keys),
            ("customer_name_variant", ["variant", "name"], variants), ("campaign_performance", Self.campaignColumns, campaigns),
            ("engagement_daily", ["channel", "day", "sent", "opens", "clicks", "conversions", "unsubscribes", "revenue"], days),
        ]
        try transaction("write the gold layer") { session async throws(PostgresStoreError) in
            try await session.execute("SELECT cdp.gold_write_begin()")
            for (table, columns, rows) in tables {
                var batches = stride(from: 0, to: rows.count, by: 10_000).map { rows[$0..<min($0 + 10_000, rows.count)] }.makeIterator()
                _ = try await session.copyRows(into: table, columns: columns) { () throws(PostgresStoreError) -> [[String?]]? in
                    batches.next().map(Array.init)
                }
            }
            try await session.execute("SELECT cdp.gold_write_end()")
        }
        return counts
    }

    static let customer360Columns = [
        "golden_id", "first_name", "last_name", "email", "phone", "birth_date", "street", "city", "postcode", "country", "email_opt_in",
        "sms_opt_in", "source_count", "sources", "first_seen", "last_seen", "orders", "lifetime_value", "last_order", "campaigns_reached",
        "sent", "opens", "clicks", "conversions", "conversion_revenue", "unsubscribes", "last_engagement", "open_quality_issues", "built_run",
    ]

    static let campaignColumns = [
        "campaign_id", "name", "channel", "start_date", "end_date", "budget", "currency", "sent", "unique_reached", "opens", "clicks",
        "conversions", "unsubscribes", "open_rate", "click_rate", "conversion_rate", "revenue", "cost_per_conversion",
    ]

    /// Every row the gold layer is added up from, read in one snapshot.
    struct GoldReads: Sendable {
        var members: [[String?]] = []
        var orders: [[String?]] = []
        var issues: [[String?]] = []
        var contacts: [[String?]] = []
        var campaigns: [[String?]] = []
        var events: [[String?]] = []
        var goldens: [[String?]] = []
        var campaignDetails: [[String?]] = []
    }

    /// The customers' source records, orders and open quarantine (links in the order they were made, as the embedded
    /// lake reads them), the event owners' contacts, campaigns, events and the live golden records, all in one
    /// `REPEATABLE READ READ ONLY` transaction: a decision or a run committing meanwhile (an unmerge making a golden
    /// record whose members were read before it) is either all in what the build reads or not at all. The store
    /// analyses these tables first (`cdp.gold_read_begin`, which also refuses a session whose role holds no run lock).
    /// - Returns: nil when `shouldStop` asked, between reading the customers and the events.
    private func readGoldInputs(_ sources: GoldSources, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError) -> GoldReads? {
        let from = readable
        let orderOwners = Self.textArray(sources.orderOwners.map(\.rawValue))
        let contactOwners = Self.textArray(sources.eventOwners.map(\.rawValue))
        return try work("read the lake for the gold layer") { session async throws(PostgresStoreError) -> GoldReads? in
            try await session.execute("SELECT cdp.gold_read_begin()")
            return try await session.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") {
                session async throws(PostgresStoreError) -> GoldReads? in
                var reads = GoldReads()
                reads.members = try await session.rows(
                    """
                    SELECT x.golden_id::text, x.source, c.created_at, c.updated_at, c.email_opt_in::text, c.sms_opt_in::text, c.email, c.phone
                    FROM \(from("golden_xref", as: "x"))
                    JOIN \(from("silver_customer", as: "c")) ON c.source = x.source AND c.source_key = x.source_key AND c.is_current = 1
                    WHERE x.valid_to_run IS NULL ORDER BY x.id
                    """)
                // Amounts summed exactly (numeric), as SQLite's TOTAL sums them (compensated), so both round alike.
                reads.orders = try await session.rows(
                    """
                    SELECT x.golden_id::text, count(*)::text,
                        coalesce(sum(CASE WHEN o.status IN ('cancelled', 'refunded') THEN 0 ELSE o.amount::numeric END), 0)::float8::text,
                        max(o.order_date COLLATE "C")
                    FROM \(from("silver_order", as: "o"))
                    JOIN \(from("golden_xref", as: "x")) ON x.source = ANY($1::text[]) AND x.source_key = o.customer_id AND x.valid_to_run IS NULL
                    WHERE o.is_current = 1 GROUP BY x.golden_id
                    """, [orderOwners])
                reads.issues = try await session.rows(
                    """
                    SELECT x.golden_id::text, count(*)::text FROM \(from("quarantine_record", as: "q"))
                    JOIN \(from("golden_xref", as: "x")) ON x.source = q.source AND x.source_key = q.source_key AND x.valid_to_run IS NULL
                    WHERE q.status IN ('open', 'fixed') GROUP BY x.golden_id
                    """)
                if shouldStop() { return nil }
                reads.contacts = try await session.rows(
                    "SELECT source_key, golden_id::text FROM \(from("golden_xref")) WHERE valid_to_run IS NULL AND source = ANY($1::text[]) ORDER BY id",
                    [contactOwners])
                reads.campaigns = try await session.rows(
                    """
                    SELECT source_key, max(channel COLLATE "C") FROM \(from("silver_campaign")) WHERE is_current = 1
                    GROUP BY source_key ORDER BY source_key COLLATE "C"
                    """)
                reads.events = try await session.rows(
                    "SELECT contact_id, campaign_id, event_type, occurred_at, revenue::text FROM \(from("silver_event")) WHERE is_current = 1 ORDER BY id")
                reads.goldens = try await session.rows(
                    "SELECT id::text, attributes FROM \(from("golden_record")) WHERE retired_run IS NULL ORDER BY golden_record.id")
                reads.campaignDetails = try await session.rows(
                    """
                    SELECT source_key, name, channel, start_date, end_date, budget::text, currency FROM \(from("silver_campaign"))
                    WHERE is_current = 1 ORDER BY id
                    """)
                return reads
            }
        }
    }

    private func addCustomerFacts(_ reads: GoldReads, into builder: inout GoldLayerBuilder<Int64>) throws(StoreError) {
        for row in reads.members {
            builder.addMember(
                golden: try integer(row[0], "a golden id"), source: row[1] ?? "", createdAt: row[2], updatedAt: row[3],
                emailOptIn: try optionalInteger(row[4], "an e-mail opt-in"), smsOptIn: try optionalInteger(row[5], "an SMS opt-in"),
                email: row[6], phone: row[7])
        }
        for row in reads.orders {
            builder.setOrders(
                golden: try integer(row[0], "a golden id"), count: Int(try integer(row[1], "an order count")),
                lifetimeValue: try Self.number(row[2], "a lifetime value"), lastOrder: row[3])
        }
        for row in reads.issues {
            builder.setOpenIssues(golden: try integer(row[0], "a golden id"), count: Int(try integer(row[1], "a count of open issues")))
        }
    }

    /// The event owners' contacts, the current campaigns and every current event, in id order.
    private func addEvents(_ reads: GoldReads, into builder: inout GoldLayerBuilder<Int64>) throws(StoreError) {
        for row in reads.contacts { builder.addContact(key: row[0] ?? "", golden: try integer(row[1], "a golden id")) }
        for row in reads.campaigns { builder.addCampaign(id: row[0] ?? "", channel: row[1]) }
        for row in reads.events {
            builder.addEvent(
                contact: row[0], campaign: row[1], type: row[2], occurredAt: row[3], revenue: try row[4].map { text throws(StoreError) in try Self.number(text, "an event's revenue") })
        }
    }

    /// The current campaigns as silver holds them, in id order.
    private func campaignDetails(_ rows: [[String?]]) throws(StoreError) -> [CampaignDetails] {
        try rows.map { row throws(StoreError) in
            CampaignDetails(
                id: row[0] ?? "", name: row[1], channel: row[2], startDate: row[3], endDate: row[4],
                budget: try row[5].map { text throws(StoreError) in try Self.number(text, "a campaign's budget") }, currency: row[6])
        }
    }

    /// A golden record's surviving values, `[{"name": …, "value": …}, …]` → name → value (values that are not text
    /// left out, as the embedded lake reads them).
    static func goldenValues(_ json: String?, golden: Int64) throws(StoreError) -> [String: String] {
        guard let data = json?.data(using: .utf8), let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw StoreError(.database, "golden record G\(golden) holds attributes that are not a JSON list of values; rerun `cdp match run`")
        }
        var values: [String: String] = [:]
        for item in list {
            if let name = item["name"] as? String, let value = item["value"] as? String { values[name] = value }
        }
        return values
    }

    /// A `double precision` read as text.
    static func number(_ text: String?, _ what: String) throws(StoreError) -> Double {
        guard let text, let value = Double(text) else {
            throw StoreError(.database, "the team store returned \(text.map { "'\($0)'" } ?? "NULL") for \(what), which is not a number")
        }
        return value
    }
}

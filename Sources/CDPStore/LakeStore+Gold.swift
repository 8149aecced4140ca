import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: GoldRepository {}

/// The gold layer: `customer_360` (one row per golden customer) with its search keys,
/// `campaign_performance` and `engagement_daily`, rebuilt whole in one transaction so readers see the
/// old layer or the new one, never half of each. `data_quality_scorecard` and `match_summary` are views.
extension LakeStore {
    /// Rebuilds the gold tables from silver, the golden records and quarantine (``GoldLayerBuilder`` adds them up,
    /// as it does for the team store). Campaign events are read once, in one pass that feeds the customers, the
    /// campaigns and the days alike.
    /// - Parameter shouldStop: asked while the rebuild runs; a yes stops it and keeps the old layer.
    @discardableResult
    public func rebuildGold(
        _ sources: GoldSources, run: RunID?, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws(StoreError) -> GoldCounts {
        try write("rebuild the gold layer", stoppingWhen: shouldStop) { db in
            for table in ["customer_360", "customer_search", "customer_name_variant", "campaign_performance", "engagement_daily"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
            // The search index is written in key order by SQLite only as pages allow: a larger page cache for
            // this transaction keeps its B-tree in memory instead of re-reading pages for every insert.
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -65536
            try db.execute(sql: "PRAGMA cache_size = -262144")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            var counts = GoldCounts()
            var builder = GoldLayerBuilder<DatabaseValue>()
            try Self.readCustomerFacts(db, sources, into: &builder)
            try Self.readEvents(db, contactOwners: sources.eventOwners, into: &builder)
            try Self.insertCustomer360(db, &builder, run: run, counts: &counts)
            counts.campaigns = try Self.insertCampaignPerformance(db, builder)
            counts.engagementDays = try Self.insertEngagementDaily(db, builder)
            return counts
        }
    }

    private static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: max(count, 1)).joined(separator: ",") }

    /// What each golden customer's source records, orders and open quarantine add up to, in the order the builder
    /// reads them (links in the order they were made, so ties of consent resolve alike on both stores).
    private static func readCustomerFacts(_ db: Database, _ sources: GoldSources, into builder: inout GoldLayerBuilder<DatabaseValue>) throws {
        let members = try Row.fetchCursor(
            db,
            sql: """
                SELECT x.golden_id, x.source, c.created_at, c.updated_at, c.email_opt_in, c.sms_opt_in, c.email, c.phone
                FROM golden_xref x
                JOIN silver_customer c ON c.source = x.source AND c.source_key = x.source_key AND c.is_current = 1
                WHERE x.valid_to_run IS NULL ORDER BY x.id
                """)
        while let row = try members.next() {
            let emailOptIn: DatabaseValue = row[4]
            let smsOptIn: DatabaseValue = row[5]
            builder.addMember(
                golden: row[0], source: row[1], createdAt: row[2], updatedAt: row[3], emailOptIn: emailOptIn.isNull ? nil : emailOptIn,
                smsOptIn: smsOptIn.isNull ? nil : smsOptIn, email: row[6], phone: row[7])
        }

        if !sources.orderOwners.isEmpty {
            let orders = try Row.fetchCursor(
                db,
                sql: """
                    SELECT x.golden_id, COUNT(*),
                        TOTAL(CASE WHEN o.status IN ('cancelled', 'refunded') THEN 0 ELSE o.amount END), MAX(o.order_date)
                    FROM silver_order o
                    JOIN golden_xref x ON x.source IN (\(placeholders(sources.orderOwners.count))) AND x.source_key = o.customer_id
                        AND x.valid_to_run IS NULL
                    WHERE o.is_current = 1 GROUP BY x.golden_id
                    """, arguments: StatementArguments(sources.orderOwners.map(\.rawValue)))
            while let row = try orders.next() {
                builder.setOrders(golden: row[0], count: row[1], lifetimeValue: row[2], lastOrder: row[3])
            }
        }

        let issues = try Row.fetchCursor(
            db,
            sql: """
                SELECT x.golden_id, COUNT(*) FROM quarantine_record q
                JOIN golden_xref x ON x.source = q.source AND x.source_key = q.source_key AND x.valid_to_run IS NULL
                WHERE q.status IN ('open', 'fixed') GROUP BY x.golden_id
                """)
        while let row = try issues.next() { builder.setOpenIssues(golden: row[0], count: row[1]) }
    }

    /// The contacts of the event-owning sources, the current campaigns and every current event, in id order.
    private static func readEvents(_ db: Database, contactOwners: [SourceName], into builder: inout GoldLayerBuilder<DatabaseValue>) throws {
        if !contactOwners.isEmpty {
            let links = try Row.fetchCursor(
                db,
                sql: "SELECT source_key, golden_id FROM golden_xref WHERE valid_to_run IS NULL AND source IN (\(placeholders(contactOwners.count))) ORDER BY id",
                arguments: StatementArguments(contactOwners.map(\.rawValue)))
            while let row = try links.next() { builder.addContact(key: row[0], golden: row[1]) }
        }
        let campaigns = try Row.fetchCursor(
            db, sql: "SELECT source_key, MAX(channel) FROM silver_campaign WHERE is_current = 1 GROUP BY source_key ORDER BY source_key")
        while let row = try campaigns.next() { builder.addCampaign(id: row[0], channel: row[1]) }
        let events = try Row.fetchCursor(
            db, sql: "SELECT contact_id, campaign_id, event_type, occurred_at, revenue FROM silver_event WHERE is_current = 1 ORDER BY id")
        while let row = try events.next() {
            builder.addEvent(contact: row[0], campaign: row[1], type: row[2], occurredAt: row[3], revenue: row[4])
        }
    }

    /// One `customer_360` row and its search keys per golden record; then the variants of every name seen.
    private static func insertCustomer360(
        _ db: Database, _ builder: inout GoldLayerBuilder<DatabaseValue>, run: RunID?, counts: inout GoldCounts
    ) throws {
        let insert = try db.makeStatement(
            sql: """
                INSERT INTO customer_360 (
                    golden_id, first_name, last_name, email, phone, birth_date, street, city, postcode, country,
                    email_opt_in, sms_opt_in, source_count, sources, first_seen, last_seen, orders, lifetime_value, last_order,
                    campaigns_reached, sent, opens, clicks, conversions, conversion_revenue, unsubscribes, last_engagement,
                    open_quality_issues, built_run)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let key = try db.makeStatement(sql: "INSERT OR IGNORE INTO customer_search (key, golden_id) VALUES (?, ?)")
        let goldens = try Row.fetchCursor(db, sql: "SELECT id, attributes FROM golden_record WHERE retired_run IS NULL ORDER BY id")
        while let row = try goldens.next() {
            let c = builder.customer(row[0], attributes: goldenValues(row[1]), run: run)
            try insert.execute(arguments: [
                c.golden, c.firstName, c.lastName, c.email, c.phone, c.birthDate, c.street, c.city, c.postcode, c.country,
                c.emailOptIn ?? .null, c.smsOptIn ?? .null, c.sourceCount, c.sources, c.firstSeen, c.lastSeen, c.orders, c.lifetimeValue,
                c.lastOrder, c.campaignsReached, c.sent, c.opens, c.clicks, c.conversions, c.conversionRevenue, c.unsubscribes,
                c.lastEngagement, c.openQualityIssues, c.builtRun,
            ])
            counts.customers += 1
            for value in c.searchKeys { try key.execute(arguments: [value, c.golden]) }
            counts.searchKeys += c.searchKeys.count
        }
        let variant = try db.makeStatement(sql: "INSERT OR IGNORE INTO customer_name_variant (variant, name) VALUES (?, ?)")
        for pair in builder.nameVariants() { try variant.execute(arguments: [pair.variant, pair.name]) }
    }

    /// One row per current campaign.
    private static func insertCampaignPerformance(_ db: Database, _ builder: GoldLayerBuilder<DatabaseValue>) throws -> Int {
        let details = try Row.fetchAll(
            db, sql: "SELECT source_key, name, channel, start_date, end_date, budget, currency FROM silver_campaign WHERE is_current = 1 ORDER BY id"
        ).map {
            CampaignDetails(id: $0[0], name: $0[1], channel: $0[2], startDate: $0[3], endDate: $0[4], budget: $0[5], currency: $0[6])
        }
        let insert = try db.makeStatement(sql: "INSERT INTO campaign_performance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let rows = builder.campaignPerformance(details)
        for c in rows {
            let values: [(any DatabaseValueConvertible)?] = [
                c.id, c.name, c.channel, c.startDate, c.endDate, c.budget, c.currency, c.sent, c.uniqueReached, c.opens, c.clicks,
                c.conversions, c.unsubscribes, c.openRate, c.clickRate, c.conversionRate, c.revenue, c.costPerConversion,
            ]
            try insert.execute(arguments: StatementArguments(values))
        }
        return rows.count
    }

    /// Per channel (the campaign's, `unknown` without one) and day.
    private static func insertEngagementDaily(_ db: Database, _ builder: GoldLayerBuilder<DatabaseValue>) throws -> Int {
        let insert = try db.makeStatement(sql: "INSERT INTO engagement_daily VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        let days = builder.engagementDays()
        for d in days {
            try insert.execute(arguments: [d.channel, d.day, d.sent, d.opens, d.clicks, d.conversions, d.unsubscribes, d.revenue])
        }
        return days.count
    }

    /// `[{"name": "email", "value": "…"}, …]` → name → value.
    static func goldenValues(_ json: String) -> [String: String] {
        var text = json
        let flat = text.withUTF8 { FlatJSON.objectArray($0) }
        if let flat {
            var values: [String: String] = [:]
            for item in flat {
                if let name = item["name"] ?? nil, let value = item["value"] ?? nil { values[name] = value }
            }
            return values
        }
        guard let data = json.data(using: .utf8), let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [:] }
        var values: [String: String] = [:]
        for item in list {
            if let name = item["name"] as? String, let value = item["value"] as? String { values[name] = value }
        }
        return values
    }
}

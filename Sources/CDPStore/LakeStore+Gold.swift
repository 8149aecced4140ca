import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: GoldRepository {}

/// The gold layer: `customer_360` (one row per golden customer) with its search keys,
/// `campaign_performance` and `engagement_daily`, written in one transaction so readers see the
/// old layer or the new one, never half of each. `data_quality_scorecard` and `match_summary` are views.
///
/// A build after the first redoes only what changed since the last one (``updateGold(_:run:full:shouldStop:)``):
/// the golden customers whose golden record, links, source records, orders, events or quarantined records changed
/// (migration `v12-gold-changes` notes them), and the campaigns and days when an event or campaign changed.
extension LakeStore {
    /// Rebuilds the gold tables whole from silver, the golden records and quarantine.
    /// - Parameter shouldStop: asked while the rebuild runs; a yes stops it and keeps the old layer.
    @discardableResult
    public func rebuildGold(
        _ sources: GoldSources, run: RunID?, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws(StoreError) -> GoldCounts {
        try buildGold(sources, run: run, full: "asked for a whole rebuild", shouldStop: shouldStop)
    }

    /// Brings the gold tables up to date, redoing only the golden customers (and campaigns and days) whose inputs
    /// changed since the last build; whole when `full`, on the first build, or when the sources orders and events
    /// refer to changed. ``GoldLayerBuilder`` adds them up, as it does for the team store.
    /// - Parameter shouldStop: asked while the build runs; a yes stops it and keeps the old layer.
    @discardableResult
    public func updateGold(
        _ sources: GoldSources, run: RunID?, full: Bool, shouldStop: @escaping @Sendable () -> Bool = { false }
    ) throws(StoreError) -> GoldCounts {
        try buildGold(sources, run: run, full: full ? "a full run (--full)" : nil, shouldStop: shouldStop)
    }

    private func buildGold(_ sources: GoldSources, run: RunID?, full: String?, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError)
        -> GoldCounts
    {
        try write("build the gold layer", stoppingWhen: shouldStop) { db in
            // The search index is written in key order by SQLite only as pages allow: a larger page cache for
            // this transaction keeps its B-tree in memory instead of re-reading pages for every insert.
            let cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -65536
            try db.execute(sql: "PRAGMA cache_size = -262144")
            defer { try? db.execute(sql: "PRAGMA cache_size = \(cacheSize)") }
            let now = try GoldMarks.current(db, sources)
            let last = try GoldMarks.stored(db)
            var counts = GoldCounts()
            if let last, full == nil, last.sources == now.sources {
                let campaignsChanged = try last.scopeChanges(db, sources)
                try Self.buildChangedGold(db, sources, run: run, campaignsChanged: campaignsChanged, counts: &counts)
            } else {
                counts.fullBecause = full ?? (last == nil ? "no earlier gold build to start from" : "the sources orders and events refer to changed")
                try Self.buildWholeGold(db, sources, run: run, counts: &counts)
            }
            try now.save(db)
            counts.customers = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_360") ?? 0
            if counts.fullBecause == nil {
                counts.campaigns = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM campaign_performance") ?? 0
                counts.engagementDays = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM engagement_daily") ?? 0
            }
            return counts
        }
    }

    private static func buildWholeGold(_ db: Database, _ sources: GoldSources, run: RunID?, counts: inout GoldCounts) throws {
        for table in ["customer_360", "customer_search", "customer_name_variant", "campaign_performance", "engagement_daily"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
        var builder = GoldLayerBuilder<DatabaseValue>()
        try readCustomerFacts(db, sources, scoped: false, into: &builder)
        try readEvents(db, contactOwners: sources.eventOwners, scoped: false, into: &builder)
        try insertCustomer360(db, &builder, scoped: false, run: run, counts: &counts)
        try insertNameVariants(db, builder.nameVariants())
        counts.campaigns = try insertCampaignPerformance(db, builder)
        counts.engagementDays = try insertEngagementDaily(db, builder)
    }

    /// Redoes the golden customers in `temp.gold_scope`, the name index, and (when an event or campaign changed) the
    /// campaigns and days. Their events are read in id order, as the whole build reads them, so sums come out alike.
    private static func buildChangedGold(
        _ db: Database, _ sources: GoldSources, run: RunID?, campaignsChanged: Bool, counts: inout GoldCounts
    ) throws {
        let scoped = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM temp.gold_scope") ?? 0
        if scoped > 0 {
            try db.execute(sql: "DELETE FROM customer_360 WHERE golden_id IN (SELECT golden_id FROM temp.gold_scope)")
            try db.execute(sql: "DELETE FROM customer_search WHERE golden_id IN (SELECT golden_id FROM temp.gold_scope)")
            var builder = GoldLayerBuilder<DatabaseValue>()
            try readCustomerFacts(db, sources, scoped: true, into: &builder)
            try readEvents(db, contactOwners: sources.eventOwners, scoped: true, into: &builder)
            try insertCustomer360(db, &builder, scoped: true, run: run, counts: &counts)
            try refreshNameVariants(db)
        }
        if campaignsChanged {
            try db.execute(sql: "DELETE FROM campaign_performance")
            try db.execute(sql: "DELETE FROM engagement_daily")
            // Campaign reach counts distinct contacts, whoever they are linked to: the events alone decide it.
            var builder = GoldLayerBuilder<DatabaseValue>()
            try readEvents(db, contactOwners: [], scoped: false, into: &builder)
            _ = try insertCampaignPerformance(db, builder)
            _ = try insertEngagementDaily(db, builder)
        }
    }

    private static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: max(count, 1)).joined(separator: ",") }

    /// The current links of the golden customers a build writes: all of them, or those in `temp.gold_scope`.
    private static func links(scoped: Bool) -> String {
        scoped
            ? "temp.gold_scope s JOIN golden_xref x ON x.golden_id = s.golden_id AND x.valid_to_run IS NULL"
            : "golden_xref x"
    }

    /// What each golden customer's source records, orders and open quarantine add up to, in the order the builder
    /// reads them (links in the order they were made, so ties of consent resolve alike on both stores).
    private static func readCustomerFacts(
        _ db: Database, _ sources: GoldSources, scoped: Bool, into builder: inout GoldLayerBuilder<DatabaseValue>
    ) throws {
        let members = try Row.fetchCursor(
            db,
            sql: """
                SELECT x.golden_id, x.source, c.created_at, c.updated_at, c.email_opt_in, c.sms_opt_in, c.email, c.phone
                FROM \(links(scoped: scoped))
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
            let owners = placeholders(sources.orderOwners.count)
            let orders = try Row.fetchCursor(
                db,
                sql: scoped
                    ? """
                    SELECT x.golden_id, COUNT(*),
                        TOTAL(CASE WHEN o.status IN ('cancelled', 'refunded') THEN 0 ELSE o.amount END), MAX(o.order_date)
                    FROM \(links(scoped: true))
                    JOIN silver_order o ON o.customer_id = x.source_key AND o.is_current = 1
                    WHERE x.source IN (\(owners)) GROUP BY x.golden_id
                    """
                    : """
                    SELECT x.golden_id, COUNT(*),
                        TOTAL(CASE WHEN o.status IN ('cancelled', 'refunded') THEN 0 ELSE o.amount END), MAX(o.order_date)
                    FROM silver_order o
                    JOIN golden_xref x ON x.source IN (\(owners)) AND x.source_key = o.customer_id AND x.valid_to_run IS NULL
                    WHERE o.is_current = 1 GROUP BY x.golden_id
                    """, arguments: StatementArguments(sources.orderOwners.map(\.rawValue)))
            while let row = try orders.next() {
                builder.setOrders(golden: row[0], count: row[1], lifetimeValue: row[2], lastOrder: row[3])
            }
        }

        let issues = try Row.fetchCursor(
            db,
            sql: scoped
                ? """
                SELECT x.golden_id, COUNT(*) FROM \(links(scoped: true))
                JOIN quarantine_record q ON q.source = x.source AND q.source_key = x.source_key
                WHERE q.status IN ('open', 'fixed') GROUP BY x.golden_id
                """
                : """
                SELECT x.golden_id, COUNT(*) FROM quarantine_record q
                JOIN golden_xref x ON x.source = q.source AND x.source_key = q.source_key AND x.valid_to_run IS NULL
                WHERE q.status IN ('open', 'fixed') GROUP BY x.golden_id
                """)
        while let row = try issues.next() { builder.setOpenIssues(golden: row[0], count: row[1]) }
    }

    /// The contacts of the event-owning sources, the current campaigns and their current events, in id order. Scoped,
    /// the contacts are the keys the scoped customers' event-owning records hold, with every link of those keys (the
    /// first link of a key wins, as in a whole build), and the events are theirs.
    private static func readEvents(
        _ db: Database, contactOwners: [SourceName], scoped: Bool, into builder: inout GoldLayerBuilder<DatabaseValue>
    ) throws {
        let owners = StatementArguments(contactOwners.map(\.rawValue))
        if scoped {
            try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS gold_scope_contact (key TEXT PRIMARY KEY) WITHOUT ROWID")
            try db.execute(sql: "DELETE FROM temp.gold_scope_contact")
            guard !contactOwners.isEmpty else { return }
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO temp.gold_scope_contact
                    SELECT x.source_key FROM \(links(scoped: true)) WHERE x.source IN (\(placeholders(contactOwners.count)))
                    """, arguments: owners)
        }
        if !contactOwners.isEmpty {
            let links = try Row.fetchCursor(
                db,
                sql: """
                    SELECT x.source_key, x.golden_id FROM golden_xref x
                    WHERE x.valid_to_run IS NULL AND x.source IN (\(placeholders(contactOwners.count)))
                    \(scoped ? "AND x.source_key IN (SELECT key FROM temp.gold_scope_contact)" : "") ORDER BY x.id
                    """,
                arguments: owners)
            while let row = try links.next() { builder.addContact(key: row[0], golden: row[1]) }
        }
        if !scoped {
            let campaigns = try Row.fetchCursor(
                db, sql: "SELECT source_key, MAX(channel) FROM silver_campaign WHERE is_current = 1 GROUP BY source_key ORDER BY source_key")
            while let row = try campaigns.next() { builder.addCampaign(id: row[0], channel: row[1]) }
        }
        let events = try Row.fetchCursor(
            db,
            sql: scoped
                ? """
                SELECT e.contact_id, e.campaign_id, e.event_type, e.occurred_at, e.revenue FROM temp.gold_scope_contact k
                JOIN silver_event e ON e.contact_id = k.key AND e.is_current = 1 ORDER BY e.id
                """
                : "SELECT contact_id, campaign_id, event_type, occurred_at, revenue FROM silver_event WHERE is_current = 1 ORDER BY id")
        while let row = try events.next() {
            builder.addEvent(contact: row[0], campaign: row[1], type: row[2], occurredAt: row[3], revenue: row[4])
        }
    }

    /// One `customer_360` row and its search keys per golden record (scoped: per golden record in `temp.gold_scope`).
    private static func insertCustomer360(
        _ db: Database, _ builder: inout GoldLayerBuilder<DatabaseValue>, scoped: Bool, run: RunID?, counts: inout GoldCounts
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
        let goldens = try Row.fetchCursor(
            db,
            sql: scoped
                ? "SELECT g.id, g.attributes FROM temp.gold_scope s JOIN golden_record g ON g.id = s.golden_id WHERE g.retired_run IS NULL ORDER BY g.id"
                : "SELECT id, attributes FROM golden_record WHERE retired_run IS NULL ORDER BY id")
        while let row = try goldens.next() {
            let c = builder.customer(row[0], attributes: goldenValues(row[1]), run: run)
            try insert.execute(arguments: [
                c.golden, c.firstName, c.lastName, c.email, c.phone, c.birthDate, c.street, c.city, c.postcode, c.country,
                c.emailOptIn ?? .null, c.smsOptIn ?? .null, c.sourceCount, c.sources, c.firstSeen, c.lastSeen, c.orders, c.lifetimeValue,
                c.lastOrder, c.campaignsReached, c.sent, c.opens, c.clicks, c.conversions, c.conversionRevenue, c.unsubscribes,
                c.lastEngagement, c.openQualityIssues, c.builtRun,
            ])
            counts.customersRebuilt += 1
            for value in c.searchKeys { try key.execute(arguments: [value, c.golden]) }
            counts.searchKeys += c.searchKeys.count
        }
    }

    private static func insertNameVariants(_ db: Database, _ pairs: [(variant: String, name: String)]) throws {
        let variant = try db.makeStatement(sql: "INSERT OR IGNORE INTO customer_name_variant (variant, name) VALUES (?, ?)")
        for pair in pairs { try variant.execute(arguments: [pair.variant, pair.name]) }
    }

    /// The name index after some customers changed: the variants of every name word `customer_360` holds now, written
    /// where they differ from what the index holds (names no customer has any more leave it).
    private static func refreshNameVariants(_ db: Database) throws {
        var names: Set<String> = []
        let rows = try Row.fetchCursor(db, sql: "SELECT DISTINCT first_name, last_name FROM customer_360")
        while let row = try rows.next() {
            names.formUnion(CustomerSearchKeys.nameWords(firstName: row[0], lastName: row[1]))
        }
        let indexed = Set(try String.fetchAll(db, sql: "SELECT DISTINCT name FROM customer_name_variant"))
        let gone = indexed.subtracting(names)
        if !gone.isEmpty {
            let delete = try db.makeStatement(sql: "DELETE FROM customer_name_variant WHERE name = ?")
            for name in gone.sorted() { try delete.execute(arguments: [name]) }
        }
        var added: [(variant: String, name: String)] = []
        for name in names.subtracting(indexed).sorted() {
            for variant in Set(CustomerSearchKeys.variants(ofName: name)).sorted() { added.append((variant, name)) }
        }
        try insertNameVariants(db, added)
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

import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: GoldRepository {}

/// The gold layer: `customer_360` (one row per golden customer) with its search keys,
/// `campaign_performance` and `engagement_daily`, rebuilt whole in one transaction so readers see the
/// old layer or the new one, never half of each. `data_quality_scorecard` and `match_summary` are views.
extension LakeStore {
    /// Rebuilds the gold tables from silver, the golden records and quarantine. Campaign events are read
    /// once, in one pass that feeds the customers, the campaigns and the days alike.
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
            var facts = try Self.customerFacts(db, sources)
            let events = try EventTotals.read(db, contactOwners: sources.eventOwners, into: &facts)
            try Self.insertCustomer360(db, facts: facts, run: run, counts: &counts)
            counts.campaigns = try events.insertCampaignPerformance(db)
            counts.engagementDays = try events.insertEngagementDaily(db)
            return counts
        }
    }

    /// Per golden customer, what its source records add up to.
    struct CustomerFacts {
        var sources: Set<String> = []
        var sourceCount = 0
        var firstSeen: String?
        var lastSeen: String?
        var consentAt: String?
        var emailOptIn: DatabaseValue = .null
        var smsOptIn: DatabaseValue = .null
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

    private static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: max(count, 1)).joined(separator: ",") }

    /// What each golden customer's source records, orders and open quarantine add up to.
    private static func customerFacts(_ db: Database, _ sources: GoldSources) throws -> [Int64: CustomerFacts] {
        var facts: [Int64: CustomerFacts] = [:]
        let members = try Row.fetchCursor(
            db,
            sql: """
                SELECT x.golden_id, x.source, c.created_at, c.updated_at, c.email_opt_in, c.sms_opt_in, c.email, c.phone
                FROM golden_xref x
                JOIN silver_customer c ON c.source = x.source AND c.source_key = x.source_key AND c.is_current = 1
                WHERE x.valid_to_run IS NULL
                """)
        while let row = try members.next() {
            let golden: Int64 = row[0]
            var fact = facts[golden] ?? CustomerFacts()
            fact.sources.insert(row[1])
            fact.sourceCount += 1
            let created: String? = row[2]
            let updated: String? = row[3] ?? created
            if let created, fact.firstSeen.map({ created < $0 }) ?? true { fact.firstSeen = created }
            if let updated, fact.lastSeen.map({ updated > $0 }) ?? true { fact.lastSeen = updated }
            let emailOptIn: DatabaseValue = row[4]
            let smsOptIn: DatabaseValue = row[5]
            // Consent: the most recently updated record that states one.
            if !emailOptIn.isNull || !smsOptIn.isNull, let stamp = updated ?? created, fact.consentAt.map({ stamp >= $0 }) ?? true {
                fact.consentAt = stamp
                if !emailOptIn.isNull { fact.emailOptIn = emailOptIn }
                if !smsOptIn.isNull { fact.smsOptIn = smsOptIn }
            }
            if let email: String = row[6] { fact.emails.insert(email) }
            if let phone: String = row[7] { fact.phones.insert(phone) }
            facts[golden] = fact
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
                let golden: Int64 = row[0]
                facts[golden, default: CustomerFacts()].orders = row[1]
                facts[golden, default: CustomerFacts()].lifetimeValue = row[2]
                facts[golden, default: CustomerFacts()].lastOrder = row[3]
            }
        }

        let issues = try Row.fetchCursor(
            db,
            sql: """
                SELECT x.golden_id, COUNT(*) FROM quarantine_record q
                JOIN golden_xref x ON x.source = q.source AND x.source_key = q.source_key AND x.valid_to_run IS NULL
                WHERE q.status IN ('open', 'fixed') GROUP BY x.golden_id
                """)
        while let row = try issues.next() {
            facts[row[0] as Int64, default: CustomerFacts()].openIssues = row[1]
        }
        return facts
    }

    /// One `customer_360` row and its search keys per golden record; then the variants of every name seen.
    private static func insertCustomer360(_ db: Database, facts: [Int64: CustomerFacts], run: RunID?, counts: inout GoldCounts) throws {
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
        var names: Set<String> = []
        let goldens = try Row.fetchCursor(db, sql: "SELECT id, attributes FROM golden_record WHERE retired_run IS NULL ORDER BY id")
        while let row = try goldens.next() {
            let golden: Int64 = row[0]
            let attributes = goldenValues(row[1])
            let fact = facts[golden] ?? CustomerFacts()
            func text(_ name: String) -> DatabaseValue { attributes[name]?.databaseValue ?? .null }
            try insert.execute(arguments: [
                golden, text("first_name"), text("last_name"), text("email"), text("phone"), text("birth_date"), text("street"),
                text("city"), text("postcode"), text("country"), fact.emailOptIn, fact.smsOptIn, fact.sourceCount,
                fact.sources.sorted().joined(separator: ","), fact.firstSeen, fact.lastSeen, fact.orders, fact.lifetimeValue,
                fact.lastOrder, fact.campaigns.count, fact.sent, fact.opens, fact.clicks, fact.conversions, fact.conversionRevenue,
                fact.unsubscribes, fact.lastEngagement, fact.openIssues, run?.rawValue,
            ])
            counts.customers += 1
            let keys = CustomerSearchKeys.keys(
                firstName: attributes["first_name"], lastName: attributes["last_name"],
                emails: Array(fact.emails) + [attributes["email"]].compactMap { $0 },
                phones: Array(fact.phones) + [attributes["phone"]].compactMap { $0 })
            for value in keys { try key.execute(arguments: [value, golden]) }
            counts.searchKeys += keys.count
            names.formUnion(CustomerSearchKeys.nameWords(firstName: attributes["first_name"], lastName: attributes["last_name"]))
        }
        let variant = try db.makeStatement(sql: "INSERT OR IGNORE INTO customer_name_variant (variant, name) VALUES (?, ?)")
        for name in names {
            for value in CustomerSearchKeys.variants(ofName: name) { try variant.execute(arguments: [value, name]) }
        }
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

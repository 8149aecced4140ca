import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: Customer360Repository {}

/// Reads of the gold layer for search and the Customer 360 profile.
extension LakeStore {
    public func customer360(_ ids: [GoldenID]) throws(StoreError) -> [Customer360Row] {
        guard !ids.isEmpty else { return [] }
        return try read("read customer 360 rows") { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM customer_360 WHERE golden_id IN (\(marks))", arguments: StatementArguments(ids.map(\.rawValue)))
                .map(Customer360Row.init)
            let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
            return rows.sorted { (position[$0.golden] ?? 0) < (position[$1.golden] ?? 0) }
        }
    }

    /// Search keys meeting one looked-up word: exact and prefix hits by a range over the key index; names
    /// that sound alike or are one edit away through the name variants, then their customers. Each hit
    /// carries the key it met the word by. At most `limit` rows.
    public func customerSearchHits(_ lookup: CustomerSearchKeys.Lookup, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)] {
        try read("search customers") { db in
            var hits: [(String, GoldenID)] = []
            let range = try Row.fetchCursor(
                db, sql: "SELECT key, golden_id FROM customer_search WHERE key >= ? AND key < ? LIMIT ?",
                arguments: [lookup.exact, lookup.exact + "\u{10FFFF}", limit])
            while let row = try range.next() { hits.append((row[0], GoldenID(row[1] as Int64))) }
            guard hits.count < limit else { return hits }
            let customers = try db.makeStatement(sql: "SELECT golden_id FROM customer_search WHERE key = ? LIMIT ?")
            for (name, variant) in try Self.nameVariants(db, lookup).sorted(by: { $0.key < $1.key }) where hits.count < limit {
                let cursor = try Int64.fetchCursor(customers, arguments: [name, limit - hits.count])
                while let golden = try cursor.next() { hits.append((variant, GoldenID(golden))) }
            }
            return hits
        }
    }

    /// The names a looked-up word sounds like or is one edit from, each with the strongest variant key it
    /// met the word by (a typo over a sound); the word itself is left to the exact lookup.
    public func nameVariants(_ lookup: CustomerSearchKeys.Lookup) throws(StoreError) -> [String: String] {
        try read("look up name variants") { db in try Self.nameVariants(db, lookup) }
    }

    static func nameVariants(_ db: Database, _ lookup: CustomerSearchKeys.Lookup) throws -> [String: String] {
        let variants = lookup.variants
        guard !variants.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: variants.count).joined(separator: ",")
        let rows = try Row.fetchAll(
            db, sql: "SELECT variant, name FROM customer_name_variant WHERE variant IN (\(marks)) LIMIT 500",
            arguments: StatementArguments(variants))
        return lookup.strongestVariants(rows.map { (variant: $0[0], name: $0[1]) })
    }

    /// Which of `keys` each of `candidates` holds, by probes of the key index (key, golden id); or, without
    /// candidates, the customers holding any of `keys`, at most `limit`.
    public func customersHolding(keys: [String], among candidates: [GoldenID]?, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)] {
        guard !keys.isEmpty else { return [] }
        return try read("probe search keys") { db in
            let keyMarks = Array(repeating: "?", count: keys.count).joined(separator: ",")
            var arguments: [any DatabaseValueConvertible] = keys
            var sql = "SELECT key, golden_id FROM customer_search WHERE key IN (\(keyMarks))"
            if let candidates {
                guard !candidates.isEmpty else { return [] }
                sql += " AND golden_id IN (\(Array(repeating: "?", count: candidates.count).joined(separator: ",")))"
                arguments += candidates.map(\.rawValue)
            }
            sql += " LIMIT ?"
            arguments.append(limit)
            var result: [(String, GoldenID)] = []
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: StatementArguments(arguments))
            while let row = try cursor.next() { result.append((row[0], GoldenID(row[1] as Int64))) }
            return result
        }
    }

    /// How many customers are in the gold layer (0 before the first `gold` step).
    public func customer360Count() throws(StoreError) -> Int {
        try read("count customer 360") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_360") ?? 0 }
    }

    /// How many keys the customer search index holds (0 before the first `gold` step).
    public func customerSearchKeyCount() throws(StoreError) -> Int {
        try read("count customer search keys") { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_search") ?? 0 }
    }

    /// The newest `limit` events and orders of the given source records.
    public func timeline(
        contacts: [SourceRecordID], customers: [SourceRecordID], limit: Int
    ) throws(StoreError) -> [TimelineEvent] {
        try read("read a customer's timeline") { db in
            var events: [TimelineEvent] = []
            for contact in contacts {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT e.occurred_at, e.event_type, e.revenue, e.campaign_id, c.name, c.channel
                        FROM silver_event e
                        LEFT JOIN silver_campaign c ON c.source_key = e.campaign_id AND c.is_current = 1
                        WHERE e.contact_id = ? AND e.is_current = 1 AND e.occurred_at IS NOT NULL
                        ORDER BY e.occurred_at DESC, e.id LIMIT ?
                        """, arguments: [contact.key, limit])
                events += rows.map {
                    TimelineEvent(
                        at: $0[0], kind: $0[1] ?? "event", detail: ($0[4] as String?) ?? ($0[3] as String? ?? ""), channel: $0[5],
                        amount: $0[2], record: contact)
                }
            }
            for customer in customers {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT order_date, status, amount, currency, source_key FROM silver_order
                        WHERE customer_id = ? AND is_current = 1 ORDER BY order_date DESC, id LIMIT ?
                        """, arguments: [customer.key, limit])
                events += rows.map {
                    TimelineEvent(
                        at: $0[0] ?? "", kind: "order", detail: "\($0[4] as String) \($0[1] as String? ?? "")", channel: nil,
                        amount: $0[2], record: customer)
                }
            }
            return TimelineEvent.newestFirst(events, limit: limit)
        }
    }

    /// Events per month (`yyyy-MM`) and per channel of the given contacts, for the profile's charts.
    public func engagementSummary(contacts: [SourceRecordID]) throws(StoreError) -> (months: [(String, Int)], channels: [(String, Int)]) {
        try read("read a customer's engagement") { db in
            var months: [String: Int] = [:]
            var channels: [String: Int] = [:]
            for contact in contacts {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT substr(e.occurred_at, 1, 7), COALESCE(c.channel, 'unknown'), COUNT(*) FROM silver_event e
                        LEFT JOIN silver_campaign c ON c.source_key = e.campaign_id AND c.is_current = 1
                        WHERE e.contact_id = ? AND e.is_current = 1 AND e.event_type IN ('open', 'click', 'conversion')
                        GROUP BY 1, 2
                        """, arguments: [contact.key])
                for row in rows {
                    months[row[0] as String? ?? "", default: 0] += row[2] as Int
                    channels[row[1] as String, default: 0] += row[2] as Int
                }
            }
            return EngagementCharts.sorted(months: months, channels: channels)
        }
    }

    /// Open or fixed quarantined records held under any of the given source keys.
    public func openQuarantine(for records: [SourceRecordID]) throws(StoreError) -> [QuarantineRecord] {
        let ids = try read("read a customer's quality issues") { db in
            try records.flatMap { record in
                try Int64.fetchAll(
                    db, sql: "SELECT id FROM quarantine_record WHERE source = ? AND source_key = ? AND status IN ('open', 'fixed') ORDER BY id",
                    arguments: [record.source.rawValue, record.key])
            }
        }
        return ids.isEmpty ? [] : try quarantineRecords(ids: ids.map { QuarantineID($0) })
    }

    /// The audit trail of one golden record: its unmerges and overrides (targets `G12`, `G12.attribute`) and
    /// the steward decisions on candidates between its source records, newest first.
    public func mergeHistory(of golden: GoldenID, members: [SourceRecordID], limit: Int = 100) throws(StoreError) -> [AuditEntry] {
        try read("read a golden record's history") { db in
            let names = members.map(\.description)
            let marks = Array(repeating: "?", count: max(names.count, 1)).joined(separator: ",")
            // Two index lookups: with OR, SQLite scans every candidate.
            let candidateTargets = try Int64.fetchAll(
                db,
                sql: "SELECT id FROM match_candidate WHERE record_a IN (\(marks)) UNION SELECT id FROM match_candidate WHERE record_b IN (\(marks))",
                arguments: StatementArguments(names.isEmpty ? ["", ""] : names + names)  // two lists of marks
            ).map { CandidateID($0).description }
            let targets = [golden.description] + candidateTargets
            let targetMarks = Array(repeating: "?", count: targets.count).joined(separator: ",")
            return try Row.fetchAll(
                db,
                sql: "SELECT * FROM audit_log WHERE target IN (\(targetMarks)) OR target LIKE ? ORDER BY id DESC LIMIT ?",
                arguments: StatementArguments(targets.map { $0 as any DatabaseValueConvertible } + ["\(golden.description).%", limit])
            ).map(Self.auditEntry)
        }
    }

    /// The customers of highest lifetime value: what the console lists before anything is searched.
    public func topCustomers(limit: Int) throws(StoreError) -> [Customer360Row] {
        try read("read top customers") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM customer_360 ORDER BY lifetime_value DESC, golden_id LIMIT ?", arguments: [limit])
                .map(Customer360Row.init)
        }
    }

    public func campaignPerformance() throws(StoreError) -> [CampaignPerformance] {
        try read("read campaign performance") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM campaign_performance ORDER BY campaign_id").map { row in
                CampaignPerformance(
                    campaign: row["campaign_id"], name: row["name"], channel: row["channel"], startDate: row["start_date"],
                    budget: row["budget"], currency: row["currency"], sent: row["sent"], uniqueReached: row["unique_reached"],
                    opens: row["opens"], clicks: row["clicks"], conversions: row["conversions"], openRate: row["open_rate"],
                    clickRate: row["click_rate"], conversionRate: row["conversion_rate"], revenue: row["revenue"],
                    costPerConversion: row["cost_per_conversion"])
            }
        }
    }

    /// Each source's pass rate (all its rules) over the last `limit` runs with a scorecard, oldest first.
    public func passRateTrendBySource(limit: Int = 20) throws(StoreError) -> [(source: String, rates: [(run: RunID, passRate: Double)])] {
        try read("read the pass rate trend by source") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT run_id, source, 1.0 - CAST(SUM(failed) AS REAL) / MAX(SUM(evaluated), 1) FROM dq_scorecard
                    WHERE run_id IN (SELECT DISTINCT run_id FROM dq_scorecard ORDER BY run_id DESC LIMIT ?)
                    GROUP BY run_id, source ORDER BY source, run_id
                    """, arguments: [limit])
            var order: [String] = []
            var rates: [String: [(run: RunID, passRate: Double)]] = [:]
            for row in rows {
                let source: String = row[1]
                if rates[source] == nil { order.append(source) }
                rates[source, default: []].append((RunID(row[0] as Int64), row[2] as Double))
            }
            return order.map { ($0, rates[$0] ?? []) }
        }
    }

    public func latestMatchSummary() throws(StoreError) -> MatchSummary? {
        try read("read the match summary") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM match_summary ORDER BY match_run DESC LIMIT 1").map { row in
                MatchSummary(
                    run: MatchRunID(row["match_run"] as Int64), startedAt: row["started_at"], records: row["records"],
                    autoMergedPairs: row["auto_merged_pairs"], queued: row["queued"], decided: row["decided"],
                    goldenRecords: row["golden_records"])
            }
        }
    }

    /// The golden names of the given customers: a search ranks candidates by prefixes of them.
    public func customerNames(_ ids: [GoldenID]) throws(StoreError) -> [GoldenID: (first: String?, last: String?)] {
        guard !ids.isEmpty else { return [:] }
        return try read("read customer names") { db in
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            var names: [GoldenID: (first: String?, last: String?)] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT golden_id, first_name, last_name FROM customer_360 WHERE golden_id IN (\(marks))",
                arguments: StatementArguments(ids.map(\.rawValue)))
            while let row = try rows.next() { names[GoldenID(row[0] as Int64)] = (row[1], row[2]) }
            return names
        }
    }

    /// The customers holding, for every word, at least one of its keys: a join of probes of the key index
    /// (key, golden id), so common words ("maria", "garcia") never bring their tens of thousands of customers
    /// into Swift (an `INTERSECT` of the two ranges took longer).
    public func customersHoldingAll(_ keySets: [[String]], limit: Int) throws(StoreError) -> [GoldenID] {
        let sets = keySets.filter { !$0.isEmpty }
        guard let first = sets.first else { return [] }
        return try read("intersect search keys") { db in
            func marks(_ keys: [String]) -> String { Array(repeating: "?", count: keys.count).joined(separator: ",") }
            var sql = "SELECT DISTINCT w0.golden_id FROM customer_search w0"
            var arguments: [any DatabaseValueConvertible] = []
            for (index, keys) in sets.enumerated().dropFirst() {
                sql += " JOIN customer_search w\(index) ON w\(index).key IN (\(marks(keys))) AND w\(index).golden_id = w0.golden_id"
                arguments += keys
            }
            sql += " WHERE w0.key IN (\(marks(first))) LIMIT ?"
            arguments += first
            arguments.append(limit)
            return try Int64.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(GoldenID.init)
        }
    }
}

extension Customer360Row {
    /// The `customer_360` row it reads.
    init(_ row: Row) {
        self.init(
            golden: GoldenID(row["golden_id"] as Int64),
            firstName: row["first_name"],
            lastName: row["last_name"],
            email: row["email"],
            phone: row["phone"],
            birthDate: row["birth_date"],
            street: row["street"],
            city: row["city"],
            postcode: row["postcode"],
            country: row["country"],
            emailOptIn: Self.flag(row["email_opt_in"]),
            smsOptIn: Self.flag(row["sms_opt_in"]),
            sourceCount: row["source_count"],
            sources: (row["sources"] as String? ?? "").split(separator: ",").map(String.init),
            firstSeen: row["first_seen"],
            lastSeen: row["last_seen"],
            orders: row["orders"],
            lifetimeValue: row["lifetime_value"],
            lastOrder: row["last_order"],
            campaignsReached: row["campaigns_reached"],
            sent: row["sent"],
            opens: row["opens"],
            clicks: row["clicks"],
            conversions: row["conversions"],
            conversionRevenue: row["conversion_revenue"],
            unsubscribes: row["unsubscribes"],
            lastEngagement: row["last_engagement"],
            openQualityIssues: row["open_quality_issues"])
    }

    /// Silver keeps booleans as 1/0 or as the source's text; the gold row says yes, no or unknown.
    static func flag(_ value: DatabaseValue) -> Bool? {
        switch value.storage {
        case .int64(let number): return number != 0
        case .double(let number): return number != 0
        case .string(let text):
            let folded = text.lowercased()
            if ["1", "true", "yes", "y", "t"].contains(folded) { return true }
            if ["0", "false", "no", "n", "f"].contains(folded) { return false }
            return nil
        default: return nil
        }
    }
}

import CDPCore
import CDPRepositories

/// The gold layer's reads on the team store, as the embedded lake answers them (`LakeStore+Customer360`): the same
/// rows in the same order (keys compared byte by byte, as SQLite compares them, whatever the database's collation).
/// A role without `view_pii` reads the masked views (``relation(_:as:)``), so the database hands it masked values only.
extension PostgresLake: Customer360Repository {
    static let customer360Select = """
        golden_id::text, first_name, last_name, email, phone, birth_date, street, city, postcode, country, email_opt_in::text,
        sms_opt_in::text, source_count::text, sources, first_seen, last_seen, orders::text, lifetime_value::text, last_order,
        campaigns_reached::text, sent::text, opens::text, clicks::text, conversions::text, conversion_revenue::text, unsubscribes::text,
        last_engagement, open_quality_issues::text
        """

    public func customer360Count() throws(StoreError) -> Int {
        let sql = "SELECT count(*)::text FROM \(relation("customer_360"))"
        return Int(try integer(try work("count customer 360") { session async throws(PostgresStoreError) in try await session.value(sql) }, "a count"))
    }

    public func customerSearchKeyCount() throws(StoreError) -> Int {
        let sql = "SELECT count(*)::text FROM \(relation("customer_search"))"
        let count = try work("count customer search keys") { session async throws(PostgresStoreError) in try await session.value(sql) }
        return Int(try integer(count, "a count"))
    }

    public func customer360(_ ids: [GoldenID]) throws(StoreError) -> [Customer360Row] {
        guard !ids.isEmpty else { return [] }
        let sql = """
            SELECT \(Self.customer360Select) FROM unnest($1::bigint[]) WITH ORDINALITY AS k(id, n)
            JOIN \(relation("customer_360", as: "c")) ON c.golden_id = k.id ORDER BY k.n
            """
        return try customer360Rows("read customer 360 rows", sql, [Self.idArray(ids)])
    }

    public func topCustomers(limit: Int) throws(StoreError) -> [Customer360Row] {
        // Ordered by the table's columns, not the text the select list casts them to (which PostgreSQL would sort by).
        let sql = """
            SELECT \(Self.customer360Select) FROM \(relation("customer_360", as: "c")) ORDER BY c.lifetime_value DESC, c.golden_id
            LIMIT $1::bigint
            """
        return try customer360Rows("read top customers", sql, [String(limit)])
    }

    public func customerNames(_ ids: [GoldenID]) throws(StoreError) -> [GoldenID: (first: String?, last: String?)] {
        guard !ids.isEmpty else { return [:] }
        let sql = "SELECT golden_id::text, first_name, last_name FROM \(relation("customer_360")) WHERE golden_id = ANY($1::bigint[])"
        let arguments = [Self.idArray(ids)]
        var names: [GoldenID: (first: String?, last: String?)] = [:]
        for row in try work("read customer names", { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }) {
            names[GoldenID(try integer(row[0], "a golden id"))] = (row[1], row[2])
        }
        return names
    }

    public func customerSearchHits(_ lookup: CustomerSearchKeys.Lookup, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)] {
        let search = relation("customer_search", as: "s")
        let range = """
            SELECT key, golden_id::text FROM \(search) WHERE key COLLATE "C" >= $1 AND key COLLATE "C" < $2
            ORDER BY s.key COLLATE "C", s.golden_id LIMIT $3::bigint
            """
        let hits = try searchRows("search customers", range, [lookup.exact, lookup.exact + "\u{10FFFF}", String(limit)])
        guard hits.count < limit else { return hits }
        let variants = try nameVariants(lookup).sorted(by: { $0.key < $1.key })
        guard !variants.isEmpty else { return hits }
        // The customers of every close name in one statement, not a statement (a round trip) per name:
        // name by name in the order given, each name's customers by id, as many as the limit leaves.
        let byName = """
            SELECT v.n::text, h.golden_id::text FROM unnest($1::text[]) WITH ORDINALITY AS v(name, n)
            CROSS JOIN LATERAL (
                SELECT s.golden_id FROM \(search) WHERE s.key COLLATE "C" = v.name ORDER BY s.golden_id LIMIT $2::bigint
            ) h
            ORDER BY v.n, h.golden_id LIMIT $2::bigint
            """
        var found = hits
        for row in try searchRows("search customers", byName, [Self.textArray(variants.map(\.key)), String(limit - hits.count)]) {
            let position = Int(try integer(row.key, "a close name's position")) - 1
            guard variants.indices.contains(position) else {
                throw StoreError(.database, "the team store returned close name \(position + 1) of \(variants.count)")
            }
            found.append((variants[position].value, row.golden))
        }
        return found
    }

    public func customersHolding(keys: [String], among candidates: [GoldenID]?, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)] {
        guard !keys.isEmpty else { return [] }
        var arguments = [Self.textArray(keys), String(limit)]
        var among = ""
        if let candidates {
            guard !candidates.isEmpty else { return [] }
            arguments.append(Self.idArray(candidates))
            among = " AND golden_id = ANY($3::bigint[])"
        }
        let sql = """
            SELECT key, golden_id::text FROM \(relation("customer_search", as: "s")) WHERE key COLLATE "C" = ANY($1::text[])\(among)
            ORDER BY s.key COLLATE "C", s.golden_id LIMIT $2::bigint
            """
        return try searchRows("probe search keys", sql, arguments)
    }

    public func customersHoldingAll(_ keySets: [[String]], limit: Int) throws(StoreError) -> [GoldenID] {
        let sets = keySets.filter { !$0.isEmpty }
        guard !sets.isEmpty else { return [] }
        let search = relation("customer_search", as: "w0")
        var joins = "SELECT DISTINCT w0.golden_id FROM \(search)"
        for index in sets.indices.dropFirst() {
            joins += " JOIN \(relation("customer_search", as: "w\(index)")) ON w\(index).key COLLATE \"C\" = ANY($\(index + 1)::text[]) AND w\(index).golden_id = w0.golden_id"
        }
        let sql = "SELECT golden_id::text FROM (\(joins) WHERE w0.key COLLATE \"C\" = ANY($1::text[])) found ORDER BY found.golden_id LIMIT $\(sets.count + 1)::bigint"
        let arguments = sets.map(Self.textArray) + [String(limit)]
        return try work("intersect search keys") { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }.map {
            row throws(StoreError) in GoldenID(try integer(row[0], "a golden id"))
        }
    }

    public func nameVariants(_ lookup: CustomerSearchKeys.Lookup) throws(StoreError) -> [String: String] {
        let variants = lookup.variants
        guard !variants.isEmpty else { return [:] }
        let sql = """
            SELECT variant, name FROM \(relation("customer_name_variant")) WHERE variant COLLATE "C" = ANY($1::text[])
            ORDER BY variant COLLATE "C", name COLLATE "C" LIMIT 500
            """
        let arguments = [Self.textArray(variants)]
        let rows = try work("look up name variants") { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }
        return lookup.strongestVariants(rows.map { (variant: $0[0] ?? "", name: $0[1] ?? "") })
    }

    public func engagementSummary(contacts: [SourceRecordID]) throws(StoreError) -> (months: [(String, Int)], channels: [(String, Int)]) {
        guard !contacts.isEmpty else { return ([], []) }
        let sql = """
            SELECT substr(e.occurred_at, 1, 7), coalesce(c.channel, 'unknown'), count(*)::text
            FROM unnest($1::text[]) AS k(contact)
            JOIN \(relation("silver_event", as: "e")) ON e.contact_id = k.contact AND e.is_current = 1
            LEFT JOIN \(relation("silver_campaign", as: "c")) ON c.source_key = e.campaign_id AND c.is_current = 1
            WHERE e.event_type IN ('open', 'click', 'conversion') GROUP BY 1, 2
            """
        let arguments = [Self.textArray(contacts.map(\.key))]
        var months: [String: Int] = [:]
        var channels: [String: Int] = [:]
        for row in try work("read a customer's engagement", { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }) {
            let count = Int(try integer(row[2], "an event count"))
            months[row[0] ?? "", default: 0] += count
            channels[row[1] ?? "unknown", default: 0] += count
        }
        return EngagementCharts.sorted(months: months, channels: channels)
    }

    public func timeline(contacts: [SourceRecordID], customers: [SourceRecordID], limit: Int) throws(StoreError) -> [TimelineEvent] {
        let events = """
            SELECT e.occurred_at, e.event_type, e.revenue::text, e.campaign_id, c.name, c.channel
            FROM \(relation("silver_event", as: "e"))
            LEFT JOIN \(relation("silver_campaign", as: "c")) ON c.source_key = e.campaign_id AND c.is_current = 1
            WHERE e.contact_id = $1 AND e.is_current = 1 AND e.occurred_at IS NOT NULL
            ORDER BY e.occurred_at COLLATE "C" DESC, e.id LIMIT $2::bigint
            """
        let orders = """
            SELECT order_date, status, amount::text, currency, source_key FROM \(relation("silver_order"))
            WHERE customer_id = $1 AND is_current = 1 ORDER BY order_date COLLATE "C" DESC, id LIMIT $2::bigint
            """
        let (contactRows, orderRows) = try work("read a customer's timeline") { session async throws(PostgresStoreError) in
            var contactRows: [[[String?]]] = []
            for contact in contacts { contactRows.append(try await session.rows(events, [contact.key, String(limit)])) }
            var orderRows: [[[String?]]] = []
            for customer in customers { orderRows.append(try await session.rows(orders, [customer.key, String(limit)])) }
            return (contactRows, orderRows)
        }
        var timeline: [TimelineEvent] = []
        for (contact, rows) in zip(contacts, contactRows) {
            for row in rows {
                timeline.append(
                    TimelineEvent(
                        at: row[0] ?? "", kind: row[1] ?? "event", detail: row[4] ?? row[3] ?? "", channel: row[5],
                        amount: try row[2].map { text throws(StoreError) in try Self.number(text, "an event's revenue") }, record: contact))
            }
        }
        for (customer, rows) in zip(customers, orderRows) {
            for row in rows {
                timeline.append(
                    TimelineEvent(
                        at: row[0] ?? "", kind: "order", detail: "\(row[4] ?? "") \(row[1] ?? "")", channel: nil,
                        amount: try row[2].map { text throws(StoreError) in try Self.number(text, "an order's amount") }, record: customer))
            }
        }
        return TimelineEvent.newestFirst(timeline, limit: limit)
    }

    public func openQuarantine(for records: [SourceRecordID]) throws(StoreError) -> [QuarantineRecord] {
        guard !records.isEmpty else { return [] }
        let sql = """
            SELECT q.id::text FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(source, source_key, n)
            JOIN \(relation("quarantine_record", as: "q")) ON q.source = k.source AND q.source_key = k.source_key
            WHERE q.status IN ('open', 'fixed') ORDER BY k.n, q.id
            """
        let arguments = [Self.textArray(records.map(\.source.rawValue)), Self.textArray(records.map(\.key))]
        let ids = try work("read a customer's quality issues") { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }
            .map { row throws(StoreError) in QuarantineID(try integer(row[0], "a quarantine id")) }
        return ids.isEmpty ? [] : try quarantineRecords(ids: ids)
    }

    public func mergeHistory(of golden: GoldenID, members: [SourceRecordID], limit: Int) throws(StoreError) -> [AuditEntry] {
        let sql = """
            SELECT id::text, at, actor, action, target, before, after, reason, previous_hash, hash FROM \(relation("audit_log"))
            WHERE target = $1 OR target LIKE $2
                OR target IN (SELECT 'P' || id FROM \(relation("match_candidate", as: "m"))
                    WHERE m.record_a = ANY($3::text[]) OR m.record_b = ANY($3::text[]))
            ORDER BY audit_log.id DESC LIMIT $4::bigint
            """
        return try auditRows(
            "read a golden record's history", sql,
            [golden.description, "\(golden.description).%", Self.textArray(members.map(\.description)), String(limit)])
    }

    public func campaignPerformance() throws(StoreError) -> [CampaignPerformance] {
        let sql = """
            SELECT campaign_id, name, channel, start_date, budget::text, currency, sent::text, unique_reached::text, opens::text, clicks::text,
                conversions::text, open_rate::text, click_rate::text, conversion_rate::text, revenue::text, cost_per_conversion::text
            FROM \(relation("campaign_performance")) ORDER BY campaign_id COLLATE "C"
            """
        return try work("read campaign performance") { session async throws(PostgresStoreError) in try await session.rows(sql) }.map {
            row throws(StoreError) in
            func count(_ index: Int) throws(StoreError) -> Int { Int(try integer(row[index], "a campaign count")) }
            func rate(_ index: Int) throws(StoreError) -> Double? { try row[index].map { text throws(StoreError) in try Self.number(text, "a rate") } }
            return CampaignPerformance(
                campaign: row[0] ?? "", name: row[1], channel: row[2], startDate: row[3], budget: try rate(4), currency: row[5],
                sent: try count(6), uniqueReached: try count(7), opens: try count(8), clicks: try count(9), conversions: try count(10),
                openRate: try rate(11), clickRate: try rate(12), conversionRate: try rate(13), revenue: try Self.number(row[14], "a revenue"),
                costPerConversion: try rate(15))
        }
    }

    public func latestMatchSummary() throws(StoreError) -> MatchSummary? {
        let sql = """
            SELECT match_run::text, started_at, records::text, auto_merged_pairs::text, queued::text, decided::text, golden_records::text
            FROM \(relation("match_summary", as: "m")) ORDER BY m.match_run DESC LIMIT 1
            """
        guard let row = try work("read the match summary", { session async throws(PostgresStoreError) in try await session.rows(sql) }).first else {
            return nil
        }
        func count(_ index: Int) throws(StoreError) -> Int? { try optionalInteger(row[index], "a match summary count").map { Int($0) } }
        return MatchSummary(
            run: MatchRunID(try integer(row[0], "a match run id")), startedAt: row[1] ?? "", records: try count(2),
            autoMergedPairs: try count(3), queued: try count(4) ?? 0, decided: try count(5) ?? 0, goldenRecords: try count(6))
    }

    /// Golden ids as a `bigint[]` argument.
    static func idArray(_ ids: [GoldenID]) -> String { "{" + ids.map { String($0.rawValue) }.joined(separator: ",") + "}" }

    private func searchRows(_ operation: String, _ sql: String, _ arguments: [String?]) throws(StoreError) -> [(key: String, golden: GoldenID)] {
        try work(operation) { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }.map {
            row throws(StoreError) in (row[0] ?? "", GoldenID(try integer(row[1], "a golden id")))
        }
    }

    private func customer360Rows(_ operation: String, _ sql: String, _ arguments: [String?]) throws(StoreError) -> [Customer360Row] {
        try work(operation) { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }.map {
            row throws(StoreError) in try Self.customer360Row(row)
        }
    }

    /// A `customer_360` row read with ``customer360Select``; consent reads yes (1), no (0) or unknown.
    static func customer360Row(_ row: [String?]) throws(StoreError) -> Customer360Row {
        func count(_ index: Int) throws(StoreError) -> Int { Int(try integer(row[index], "a customer 360 count")) }
        func flag(_ index: Int) -> Bool? { row[index].flatMap { Int64($0) }.map { $0 != 0 } }
        return Customer360Row(
            golden: GoldenID(try integer(row[0], "a golden id")), firstName: row[1], lastName: row[2], email: row[3], phone: row[4],
            birthDate: row[5], street: row[6], city: row[7], postcode: row[8], country: row[9], emailOptIn: flag(10), smsOptIn: flag(11),
            sourceCount: try count(12), sources: (row[13] ?? "").split(separator: ",").map(String.init), firstSeen: row[14],
            lastSeen: row[15], orders: try count(16), lifetimeValue: try number(row[17], "a lifetime value"), lastOrder: row[18],
            campaignsReached: try count(19), sent: try count(20), opens: try count(21), clicks: try count(22), conversions: try count(23),
            conversionRevenue: try number(row[24], "a conversion revenue"), unsubscribes: try count(25), lastEngagement: row[26],
            openQualityIssues: try count(27))
    }
}

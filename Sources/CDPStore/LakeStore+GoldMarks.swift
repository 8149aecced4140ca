import CDPRepositories
import GRDB

/// Where the silver tables ended when the gold layer was last built (the last id of each: silver rows are only
/// appended), and which sources orders and events were read as referring to. With the notes the triggers of
/// migration `v12-gold-changes` keep, what tells a build which golden customers changed since.
struct GoldMarks: Equatable {
    var customer: Int64
    var order: Int64
    var event: Int64
    var campaign: Int64
    /// The order- and event-owning sources, as one text.
    var sources: String

    static func sourcesText(_ sources: GoldSources) -> String {
        "orders: " + sources.orderOwners.map(\.rawValue).joined(separator: ",") + "; events: "
            + sources.eventOwners.map(\.rawValue).joined(separator: ",")
    }

    /// The silver tables' last ids now.
    static func current(_ db: Database, _ sources: GoldSources) throws -> GoldMarks {
        func last(_ table: String) throws -> Int64 { try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM \(table)") ?? 0 }
        return GoldMarks(
            customer: try last("silver_customer"), order: try last("silver_order"), event: try last("silver_event"),
            campaign: try last("silver_campaign"), sources: sourcesText(sources))
    }

    /// What the last build saved; nil before the first.
    static func stored(_ db: Database) throws -> GoldMarks? {
        try Row.fetchOne(db, sql: "SELECT silver_customer, silver_order, silver_event, silver_campaign, sources FROM gold_build_mark").map {
            GoldMarks(customer: $0[0], order: $0[1], event: $0[2], campaign: $0[3], sources: $0[4])
        }
    }

    /// Saves these as the last build's, and empties the notes of what changed (the build has taken them in).
    func save(_ db: Database) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO gold_build_mark (id, silver_customer, silver_order, silver_event, silver_campaign, sources)
                VALUES (1, ?, ?, ?, ?, ?)
                """, arguments: [customer, order, event, campaign, sources])
        for table in ["gold_changed_golden", "gold_changed_key", "gold_changed_reference"] { try db.execute(sql: "DELETE FROM \(table)") }
    }

    /// Puts into `temp.gold_scope` every golden customer whose inputs changed since these marks: noted golden records
    /// and links, the customers linked to noted keys (quarantine, silver rows changed in place) and to silver rows
    /// added since (customer records, and the orders and events naming an owning source's key), and the customers
    /// sharing an owning source's key with any of those.
    /// - Returns: whether an event or campaign changed (the campaigns and days are then built again).
    func scopeChanges(_ db: Database, _ sources: GoldSources) throws -> Bool {
        try db.execute(sql: "CREATE TEMP TABLE IF NOT EXISTS gold_scope (golden_id INTEGER PRIMARY KEY)")
        try db.execute(sql: "DELETE FROM temp.gold_scope")
        let current = "x.valid_to_run IS NULL"
        try db.execute(sql: "INSERT OR IGNORE INTO temp.gold_scope SELECT golden_id FROM gold_changed_golden")
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO temp.gold_scope SELECT x.golden_id FROM gold_changed_key k
                JOIN golden_xref x ON x.source = k.source AND x.source_key = k.source_key AND \(current)
                """)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO temp.gold_scope SELECT x.golden_id FROM silver_customer c
                JOIN golden_xref x ON x.source = c.source AND x.source_key = c.source_key AND \(current) WHERE c.id > ?
                """, arguments: [customer])
        let referring = [("order", sources.orderOwners, "silver_order", "customer_id", order), ("event", sources.eventOwners, "silver_event", "contact_id", event)]
        for (entity, owners, table, column, since) in referring where !owners.isEmpty {
            let names = owners.map(\.rawValue)
            let inOwners = "x.source IN (\(Array(repeating: "?", count: names.count).joined(separator: ",")))"
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO temp.gold_scope SELECT x.golden_id FROM \(table) r
                    JOIN golden_xref x ON \(inOwners) AND x.source_key = r.\(column) AND \(current) WHERE r.id > ?
                    """, arguments: StatementArguments(names + [since]))
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO temp.gold_scope SELECT x.golden_id FROM gold_changed_reference r
                    JOIN golden_xref x ON \(inOwners) AND x.source_key = r.reference AND \(current) WHERE r.entity = ?
                    """, arguments: StatementArguments(names + [entity]))
        }
        // Two owning sources may hold the same key; its orders or events belong to the first current link. When that
        // link moved (an unmerge, a record held), they move to the other source's customer, whose own inputs did not
        // change: every customer now holding a key a changed customer held, or holds, is built again.
        for owners in [sources.orderOwners, sources.eventOwners] where owners.count > 1 {
            let names = owners.map(\.rawValue)
            let list = Array(repeating: "?", count: names.count).joined(separator: ",")
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO temp.gold_scope SELECT y.golden_id FROM temp.gold_scope s
                    JOIN golden_xref x ON x.golden_id = s.golden_id AND x.source IN (\(list))
                    JOIN golden_xref y ON y.source IN (\(list)) AND y.source_key = x.source_key AND y.valid_to_run IS NULL
                    """, arguments: StatementArguments(names + names))
        }
        return try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM silver_event WHERE id > ?) OR EXISTS (SELECT 1 FROM silver_campaign WHERE id > ?)
                    OR EXISTS (SELECT 1 FROM gold_changed_reference WHERE entity IN ('event', 'campaign'))
                """, arguments: [event, campaign]) ?? true
    }
}

/// Moving an embedded lake into a team store (`cdp store migrate`).
extension PostgresTeamStore {
    /// An embedded lake as a migration reads it, whatever store holds it: its tables and their columns, how its
    /// audit chain was hashed, the next bronze row id, and its rows, a batch at a time from an opaque position.
    public struct LakeSource<Position: Sendable>: Sendable {
        /// Table → its columns, in order.
        public var tables: [String: [String]]
        /// Audit hashing version → the first audit row hashed with it.
        public var auditHashing: [Int64: Int64]
        /// The id the lake hands the next bronze row.
        public var nextBronzeID: Int64?
        /// The rows of `table` (those columns, as text, nil for NULL) after `position`, and the position after them
        /// (nil when there are no more).
        public var fetch:
            @Sendable (_ table: String, _ columns: [String], _ after: Position?) throws(PostgresStoreError) -> (
                rows: [[String?]], next: Position?
            )

        public init(
            tables: [String: [String]], auditHashing: [Int64: Int64], nextBronzeID: Int64?,
            fetch:
                @escaping @Sendable (_ table: String, _ columns: [String], _ after: Position?) throws(PostgresStoreError) -> (
                    rows: [[String?]], next: Position?
                )
        ) {
            self.tables = tables
            self.auditHashing = auditHashing
            self.nextBronzeID = nextBronzeID
            self.fetch = fetch
        }
    }

    /// What a migration copied: each table of the team store and its rows (0 for a table the lake does not have),
    /// and the audit chain's head as the lake left it.
    public struct Migration: Sendable {
        public var tables: [(name: String, rows: Int)]
        public var auditRows: Int64
        public var auditHead: String
    }

    /// The store's own machinery, which a migration leaves as install made it (the audit head and hashing are
    /// set from the lake's chain).
    static let notMigrated: Set<String> = [
        "schema_migration", "role_permission", "masked_column", "group_role", "audit_head", "audit_hashing",
    ]
    /// The lake's tables a team store keeps otherwise, so a migration reads them but copies no rows: the next bronze
    /// row id (a sequence here), how the chain was hashed (set from ``LakeSource/auditHashing``), how far the
    /// embedded lake's anchor file reaches (the team store has no anchor file: only `cdp_owner` can write its chain),
    /// what changed since the lake's last gold build (the team store rebuilds its gold layer whole), and from which run
    /// the lake's audit check wants each run's `run.start` (the team store keeps its own boundary, `run_clock_boundary`),
    /// and what the last match run left for the next (the team store matches whole).
    static let keptOtherwise: Set<String> = [
        "id_sequence", "audit_hashing", "audit_anchor_state", "gold_build_mark", "gold_changed_golden", "gold_changed_key",
        "gold_changed_reference", "run_start_rule", "match_state",
    ]
    /// Sets every identity column's sequence of the schema to go on after the largest id its table holds: what rows
    /// written with their ids (a migration's COPY) need before the store hands out ids itself.
    public static let continueIdentities = """
        DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT c.relname::text AS rel, a.attname::text AS col FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relnamespace = 'cdp'::regnamespace AND a.attidentity <> ''
            LOOP
                EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L), coalesce((SELECT max(%I) FROM cdp.%I), 0) + 1, false)',
                    'cdp.' || r.rel, r.col, r.col, r.rel);
            END LOOP;
        END $$
        """
    /// Tables others refer to, copied first.
    static let migratedFirst = ["workflow_run", "batch", "match_run", "quarantine_record"]

    /// Copies every table the team store and the lake share (the columns both have) with COPY, sets the audit
    /// chain's head and hashing and every id sequence from them, and appends a `store.migrate` audit row that
    /// continues the lake's chain, all in one transaction: an error leaves the store as it was. The store must be
    /// installed (``install(_:)``) and hold no lake yet; the role must be a superuser or a member of `cdp_owner`.
    /// - Throws: `.conflict` when the store already holds audit rows or records, or when the lake has a column the
    ///   store has not (naming each; nothing is dropped silently); the copy's error naming the table.
    public static func migrate<Position>(_ source: LakeSource<Position>, into session: PostgresSession, batchSize: Int = 5000)
        async throws(PostgresStoreError) -> Migration
    {
        try await session.transaction { session async throws(PostgresStoreError) in
            try await session.execute("SET LOCAL search_path = cdp")
            let held =
                try await session.rows(
                    """
                    SELECT (SELECT count(*) FROM cdp.audit_log)::text, (SELECT count(*) FROM cdp.silver_customer)::text,
                        (SELECT count(*) FROM cdp.quarantine_record)::text, (SELECT count(*) FROM cdp.golden_record)::text
                    """
                ).first ?? []
            guard held.allSatisfy({ $0 == "0" }) else {
                throw PostgresStoreError(
                    .conflict,
                    "the team store already holds a lake (\(held[0] ?? "?") audit rows, \(held[1] ?? "?") customers, \(held[2] ?? "?") "
                        + "quarantined records, \(held[3] ?? "?") golden records); nothing was copied. Migrate into a new database, "
                        + "before `cdp access apply --store`")
            }
            try await session.execute("SET LOCAL ROLE \(PostgresSchema.owner)")
            var columns: [String: [String]] = [:]
            for row in try await session.rows(
                """
                SELECT c.relname::text, a.attname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
                WHERE c.relnamespace = 'cdp'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
                ORDER BY c.relname, a.attnum
                """)
            {
                guard let table = row[0], let column = row[1], !notMigrated.contains(table) else { continue }
                columns[table, default: []].append(column)
            }
            // A lake column the store has no place for would be dropped silently: refuse the whole move instead.
            let missing = source.tables.keys.sorted().filter { !keptOtherwise.contains($0) }.flatMap { table in
                (source.tables[table] ?? []).filter { !(columns[table]?.contains($0) ?? false) }.map { "\(table).\($0)" }
            }
            guard missing.isEmpty else {
                throw PostgresStoreError(
                    .conflict,
                    "the team store has no place for \(missing.joined(separator: ", ")) of the lake (it was written by a newer cdp?); "
                        + "nothing was copied. Move it with the cdp release that wrote the lake")
            }
            let order = migratedFirst.filter { columns[$0] != nil } + columns.keys.filter { !migratedFirst.contains($0) }.sorted()
            var copied: [(name: String, rows: Int)] = []
            for table in order {
                let shared = (columns[table] ?? []).filter { source.tables[table]?.contains($0) ?? false }
                guard !shared.isEmpty else {
                    copied.append((table, 0))
                    continue
                }
                var position: Position?
                var finished = false
                let count = try await session.copyRows(into: table, columns: shared) { () throws(PostgresStoreError) -> [[String?]]? in
                    guard !finished else { return nil }
                    let (rows, next) = try source.fetch(table, shared, position)
                    position = next
                    finished = next == nil
                    return rows.isEmpty ? nil : rows
                }
                copied.append((table, count))
            }
            // The chain as the lake hashed it: install's "v2 from the first row" replaced by the lake's versions.
            if !source.auditHashing.isEmpty && source.auditHashing != [2: 1] {
                try await session.execute("ALTER TABLE cdp.audit_hashing DISABLE TRIGGER audit_hashing_append_only")
                try await session.execute("DELETE FROM cdp.audit_hashing")
                for (version, first) in source.auditHashing.sorted(by: { $0.key < $1.key }) {
                    try await session.execute(
                        "INSERT INTO cdp.audit_hashing (version, first_id) VALUES ($1::bigint, $2::bigint)",
                        [String(version), String(first)])
                }
                try await session.execute("ALTER TABLE cdp.audit_hashing ENABLE TRIGGER audit_hashing_append_only")
            }
            let head =
                try await session.rows(
                    "SELECT count(*)::text, coalesce((SELECT hash FROM cdp.audit_log ORDER BY id DESC LIMIT 1), repeat('0', 64)) FROM cdp.audit_log"
                ).first ?? []
            try await session.execute(
                "UPDATE cdp.audit_head SET row_count = $1::bigint, hash = $2 WHERE id = 1", [head[0] ?? "0", head[1] ?? ""])
            // Ids go on after the lake's.
            try await session.execute(continueIdentities)
            try await session.execute(
                """
                SELECT setval('cdp.bronze_row_id', greatest($1::bigint, coalesce((SELECT max(id) FROM cdp.bronze_row) + 1, 1)), false)
                """, [String(source.nextBronzeID ?? 1)])
            try await session.execute("RESET ROLE")
            // The chain as copied must verify before anything is committed.
            let problems = try await auditChainProblems(session)
            guard problems.isEmpty else {
                throw PostgresStoreError(
                    .verification,
                    "the lake's audit chain does not verify as copied; nothing was copied: " + problems.joined(separator: "; "))
            }
            let summary = copied.filter { $0.rows > 0 }.map { "\($0.name) \($0.rows)" }.joined(separator: ", ")
            try await session.execute(
                "SELECT cdp.append_audit(session_user::text, 'store.migrate', 'team store', NULL, $1, $2)",
                [summary, "moved from an embedded lake; its audit chain ends at row \(head[0] ?? "0") (\((head[1] ?? "").prefix(12))…)"])
            return Migration(tables: copied, auditRows: Int64(head[0] ?? "") ?? 0, auditHead: head[1] ?? "")
        }
    }
}

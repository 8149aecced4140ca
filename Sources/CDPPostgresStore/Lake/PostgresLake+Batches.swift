import CDPCore
import CDPRepositories
import PostgresNIO

/// Landed files and what ingestion keeps about them, as the embedded lake keeps them (`LakeStore+Batches`).
extension PostgresLake: BatchRepository {
    private static let batchColumns = """
        id::text, source, file_name, landed_path, sha256, bytes::text, landed_at, run_id::text, state, rows_read::text,
        rows_unchanged::text, rows_silver::text, rows_quarantined::text, rows_warned::text, error
        """

    public func batch(source: SourceName, sha256: String) throws(StoreError) -> BatchRecord? {
        try batchRecords(
            "look up a landed file", "SELECT \(Self.batchColumns) FROM \(relation("batch")) WHERE source = $1 AND sha256 = $2", [source.rawValue, sha256]
        ).first
    }

    public func batch(_ id: BatchID) throws(StoreError) -> BatchRecord? {
        try batchRecords("read batch \(id)", "SELECT \(Self.batchColumns) FROM \(relation("batch")) WHERE id = $1::bigint", [String(id.rawValue)]).first
    }

    public func batches(source: SourceName?) throws(StoreError) -> [BatchRecord] {
        guard let source else { return try batchRecords("list batches", "SELECT \(Self.batchColumns) FROM \(relation("batch")) ORDER BY batch.id", []) }
        return try batchRecords(
            "list batches", "SELECT \(Self.batchColumns) FROM \(relation("batch")) WHERE source = $1 ORDER BY batch.id", [source.rawValue])
    }

    public func createBatch(
        source: SourceName, fileName: String, landedPath: String, sha256: String, bytes: Int64, landedAt: String, run: RunID?
    ) throws(StoreError) -> BatchID {
        let arguments: [String?] = [source.rawValue, fileName, landedPath, sha256, String(bytes), landedAt, run.map { String($0.rawValue) }]
        let id = try work("record landed file \(fileName)") { session async throws(PostgresStoreError) in
            try await session.value(
                """
                INSERT INTO cdp.batch (source, file_name, landed_path, sha256, bytes, landed_at, run_id, state)
                VALUES ($1, $2, $3, $4, $5::bigint, $6, $7::bigint, 'landed') RETURNING id::text
                """, arguments)
        }
        return BatchID(try integer(id, "a new batch's id"))
    }

    public func setBatchState(_ batch: BatchID, _ state: BatchState, run: RunID?, error: String?) throws(StoreError) {
        let arguments: [String?] = [state.rawValue, run.map { String($0.rawValue) }, error, String(batch.rawValue)]
        try work("update batch \(batch)") { session async throws(PostgresStoreError) in
            try await session.execute(
                "UPDATE cdp.batch SET state = $1, run_id = coalesce($2::bigint, run_id), error = $3 WHERE id = $4::bigint", arguments)
        }
    }

    public func discardRows(of batch: BatchID) throws(StoreError) {
        let id = String(batch.rawValue)
        try transaction("discard the rows of batch \(batch)") { session async throws(PostgresStoreError) in
            try await session.execute("SELECT cdp.discard_batch_rows($1::bigint)", [id])
        }
    }

    public func finishBatch(_ batch: BatchID, source: SourceName, run: RunID?, counts: BatchCounts, tallies: [RuleTally]) throws(StoreError) {
        let id = String(batch.rawValue)
        let countArguments: [String?] = [counts.read, counts.unchanged, counts.silver, counts.quarantined, counts.warned].map { String($0) } + [id]
        let runID = String(run?.rawValue ?? 0)
        let tallyRows: [[String?]] = tallies.map {
            [runID, id, source.rawValue, $0.rule, $0.severity.rawValue, String($0.evaluated), String($0.failed)]
        }
        try transaction("finish batch \(batch)") { session async throws(PostgresStoreError) in
            try await session.execute(
                """
                UPDATE cdp.batch SET state = 'ingested', rows_read = $1::bigint, rows_unchanged = $2::bigint, rows_silver = $3::bigint,
                    rows_quarantined = $4::bigint, rows_warned = $5::bigint, error = NULL WHERE id = $6::bigint
                """, countArguments)
            for row in tallyRows {
                try await session.execute(
                    """
                    INSERT INTO cdp.rule_result (run_id, batch_id, source, rule, severity, evaluated, failed)
                    VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6::bigint, $7::bigint)
                    ON CONFLICT (batch_id, rule) DO UPDATE SET run_id = excluded.run_id, source = excluded.source,
                        severity = excluded.severity, evaluated = excluded.evaluated, failed = excluded.failed
                    """, row)
            }
        }
    }

    public func latestContentHashes(source: SourceName, entity: CanonicalEntity) throws(StoreError) -> [String: Int64] {
        let rows = try work("read content hashes of \(source)") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT DISTINCT ON (source_key) source_key, content_hash::text FROM (
                    SELECT source_key, bronze_id, content_hash FROM cdp.\(entity.silverTable) WHERE source = $1
                    UNION ALL SELECT source_key, bronze_id, content_hash FROM cdp.quarantine_record WHERE source = $1 AND status <> 'released'
                ) landed ORDER BY source_key, bronze_id DESC
                """, [source.rawValue])
        }
        var hashes: [String: Int64] = [:]
        hashes.reserveCapacity(rows.count)
        for row in rows { hashes[row[0] ?? ""] = try integer(row[1], "a content hash") }
        return hashes
    }

    public func currentKeys(source: SourceName, entity: CanonicalEntity) throws(StoreError) -> KeySet {
        let rows = try work("read current keys of \(source)") { session async throws(PostgresStoreError) in
            try await session.rows(
                "SELECT source_key FROM cdp.\(entity.silverTable) WHERE source = $1 AND is_current = 1", [source.rawValue])
        }
        var keys = KeySet()
        for row in rows { if let key = row[0] { keys.insert(key) } }
        return keys
    }

    public func currentSilverBatch(source: SourceName, entity: CanonicalEntity, key: String) throws(StoreError) -> BatchID? {
        try currentSilverBatches(source: source, entity: entity, keys: [key])[key]
    }

    public func currentSilverBatches(source: SourceName, entity: CanonicalEntity, keys: [String]) throws(StoreError) -> [String: BatchID] {
        // A join with the keys, not `source_key = ANY($2)`: on a table not analysed yet (a fresh store's first run)
        // the planner scanned the source's rows comparing each with every key, and the revalidate step's lookup of a
        // 100,000-customer lake's held orders ran for minutes.
        let rows = try work("look up current rows") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT s.source_key, s.batch_id::text FROM unnest($2::text[]) AS k(source_key)
                JOIN cdp.\(entity.silverTable) s ON s.source = $1 AND s.is_current = 1 AND s.source_key = k.source_key
                """, [source.rawValue, Self.textArray(keys)])
        }
        var batches: [String: BatchID] = [:]
        for row in rows { batches[row[0] ?? ""] = BatchID(try integer(row[1], "a batch id")) }
        return batches
    }

    public func rowWriter(
        batch: BatchID, run: RunID?, source: SourceName, entity: CanonicalEntity, timestamp: String, keepsAttributes: Bool
    ) throws(StoreError) -> any BatchRowWriter {
        precondition(!keepsAttributes || entity == .customer, "only customers keep extra attributes")
        let settings = self.settings
        let environment = self.environment
        let (sessions, indexesLeftOut): ([PostgresSession], Bool)
        do {
            (sessions, indexesLeftOut) = try PostgresBlocking.wait { () async throws(PostgresStoreError) -> ([PostgresSession], Bool) in
                var sessions: [PostgresSession] = []
                do throws(PostgresStoreError) {
                    for _ in 0..<PostgresBatchWriter.sessionCount {
                        let session = try await PostgresSession.connect(settings, environment: environment, applicationName: "cdp ingest")
                        sessions.append(session)
                        try await PostgresBatchWriter.prepare(session)
                    }
                    return (sessions, try await PostgresBatchWriter.beginLoad(sessions[0], entity: entity))
                } catch {
                    for session in sessions { await session.close() }
                    throw error
                }
            }
        } catch {
            throw Self.storeError(error, doing: "open a writer for batch \(batch)")
        }
        return PostgresBatchWriter(
            sessions: sessions, batch: batch, run: run, source: source, entity: entity, timestamp: timestamp, keepsAttributes: keepsAttributes,
            indexesLeftOut: indexesLeftOut)
    }

    private func batchRecords(_ operation: String, _ sql: String, _ arguments: [String?]) throws(StoreError) -> [BatchRecord] {
        let rows = try work(operation) { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }
        var records: [BatchRecord] = []
        for row in rows {
            let id = try integer(row[0], "a batch id")
            guard let state = row[8].flatMap(BatchState.init(rawValue:)) else {
                throw StoreError(.database, "batch \(id) has an unknown state \(row[8] ?? "NULL")")
            }
            records.append(
                BatchRecord(
                    id: BatchID(id), source: SourceName(row[1] ?? ""), fileName: row[2] ?? "", landedPath: row[3] ?? "", sha256: row[4] ?? "",
                    bytes: try integer(row[5], "a batch's size"), landedAt: row[6] ?? "",
                    run: try optionalInteger(row[7], "a batch's run").map { RunID($0) }, state: state,
                    rowsRead: Int(try integer(row[9], "a batch's count")), rowsUnchanged: Int(try integer(row[10], "a batch's count")),
                    rowsSilver: Int(try integer(row[11], "a batch's count")), rowsQuarantined: Int(try integer(row[12], "a batch's count")),
                    rowsWarned: Int(try integer(row[13], "a batch's count")), error: row[14]))
        }
        return records
    }

    /// A PostgreSQL array literal of texts (`{"a","b\"c"}`), for a `$n::text[]` parameter.
    static func textArray(_ values: [String]) -> String {
        "{"
            + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }
}

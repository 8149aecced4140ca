import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: BatchRepository {
    public func rowWriter(
        batch: BatchID, run: RunID?, source: SourceName, entity: CanonicalEntity, timestamp: String, keepsAttributes: Bool
    ) throws(StoreError) -> any BatchRowWriter {
        BatchWriter(
            store: self, batch: batch, run: run, source: source, entity: entity, timestamp: timestamp, keepsAttributes: keepsAttributes)
    }
}

extension BatchWriter: BatchRowWriter {
    /// Nothing to end: SQLite's indexes take each chunk's rows as they are written.
    public func finish() throws(StoreError) {}
    public func close() {}
}

/// Landed files (batches) and what ingestion needs to know about existing rows.
extension LakeStore {
    public func batch(source: SourceName, sha256: String) throws(StoreError) -> BatchRecord? {
        try read("look up a landed file") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE source = ? AND sha256 = ?", arguments: [source.rawValue, sha256])
                .map(Self.batchRecord)
        }
    }

    public func batch(_ id: BatchID) throws(StoreError) -> BatchRecord? {
        try read("read batch \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM batch WHERE id = ?", arguments: [id.rawValue]).map(Self.batchRecord)
        }
    }

    /// Batches, oldest first; of one source when given.
    public func batches(source: SourceName? = nil) throws(StoreError) -> [BatchRecord] {
        try read("list batches") { db in
            if let source {
                return try Row.fetchAll(db, sql: "SELECT * FROM batch WHERE source = ? ORDER BY id", arguments: [source.rawValue])
                    .map(Self.batchRecord)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM batch ORDER BY id").map(Self.batchRecord)
        }
    }

    /// Records a landed file. The file's SHA-256 is unique per source, so landing the same file twice is refused.
    public func createBatch(
        source: SourceName, fileName: String, landedPath: String, sha256: String, bytes: Int64, landedAt: String,
        run: RunID?
    ) throws(StoreError) -> BatchID {
        try write("record landed file \(fileName)") { db in
            try db.execute(
                sql: """
                    INSERT INTO batch (source, file_name, landed_path, sha256, bytes, landed_at, run_id, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'landed')
                    """,
                arguments: [source.rawValue, fileName, landedPath, sha256, bytes, landedAt, run?.rawValue])
            return BatchID(db.lastInsertedRowID)
        }
    }

    /// Removes every row a batch wrote and restores the silver rows it superseded, so the batch can be
    /// ingested again from scratch (after a killed run). The batch goes back to `landed`.
    public func discardRows(of batch: BatchID) throws(StoreError) {
        try write("discard the rows of batch \(batch)") { db in
            let id = batch.rawValue
            for entity in CanonicalEntity.allCases {
                try db.execute(sql: "DELETE FROM \(entity.silverTable) WHERE batch_id = ?", arguments: [id])
                try db.execute(
                    sql: "UPDATE \(entity.silverTable) SET is_current = 1, superseded_by = NULL WHERE superseded_by = ?",
                    arguments: [id])
            }
            try db.execute(sql: "DELETE FROM row_warning WHERE batch_id = ?", arguments: [id])
            try db.execute(
                sql: "DELETE FROM quarantine_history WHERE quarantine_id IN (SELECT id FROM quarantine_record WHERE batch_id = ?)",
                arguments: [id])
            try db.execute(sql: "DELETE FROM quarantine_record WHERE batch_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM rule_result WHERE batch_id = ?", arguments: [id])
            try db.execute(
                sql: """
                    UPDATE batch SET state = 'landed', rows_read = 0, rows_unchanged = 0, rows_silver = 0,
                        rows_quarantined = 0, rows_warned = 0, error = NULL WHERE id = ?
                    """, arguments: [id])
        }
    }

    public func setBatchState(_ batch: BatchID, _ state: BatchState, run: RunID?, error: String? = nil) throws(StoreError) {
        try write("update batch \(batch)") { db in
            try db.execute(
                sql: "UPDATE batch SET state = ?, run_id = COALESCE(?, run_id), error = ? WHERE id = ?",
                arguments: [state.rawValue, run?.rawValue, error, batch.rawValue])
        }
    }

    /// Marks a batch ingested with its counts and rule tallies, in one transaction.
    public func finishBatch(_ batch: BatchID, source: SourceName, run: RunID?, counts: BatchCounts, tallies: [RuleTally]) throws(StoreError) {
        try write("finish batch \(batch)") { db in
            try db.execute(
                sql: """
                    UPDATE batch SET state = 'ingested', rows_read = ?, rows_unchanged = ?, rows_silver = ?,
                        rows_quarantined = ?, rows_warned = ?, error = NULL WHERE id = ?
                    """,
                arguments: [counts.read, counts.unchanged, counts.silver, counts.quarantined, counts.warned, batch.rawValue])
            for tally in tallies {
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO rule_result (run_id, batch_id, source, rule, severity, evaluated, failed)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [run?.rawValue ?? 0, batch.rawValue, source.rawValue, tally.rule, tally.severity.rawValue, tally.evaluated, tally.failed])
            }
        }
    }

    /// The content hash of each key's latest landed row for a source (in silver or held in quarantine):
    /// what "unchanged" is judged against. The latest is the one with the highest bronze id.
    public func latestContentHashes(source: SourceName, entity: CanonicalEntity) throws(StoreError) -> [String: Int64] {
        try read("read content hashes of \(source)") { db in
            var latest: [String: (bronze: Int64, hash: Int64)] = [:]
            let cursor = try Row.fetchCursor(
                db,
                sql: """
                    SELECT source_key, bronze_id, content_hash FROM \(entity.silverTable) WHERE source = ?
                    UNION ALL SELECT source_key, bronze_id, content_hash FROM quarantine_record WHERE source = ? AND status != 'released'
                    """,
                arguments: [source.rawValue, source.rawValue])
            while let row = try cursor.next() {
                let key: String = row[0], bronze: Int64 = row[1]
                if let seen = latest[key], seen.bronze > bronze { continue }
                latest[key] = (bronze, row[2])
            }
            return latest.mapValues(\.hash)
        }
    }

    /// Keys of the current silver rows of a source (for reference checks and change detection).
    public func currentKeys(source: SourceName, entity: CanonicalEntity) throws(StoreError) -> KeySet {
        try read("read current keys of \(source)") { db in
            var keys = KeySet()
            let cursor = try String.fetchCursor(
                db, sql: "SELECT source_key FROM \(entity.silverTable) WHERE source = ? AND is_current = 1",
                arguments: [source.rawValue])
            while let key = try cursor.next() { keys.insert(key) }
            return keys
        }
    }

    static func batchRecord(_ row: Row) -> BatchRecord {
        BatchRecord(
            id: BatchID(row["id"] as Int64), source: SourceName(row["source"] as String), fileName: row["file_name"],
            landedPath: row["landed_path"], sha256: row["sha256"], bytes: row["bytes"], landedAt: row["landed_at"],
            run: (row["run_id"] as Int64?).map { RunID($0) }, state: BatchState(rawValue: row["state"]) ?? .landed,
            rowsRead: row["rows_read"], rowsUnchanged: row["rows_unchanged"], rowsSilver: row["rows_silver"],
            rowsQuarantined: row["rows_quarantined"], rowsWarned: row["rows_warned"], error: row["error"])
    }
}

extension LakeStore {
    /// The batch that wrote the current silver row of a key, or nil when the key has none.
    public func currentSilverBatch(source: SourceName, entity: CanonicalEntity, key: String) throws(StoreError) -> BatchID? {
        try read("look up the current row of \(key)") { db in
            try Int64.fetchOne(
                db, sql: "SELECT batch_id FROM \(entity.silverTable) WHERE source = ? AND source_key = ? AND is_current = 1",
                arguments: [source.rawValue, key]
            ).map { BatchID($0) }
        }
    }

    /// The batch of the current silver row of each of `keys` that has one, read in chunks in one transaction:
    /// re-validating thousands of held records asks this of every one.
    public func currentSilverBatches(source: SourceName, entity: CanonicalEntity, keys: [String]) throws(StoreError) -> [String: BatchID] {
        try read("look up current rows") { db in
            var batches: [String: BatchID] = [:]
            var start = keys.startIndex
            while start < keys.endIndex {
                let chunk = keys[start..<min(start + 500, keys.endIndex)]
                start = chunk.endIndex
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(
                    db,
                    sql: "SELECT source_key, batch_id FROM \(entity.silverTable) WHERE source = ? AND is_current = 1 AND source_key IN (\(marks))",
                    arguments: StatementArguments([source.rawValue] + Array(chunk)))
                while let row = try rows.next() { batches[row[0]] = BatchID(row[1] as Int64) }
            }
            return batches
        }
    }
}

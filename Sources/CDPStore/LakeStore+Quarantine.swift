import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: QuarantineRepository {}

/// Quarantined records: listing for stewards, and the atomic changes remediation makes.
extension LakeStore {
    public func quarantineRecords(_ filter: QuarantineFilter) throws(StoreError) -> [QuarantineRecord] {
        try read("list quarantine") { db in
            let (whereSQL, arguments) = filter.whereClause()
            return try Row.fetchAll(
                db, sql: "SELECT * FROM quarantine_record \(whereSQL) ORDER BY id LIMIT ? OFFSET ?",
                arguments: StatementArguments(arguments + [filter.limit, filter.offset])
            ).map(Self.quarantineRecordFast)
        }
    }

    public func quarantineCount(_ filter: QuarantineFilter) throws(StoreError) -> Int {
        try read("count quarantine") { db in
            let (whereSQL, arguments) = filter.whereClause()
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM quarantine_record \(whereSQL)", arguments: StatementArguments(arguments)) ?? 0
        }
    }

    public func quarantineRecord(_ id: QuarantineID) throws(StoreError) -> QuarantineRecord? {
        try read("read \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM quarantine_record WHERE id = ?", arguments: [id.rawValue])
                .map(Self.quarantineRecord)
        }
    }

    public func quarantineHistory(_ id: QuarantineID) throws(StoreError) -> [QuarantineHistoryEntry] {
        try read("read the history of \(id)") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM quarantine_history WHERE quarantine_id = ? ORDER BY id", arguments: [id.rawValue]
            ).map { QuarantineHistoryEntry(at: $0["at"], actor: $0["actor"], action: $0["action"], detail: $0["detail"]) }
        }
    }

    /// Where the record held as `id` was landed, or nil when there is no such record.
    public func landedRecord(of id: QuarantineID) throws(StoreError) -> LandedRecord? {
        try read("read the landed row of \(id)") { db in
            guard let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT q.batch_id, b.file_name, b.landed_path, q.line, q.record_offset, q.record_length, q.bronze_id
                    FROM quarantine_record q JOIN batch b ON b.id = q.batch_id WHERE q.id = ?
                    """,
                arguments: [id.rawValue])
            else { return nil }
            let offset: Int64? = row[4], length: Int64? = row[5]
            let span = offset.flatMap { offset in length.map { RecordSpan(offset: offset, length: $0) } }
            let stored = span == nil ? try String.fetchOne(db, sql: "SELECT raw FROM bronze_row_v1 WHERE id = ?", arguments: [row[6] as Int64]) : nil
            let landedPath: String = row[2]
            let text = stored ?? span.flatMap { span in workspaceRoot.flatMap { Self.landedText(root: $0, path: landedPath, span: span) } }
            return LandedRecord(
                batch: BatchID(row[0] as Int64), file: row[1], landedPath: landedPath, line: row[3], span: span, storedText: stored,
                text: text)
        }
    }

    /// Open records per failed rule, most first (a record failing two rules counts for both).
    public func openQuarantineByRule() throws(StoreError) -> [(rule: String, count: Int)] {
        try read("count open quarantine by rule") { db in
            var counts: [String: Int] = [:]
            let cursor = try String.fetchCursor(db, sql: "SELECT rules FROM quarantine_record WHERE status IN ('open', 'fixed')")
            while let rules = try cursor.next() {
                for rule in rules.split(separator: ",") { counts[String(rule), default: 0] += 1 }
            }
            return counts.map { (rule: $0.key, count: $0.value) }.sorted { ($0.count, $1.rule) > ($1.count, $0.rule) }
        }
    }

    /// Applies a change if the record is still in `expected` status (so two stewards cannot both act on it).
    /// - Parameter asRead: the record as the caller read it; when given, an edit of its fields or key since
    ///   is a conflict too (an edit that leaves a record open keeps its status).
    /// - Throws: `StoreError.conflict` when the record changed meanwhile, `.notFound` when it does not exist.
    public func applyQuarantineChange(
        _ id: QuarantineID, expecting expected: QuarantineStatus, asRead: QuarantineRecord? = nil, _ change: QuarantineChange,
        at: String
    ) throws(StoreError) {
        try write("change \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM quarantine_record WHERE id = ?", arguments: [id.rawValue]) else {
                throw StoreError(.notFound, "no quarantined record \(id); list them with `cdp quarantine list`")
            }
            let current = Self.quarantineRecord(row)
            guard current.status == expected else {
                throw StoreError(.conflict, "\(id) is now \(current.status.rawValue), not \(expected.rawValue); reload and try again")
            }
            if let asRead, current.fields != asRead.fields || current.sourceKey != asRead.sourceKey {
                throw StoreError(.conflict, "\(id) was edited meanwhile; reload and try again")
            }
            let encoder = JSONEncoder.sorted
            try db.execute(
                sql: """
                    UPDATE quarantine_record SET fields = ?, source_key = ?, failures = ?, rules = ?, status = ?,
                        resolution = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    String(decoding: try encoder.encode(change.fields), as: UTF8.self), change.sourceKey,
                    String(decoding: try encoder.encode(change.failures), as: UTF8.self),
                    Self.rulesColumn(change, current: row["rules"] as String),
                    change.status.rawValue, change.resolution, at, id.rawValue,
                ])
            // The failures being replaced stay readable in the history: nothing a run found is overwritten.
            let detail = change.historyDetail(replacing: current.failures)
            try db.execute(
                sql: "INSERT INTO quarantine_history (quarantine_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [id.rawValue, at, change.audit.actor, change.historyAction, detail])
            if change.withdrawsSilver { try Self.withdrawSilverRow(of: current, db) }
            if let values = change.silverValues {
                let entity = current.entity
                let fields = entity.fields
                if change.supersedes {
                    try db.execute(
                        sql: "UPDATE \(entity.silverTable) SET is_current = 0, superseded_by = ? WHERE source = ? AND source_key = ? AND is_current = 1",
                        arguments: [current.batch.rawValue, current.source.rawValue, change.sourceKey])
                }
                // A customer of a source with extra attributes has one value more: `attributes`, as an ingest writes it.
                let columns = fields.map(\.name) + (entity == .customer && values.count > fields.count ? ["attributes"] : [])
                let placeholders = Array(repeating: "?", count: columns.count + 9).joined(separator: ", ")
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO \(entity.silverTable) (bronze_id, batch_id, line, record_offset, record_length, source, \
                        source_key, content_hash, is_current, \(columns.joined(separator: ", "))) VALUES (\(placeholders))
                        """)
                var binder = Binder(statement)
                binder.bind(current.bronzeRow.rawValue); binder.bind(current.batch.rawValue); binder.bind(Int64(current.line))
                binder.bind(row["record_offset"] as Int64?); binder.bind(row["record_length"] as Int64?)
                binder.bind(current.source.rawValue); binder.bind(change.sourceKey)
                binder.bind(row["content_hash"] as Int64); binder.bind(Int64(1))
                for value in values.prefix(columns.count) { binder.bind(value) }
                try binder.run(db)
            }
            // A decision ends the hold on the record (its audit row follows the change's): the record leaves its
            // holder's list, and a reopen finds it unheld (a hold taken after the decision is kept: it was taken on purpose).
            var audits = [change.audit]
            if change.status == .released || change.status == .rejected,
                let ended = try Self.endHold(
                    on: .quarantine(id), by: change.audit.actor,
                    because: "\(id) was \(change.status.rawValue): a decision ends the work on it", at: at, db)
            {
                audits.append(ended)
            }
            try Self.appendAudits(audits, at: at, db)
        }
    }

    /// The `rules` column after a change: an open record's rules are those it fails now; a record that is not
    /// open (fixed, released, rejected) also keeps the rules it was held for, so a rule filter still finds the
    /// records fixed from that rule (`cdp quarantine release --rule email_format` after a fix by pattern).
    static func rulesColumn(_ change: QuarantineChange, current: String) -> String {
        var rules = change.failures.map(\.rule)
        if change.status != .open {
            for rule in current.split(separator: ",").map(String.init) where !rules.contains(rule) { rules.append(rule) }
        }
        return "," + rules.joined(separator: ",") + ","
    }

    /// Takes a released record's silver row out and makes current again the row its release replaced.
    /// - Throws: `StoreError.conflict` when the row is gone or no longer current (a newer version of the key
    ///   arrived since: taking the release back would leave the key without its newest row).
    static func withdrawSilverRow(of record: QuarantineRecord, _ db: Database) throws {
        let table = record.entity.silverTable
        guard let row = try Row.fetchOne(db, sql: "SELECT id, is_current FROM \(table) WHERE bronze_id = ?", arguments: [record.bronzeRow.rawValue])
        else {
            throw StoreError(.conflict, "\(record.id) has no row in \(table) to take back; reload and try again")
        }
        guard (row[1] as Int64) == 1 else {
            throw StoreError(
                .conflict,
                "a newer version of key \(record.sourceKey) of \(record.source) is current in \(table); the release of \(record.id) can no longer be "
                    + "taken back (nothing was changed): leave it released, and correct that key at its source if the newer version is wrong too")
        }
        try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [row[0] as Int64])
        try db.execute(
            sql: """
                UPDATE \(table) SET is_current = 1, superseded_by = NULL WHERE id = (
                    SELECT MAX(id) FROM \(table) WHERE source = ? AND source_key = ? AND is_current = 0 AND superseded_by = ?)
                """,
            arguments: [record.source.rawValue, record.sourceKey, record.batch.rawValue])
    }

    static func quarantineRecord(_ row: Row) -> QuarantineRecord {
        let decoder = JSONDecoder()
        let fields = (try? decoder.decode([String: String].self, from: Data((row["fields"] as String).utf8))) ?? [:]
        let failures = (try? decoder.decode([RuleFailure].self, from: Data((row["failures"] as String).utf8))) ?? []
        return QuarantineRecord(
            id: QuarantineID(row["id"] as Int64), bronzeRow: BronzeRowID(row["bronze_id"] as Int64),
            batch: BatchID(row["batch_id"] as Int64), run: (row["run_id"] as Int64?).map { RunID($0) },
            source: SourceName(row["source"] as String), entity: CanonicalEntity(rawValue: row["entity"]) ?? .customer,
            sourceKey: row["source_key"], line: row["line"], status: QuarantineStatus(rawValue: row["status"]) ?? .open,
            fields: fields, failures: failures, createdAt: row["created_at"], updatedAt: row["updated_at"],
            resolution: row["resolution"])
    }
}

extension QuarantineFilter {
    /// The filter as an SQL `WHERE` clause over `quarantine_record` (empty when it filters nothing) and its arguments.
    func whereClause() -> (String, [any DatabaseValueConvertible]) {
        var clauses: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let source { clauses.append("source = ?"); arguments.append(source.rawValue) }
        if let rule { clauses.append("rules LIKE ?"); arguments.append("%,\(rule),%") }
        if !statuses.isEmpty {
            clauses.append("status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))")
            arguments += statuses.map(\.rawValue)
        }
        if let heldAfter { clauses.append("created_at > ?"); arguments.append(heldAfter) }
        if let text, !text.isEmpty {
            clauses.append("(source_key LIKE ? OR fields LIKE ? OR failures LIKE ?)")
            arguments += Array(repeating: "%\(text)%", count: 3)
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }
}

import CDPCore
import CDPRepositories
import Foundation

/// Quarantined records on the team store: the reads `cdp quarantine list/show` and the workbench make, as the
/// embedded lake answers them (`LakeStore+Quarantine`), and a steward's fix, release and rejection through the
/// store's functions (``applyQuarantineChange(_:expecting:asRead:_:at:)``), which check the role in the database.
extension PostgresLake: QuarantineRepository {
    static let quarantineColumns = """
        id::text, bronze_id::text, batch_id::text, run_id::text, source, entity, source_key, line::text, status, fields, failures,
        created_at, updated_at, resolution
        """

    public func quarantineRecords(_ filter: QuarantineFilter) throws(StoreError) -> [QuarantineRecord] {
        var (clause, arguments) = Self.whereClause(filter)
        arguments += [String(filter.limit), String(filter.offset)]
        return try quarantineRows(
            "list quarantine",
            "SELECT \(Self.quarantineColumns) FROM \(relation("quarantine_record")) \(clause) ORDER BY quarantine_record.id "
                + "LIMIT $\(arguments.count - 1)::bigint OFFSET $\(arguments.count)::bigint", arguments)
    }

    public func quarantineRecords(ids: [QuarantineID]) throws(StoreError) -> [QuarantineRecord] {
        guard !ids.isEmpty else { return [] }
        let records = try quarantineRows(
            "read \(ids.count) quarantined records",
            "SELECT \(Self.quarantineColumns) FROM \(relation("quarantine_record")) WHERE id = ANY($1::bigint[])",
            ["{" + ids.map { String($0.rawValue) }.joined(separator: ",") + "}"])
        let byID = Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    public func quarantineRecord(_ id: QuarantineID) throws(StoreError) -> QuarantineRecord? {
        try quarantineRows(
            "read \(id)", "SELECT \(Self.quarantineColumns) FROM \(relation("quarantine_record")) WHERE id = $1::bigint", [String(id.rawValue)]
        ).first
    }

    public func quarantineCount(_ filter: QuarantineFilter) throws(StoreError) -> Int {
        let (clause, arguments) = Self.whereClause(filter)
        let records = relation("quarantine_record")
        let count = try work("count quarantine") { session async throws(PostgresStoreError) in
            try await session.value("SELECT count(*)::text FROM \(records) \(clause)", arguments)
        }
        return Int(try integer(count, "a count of quarantined records"))
    }

    public func quarantineIDs(_ filter: QuarantineFilter, order: QuarantineOrder, ascending: Bool) throws(StoreError) -> [Int64] {
        let (clause, arguments) = Self.whereClause(filter)
        let direction = ascending ? "ASC" : "DESC"
        let orderSQL: String
        switch order {
        case .id: orderSQL = "quarantine_record.id \(direction)"
        // The newest first when ascending, as the embedded lake's age order.
        case .age: orderSQL = "created_at \(ascending ? "DESC" : "ASC"), quarantine_record.id \(direction)"
        default: orderSQL = "\(Self.orderExpression(order)) \(direction), quarantine_record.id \(direction)"
        }
        let records = relation("quarantine_record")
        let rows = try work("list quarantine ids") { session async throws(PostgresStoreError) in
            try await session.rows("SELECT id::text FROM \(records) \(clause) ORDER BY \(orderSQL)", arguments)
        }
        var ids: [Int64] = []
        ids.reserveCapacity(rows.count)
        for row in rows { ids.append(try integer(row[0], "a quarantined record's id")) }
        return ids
    }

    public func forEachQuarantineSearchText(
        rewritingJSON: ((String) -> String)?, _ body: (Int64, UnsafeBufferPointer<UInt8>) -> Void
    ) throws(StoreError) {
        let records = relation("quarantine_record")
        let rows = try work("read quarantine search text") { session async throws(PostgresStoreError) in
            try await session.rows("SELECT id::text, source_key, fields, failures FROM \(records) ORDER BY quarantine_record.id")
        }
        var scratch: [UInt8] = []
        scratch.reserveCapacity(512)
        for row in rows {
            scratch.removeAll(keepingCapacity: true)
            let id = try integer(row[0], "a quarantined record's id")
            scratch.append(contentsOf: (row[1] ?? "").utf8)
            scratch.append(0x1F)
            for column in 2...3 {
                var json = row[column] ?? ""
                if let rewritingJSON { json = rewritingJSON(json) }
                json.withUTF8 { QuarantineSearchText.appendJSONStringValues($0, to: &scratch) }
            }
            scratch.withUnsafeBufferPointer { body(id, $0) }
        }
    }

    public func openQuarantineByRule() throws(StoreError) -> [(rule: String, count: Int)] {
        let records = relation("quarantine_record")
        let rows = try work("count open quarantine by rule") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT rule, count(*)::text FROM \(records), unnest(string_to_array(trim(BOTH ',' FROM rules), ',')) AS rule
                WHERE status IN ('open', 'fixed') AND rule <> '' GROUP BY rule
                """)
        }
        var counts: [(rule: String, count: Int)] = []
        for row in rows { counts.append((row[0] ?? "", Int(try integer(row[1], "a count of records")))) }
        return counts.sorted { ($0.count, $1.rule) > ($1.count, $0.rule) }
    }

    public func quarantineHistory(_ id: QuarantineID) throws(StoreError) -> [QuarantineHistoryEntry] {
        let history = relation("quarantine_history")
        let rows = try work("read the history of \(id)") { session async throws(PostgresStoreError) in
            try await session.rows(
                "SELECT at, actor, action, detail FROM \(history) WHERE quarantine_id = $1::bigint ORDER BY quarantine_history.id", [String(id.rawValue)])
        }
        return rows.map { QuarantineHistoryEntry(at: $0[0] ?? "", actor: $0[1] ?? "", action: $0[2] ?? "", detail: $0[3] ?? "") }
    }

    public func landedRecord(of id: QuarantineID) throws(StoreError) -> LandedRecord? {
        // Without view_pii the record's place in the file and its stored text are withheld (the masked view says
        // so): the landed file, batch and line only, as the engine shows such a user no raw row.
        let withheld = readsMasked("quarantine_record")
        let spanColumns = withheld ? "NULL, NULL, NULL" : "q.record_offset::text, q.record_length::text, (SELECT raw FROM cdp.bronze_row_v1 v WHERE v.id = q.bronze_id)"
        let from = "\(relation("quarantine_record", as: "q")) JOIN \(relation("batch", as: "b")) ON b.id = q.batch_id"
        let row = try work("read the landed row of \(id)") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT q.batch_id::text, b.file_name, b.landed_path, q.line::text, \(spanColumns)
                FROM \(from) WHERE q.id = $1::bigint
                """, [String(id.rawValue)]
            ).first
        }
        guard let row else { return nil }
        let offset = try optionalInteger(row[4], "a record's offset"), length = try optionalInteger(row[5], "a record's length")
        let span = offset.flatMap { offset in length.map { RecordSpan(offset: offset, length: $0) } }
        let landedPath = row[2] ?? ""
        let stored = span == nil ? row[6] : nil
        // The landed files stay on the workspace's disk: read there.
        let text = stored ?? span.flatMap { span in workspaceRoot.flatMap { LandedFile.text(root: $0, path: landedPath, span: span) } }
        return LandedRecord(
            batch: BatchID(try integer(row[0], "a batch id")), file: row[1] ?? "", landedPath: landedPath,
            line: Int(try integer(row[3], "a line number")), span: span, storedText: stored, text: text)
    }

    public func applyQuarantineChange(
        _ id: QuarantineID, expecting expected: QuarantineStatus, asRead: QuarantineRecord?, _ change: QuarantineChange, at: String
    ) throws(StoreError) {
        let read: QuarantineRecord
        if let asRead {
            read = asRead
        } else if let stored = try quarantineRecord(id) {
            read = stored
        } else {
            throw StoreError(.notFound, "no quarantined record \(id); list them with `cdp quarantine list`")
        }
        let (attempt, sql, arguments) = try Self.stewardCall(id, expected: expected, read: read, change)
        _ = try work("change \(id)") { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.stewardAction(session, attempt: attempt, sql, arguments)
        }
    }

    /// The steward function that makes `change` on the team store, as the audit row names the attempt, its SQL and
    /// arguments. A fix, a release and a reopening (or undo) go through the `*_as_read` functions (the record must
    /// still hold what the engine read, and the caller must be able to read it), a rejection through
    /// `cdp.quarantine_reject`; each checks the role and appends the audit row in the same transaction.
    /// A fix that changes the key goes through `cdp.quarantine_fix_key_as_read`.
    /// - Throws: `.unsupported` for a change no engine command makes (a status change without an edit: the revalidate
    ///   step marks records through ``markPassingNow(_:at:)``, never here).
    static func stewardCall(_ id: QuarantineID, expected: QuarantineStatus, read: QuarantineRecord, _ change: QuarantineChange)
        throws(StoreError) -> (attempt: String, sql: String, arguments: [String?])
    {
        let identity = [String(id.rawValue), expected.rawValue]
        let wasHeld = expected == .open || expected == .fixed
        let isFix =
            wasHeld && change.silverValues == nil && !change.withdrawsSilver && change.sourceKey == read.sourceKey
            && change.fields != read.fields
        let isKeyFix = wasHeld && change.silverValues == nil && !change.withdrawsSilver && change.sourceKey != read.sourceKey
        // Reopening (or undoing) a release or a rejection: held again as it was, with the failures found now.
        let isReopen =
            !wasHeld && change.silverValues == nil && change.withdrawsSilver == (expected == .released)
            && change.sourceKey == read.sourceKey && change.fields == read.fields
        switch change.status {
        case .rejected where wasHeld:
            return ("quarantine.reject \(id)", "SELECT cdp.quarantine_reject($1::bigint, $2, $3)", identity + [change.resolution])
        case .released where wasHeld && change.silverValues != nil && change.sourceKey == read.sourceKey:
            let silverValues = change.silverValues ?? []
            let values = try silverJSON(silverValues, entity: read.entity, id: id)
            // A customer of a source with extra attributes: one value more, its attributes JSON.
            let fieldCount = read.entity.fields.count
            let attributes = silverValues.count > fieldCount ? silverValues[fieldCount].map(\.description) : nil
            return (
                "quarantine.release \(id)", "SELECT cdp.quarantine_release_as_read($1::bigint, $2, $3, $4, $5, $6)",
                identity + [try json(read.fields, id), read.sourceKey, values, attributes]
            )
        case .open where isFix, .fixed where isFix:
            let failures = try failuresJSON(change.failures, id)
            return (
                "quarantine.fix \(id)", "SELECT cdp.quarantine_fix_as_read($1::bigint, $2, $3, $4, $5, $6, $7, $8)",
                identity + [try json(read.fields, id), read.sourceKey, try json(change.fields, id), failures, change.status.rawValue,
                    change.historyDetail]
            )
        case .open where isKeyFix, .fixed where isKeyFix:
            return (
                "quarantine.fix \(id)", "SELECT cdp.quarantine_fix_key_as_read($1::bigint, $2, $3, $4, $5, $6, $7, $8, $9)",
                identity + [try json(read.fields, id), read.sourceKey, try json(change.fields, id), change.sourceKey,
                    try failuresJSON(change.failures, id), change.status.rawValue, change.historyDetail(replacing: read.failures)]
            )
        case .open where isReopen, .fixed where isReopen:
            let failures = try failuresJSON(change.failures, id)
            let undoing = change.audit.action.hasSuffix(".undo")
            return (
                "\(change.audit.action) \(id)",
                "SELECT cdp.quarantine_reopen_as_read($1::bigint, $2, $3, $4, $5, $6, $7, $8::boolean)",
                identity + [try json(read.fields, id), read.sourceKey, failures, change.status.rawValue, change.audit.reason,
                    undoing ? "true" : "false"]
            )
        default:
            throw StoreError(
                .unsupported,
                "\(id): the team store changes a quarantined record through its functions (fix, a fix of the key, release, reject, "
                    + "reopen, undo, and the revalidate step's marking), and this change is none of them; nothing was written")
        }
    }

    private static func failuresJSON(_ failures: [RuleFailure], _ id: QuarantineID) throws(StoreError) -> String {
        do { return String(decoding: try JSONEncoder().encode(failures), as: UTF8.self) } catch {
            throw StoreError(.database, "\(id): its failures cannot be written as JSON", underlying: error)
        }
    }

    private static func json(_ fields: [String: String], _ id: QuarantineID) throws(StoreError) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try encoder.encode(fields), as: UTF8.self) } catch {
            throw StoreError(.database, "\(id): its fields cannot be written as JSON", underlying: error)
        }
    }

    /// A release's standardised values as the JSON object `cdp.quarantine_release` takes: the entity's fields by
    /// name, yes/no as 1 and 0 (the silver columns are integers), absent values left out.
    static func silverJSON(_ values: [FieldValue?], entity: CanonicalEntity, id: QuarantineID) throws(StoreError) -> String {
        var object: [String: Any] = [:]
        for (field, value) in zip(entity.fields, values) {
            switch value {
            case nil: continue
            case .text(let text)?: object[field.name] = text
            case .integer(let number)?: object[field.name] = number
            case .decimal(let number)?: object[field.name] = number
            case .boolean(let flag)?: object[field.name] = flag ? 1 : 0
            }
        }
        do {
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        } catch {
            throw StoreError(.database, "\(id): its silver values cannot be written as JSON", underlying: error)
        }
    }

    private func quarantineRows(_ operation: String, _ sql: String, _ arguments: [String?]) throws(StoreError) -> [QuarantineRecord] {
        let rows = try work(operation) { session async throws(PostgresStoreError) in try await session.rows(sql, arguments) }
        var records: [QuarantineRecord] = []
        records.reserveCapacity(rows.count)
        let decoder = JSONDecoder()
        for row in rows {
            let id = try integer(row[0], "a quarantined record's id")
            guard let entity = row[5].flatMap(CanonicalEntity.init(rawValue:)), let status = row[8].flatMap(QuarantineStatus.init(rawValue:))
            else {
                throw StoreError(.database, "Q\(id) has an unknown entity \(row[5] ?? "NULL") or status \(row[8] ?? "NULL")")
            }
            let fields: [String: String]
            let failures: [RuleFailure]
            do {
                fields = try decoder.decode([String: String].self, from: Data((row[9] ?? "").utf8))
                failures = try decoder.decode([RuleFailure].self, from: Data((row[10] ?? "").utf8))
            } catch {
                throw StoreError(.database, "Q\(id) holds fields or failures that are not the JSON the lake writes", underlying: error)
            }
            records.append(
                QuarantineRecord(
                    id: QuarantineID(id), bronzeRow: BronzeRowID(try integer(row[1], "a bronze id")),
                    batch: BatchID(try integer(row[2], "a batch id")), run: try optionalInteger(row[3], "a run id").map { RunID($0) },
                    source: SourceName(row[4] ?? ""), entity: entity, sourceKey: row[6] ?? "",
                    line: Int(try integer(row[7], "a line number")), status: status, fields: fields, failures: failures,
                    createdAt: row[11] ?? "", updatedAt: row[12] ?? "", resolution: row[13]))
        }
        return records
    }

    /// The filter as a `WHERE` clause over `cdp.quarantine_record` and its text arguments (`$1`, `$2`, …).
    static func whereClause(_ filter: QuarantineFilter) -> (String, [String?]) {
        var clauses: [String] = []
        var arguments: [String?] = []
        func argument(_ value: String) -> String {
            arguments.append(value)
            return "$\(arguments.count)"
        }
        if let source = filter.source { clauses.append("source = \(argument(source.rawValue))") }
        if let rule = filter.rule { clauses.append("strpos(rules, \(argument(",\(rule),"))) > 0") }
        if !filter.statuses.isEmpty { clauses.append("status = ANY(\(argument("{" + filter.statuses.map(\.rawValue).joined(separator: ",") + "}"))::text[])") }
        if let heldAfter = filter.heldAfter { clauses.append("created_at > \(argument(heldAfter))") }
        if let text = filter.text, !text.isEmpty {
            // As the embedded lake's LIKE: case-insensitive (ASCII), `%` and `_` in the text are wildcards there too.
            let pattern = argument("%\(text)%")
            clauses.append("(source_key ILIKE \(pattern) OR fields ILIKE \(pattern) OR failures ILIKE \(pattern))")
        }
        return (clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    /// The SQL expression over `cdp.quarantine_record` ordering by a workbench column, as the embedded lake's.
    static func orderExpression(_ order: QuarantineOrder) -> String {
        switch order {
        case .id: return "quarantine_record.id"
        case .status: return "status"
        case .source: return "source"
        case .key: return "source_key"
        case .name: return "(fields::jsonb ->> 'last_name')"
        case .line: return "quarantine_record.line"
        case .rules: return "rules"
        case .problem: return "failures"
        case .age: return "created_at"
        }
    }
}

import CDPCore
import CDPRepositories
import Foundation

/// The data dictionary on the team store, as the embedded lake keeps it: one current entry per (layer, dataset,
/// column) and every version. Read through the masked views for a login without `view_pii` (an entry's example and
/// a kept version are withheld there); seeded through `cdp.dictionary_seed` and edited through `cdp.dictionary_edit`,
/// which check `edit_dictionary` (and, for an edit loosening a column's masking, `view_pii`) in the database, write
/// the version and the audit row in the same transaction, and rebuild the masked views a tag change affects.
extension PostgresLake: DictionaryRepository {
    public func hasDictionary() throws(StoreError) -> Bool {
        let entries = relation("dictionary_entry")
        return try work("read the dictionary") { session async throws(PostgresStoreError) in
            try await session.value("SELECT EXISTS (SELECT 1 FROM \(entries))::text") == "true"
        }
    }

    public func dictionaryTags() throws(StoreError) -> [(key: DictionaryKey, tags: [String])] {
        let entries = relation("dictionary_entry")
        let rows = try work("read the dictionary's tags") { session async throws(PostgresStoreError) in
            try await session.rows("SELECT layer, dataset, column_name, tags FROM \(entries) ORDER BY layer, dataset, column_name")
        }
        var result: [(key: DictionaryKey, tags: [String])] = []
        for row in rows {
            guard let layer = row[0].flatMap(DictionaryLayer.init(rawValue:)) else { continue }
            result.append((DictionaryKey(layer, row[1] ?? "", row[2] ?? ""), try Self.list(row[3], "the tags of \(row[1] ?? "").\(row[2] ?? "")")))
        }
        return result
    }

    public func dictionaryKeys() throws(StoreError) -> Set<DictionaryKey> {
        Set(try dictionaryTags().map(\.key))
    }

    /// The columns an entry is read with, in ``entryVersion(_:)``'s order.
    private static let entryColumns =
        "layer, dataset, column_name, description, data_type, classification, tags, owner, steward, allowed_values, format, rules, example, "
        + "lineage, version::text, updated_by, updated_at, change"

    public func dictionaryEntries(layer: DictionaryLayer?) throws(StoreError) -> [DictionaryVersion] {
        let entries = relation("dictionary_entry")
        let rows = try work("read the dictionary") { session async throws(PostgresStoreError) in
            try await session.rows(
                "SELECT \(Self.entryColumns) FROM \(entries) \(layer == nil ? "" : "WHERE layer = $1")", layer.map { [$0.rawValue] as [String?] } ?? [])
        }
        var versions: [DictionaryVersion] = []
        for row in rows { versions.append(try Self.entryVersion(row)) }
        return versions.sorted { $0.key < $1.key }
    }

    public func dictionaryEntry(_ key: DictionaryKey) throws(StoreError) -> DictionaryVersion? {
        let entries = relation("dictionary_entry")
        let row = try work("read a dictionary entry") { session async throws(PostgresStoreError) in
            try await session.rows(
                "SELECT \(Self.entryColumns) FROM \(entries) WHERE layer = $1 AND dataset = $2 AND column_name = $3",
                [key.layer.rawValue, key.dataset, key.column]
            ).first
        }
        guard let row else { return nil }
        return try Self.entryVersion(row)
    }

    public func dictionaryVersions(of key: DictionaryKey) throws(StoreError) -> [DictionaryVersion] {
        try versionRows(
            "read dictionary versions",
            "WHERE layer = $1 AND dataset = $2 AND column_name = $3 ORDER BY version", [key.layer.rawValue, key.dataset, key.column])
    }

    public func dictionaryChanges(includingSeed: Bool, limit: Int) throws(StoreError) -> [DictionaryVersion] {
        try versionRows(
            "read dictionary versions",
            "\(includingSeed ? "" : "WHERE version > 1") ORDER BY changed_at DESC, layer DESC, dataset DESC, column_name DESC, version DESC "
                + "LIMIT $1::bigint", [String(limit)])
    }

    /// A table or view of the store's schema with its columns' types, named as the embedded lake declares them
    /// (`INTEGER`, `REAL`, `TEXT`), so both stores seed the same dictionary.
    public func datasetSchema(_ name: String, layer: DictionaryLayer) throws(StoreError) -> DatasetSchema? {
        let rows = try work("read the schema of \(name)") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT c.relkind::text, a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_class c
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                WHERE c.relnamespace = 'cdp'::regnamespace AND c.relname = $1 AND c.relkind IN ('r', 'v', 'p') ORDER BY a.attnum
                """, [name])
        }
        guard let first = rows.first else { return nil }
        return DatasetSchema(
            layer: layer, name: name, isView: first[0] == "v", columns: rows.map { (name: $0[1] ?? "", type: Self.embeddedType($0[2] ?? "")) })
    }

    /// A PostgreSQL column type as the embedded lake's schema declares the same column.
    static func embeddedType(_ type: String) -> String {
        switch type {
        case "bigint", "integer", "smallint", "boolean": "INTEGER"
        case "double precision", "real", "numeric": "REAL"
        case "bytea": "BLOB"
        default: "TEXT"
        }
    }

    /// Up to `limit` values of one column, current rows only where the table keeps history, in id order. A login
    /// without `view_pii` samples the masked view (the engine masks what it shows such a user again).
    public func sampleColumn(dataset: String, column: String, limit: Int) throws(StoreError) -> [String?] {
        let from = relation(dataset)
        let found = try work("sample \(dataset).\(column)") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT a.attname::text FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relnamespace = 'cdp'::regnamespace AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped
                """, [dataset]
            ).compactMap { $0.first ?? nil }
        }
        guard found.contains(column) else { throw StoreError(.notFound, "the lake has no column \(dataset).\(column) to sample") }
        let current = found.contains("is_current") ? "WHERE is_current = 1" : ""
        let order = found.contains("id") ? "ORDER BY id" : ""
        let sql = "SELECT \(PostgresSchema.quoted(column))::text FROM \(from) \(current) \(order) LIMIT $1::bigint"
        return try work("sample \(dataset).\(column)") { session async throws(PostgresStoreError) in
            try await session.rows(sql, [String(limit)]).map { $0.first ?? nil }
        }
    }

    /// Saves each write through `cdp.dictionary_edit`, all in one transaction: the database checks the permission
    /// and the version the engine read, writes the version and the audit row (`dictionary.edit`, in the login
    /// role's name), and rebuilds the masked views a tag change affects.
    /// - Throws: `.conflict` when an entry moved on since it was read; `.notAuthorized` when the database refuses.
    public func saveDictionaryEntries(_ writes: [DictionaryWrite], actor: String, at: String) throws(StoreError) -> [DictionaryVersion] {
        guard !writes.isEmpty else { return [] }
        var calls: [[String?]] = []
        for write in writes {
            let key = write.entry.key
            let values = try Self.editedValues(write.entry)
            calls.append([key.layer.rawValue, key.dataset, key.column, String(write.expectedVersion), values, write.change])
        }
        let attempt = "dictionary.edit " + (writes.count == 1 ? writes[0].entry.key.description : "\(writes.count) entries")
        let edits = calls
        _ = try work("save dictionary entries") { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.stewardActions(
                session, attempt: attempt, "SELECT cdp.dictionary_edit($1, $2, $3, $4::bigint, $5, $6)::text", edits)
        }
        var saved: [DictionaryVersion] = []
        for write in writes {
            guard let version = try dictionaryEntry(write.entry.key) else {
                throw StoreError(.notFound, "the dictionary has no entry \(write.entry.key) after saving it; read it again")
            }
            saved.append(version)
        }
        return saved
    }

    /// Adds the entries the dictionary lacks as version 1 through `cdp.dictionary_seed`, which needs `edit_dictionary`
    /// (or the store's owner, as `cdp init --store` is) and appends `dictionary.seed` whenever it adds one. The audit
    /// row is the database's, always: `audit` is not asked (no caller decides whether a dictionary write is logged).
    public func seedDictionary(_ entries: [DictionaryEntry], actor: String, at: String, change: String, audit: (Int) -> AuditDraft?)
        throws(StoreError) -> Int
    {
        guard !entries.isEmpty else { return 0 }
        var rows: [String] = []
        for entry in entries { rows.append(try Self.editedValues(entry, keyed: true)) }
        let document = "[" + rows.joined(separator: ",") + "]"
        let added = try work("seed the dictionary") { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.stewardAction(
                session, attempt: "dictionary.seed", "SELECT cdp.dictionary_seed($1, $2)::text", [document, change])
        }
        return Int(try integer(added, "the number of dictionary entries seeded"))
    }

    // MARK: Rows

    /// An entry's values as `cdp.dictionary_edit` and `cdp.dictionary_seed` take them: the table's columns, the
    /// lists as their JSON text (as the table keeps them).
    static func editedValues(_ entry: DictionaryEntry, keyed: Bool = false) throws(StoreError) -> String {
        func orNull(_ text: String?) -> Any {
            guard let text else { return NSNull() }
            return text
        }
        let tags = try listText(entry.tags), allowed = try listText(entry.allowedValues), rules = try listText(entry.rules)
        let lineage = try listText(entry.lineage)
        var values: [String: Any] = [
            "description": entry.description, "data_type": entry.dataType, "classification": orNull(entry.classification?.rawValue),
            "tags": tags, "owner": orNull(entry.owner), "steward": orNull(entry.steward), "allowed_values": allowed,
            "format": orNull(entry.format), "rules": rules, "example": orNull(entry.example), "lineage": lineage,
        ]
        if keyed {
            values["layer"] = entry.layer.rawValue
            values["dataset"] = entry.dataset
            values["column_name"] = entry.column
        }
        do {
            return String(decoding: try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys]), as: UTF8.self)
        } catch {
            throw StoreError(.database, "the dictionary entry \(entry.key) cannot be written as JSON", underlying: error)
        }
    }

    private static func listText(_ list: [String]) throws(StoreError) -> String {
        do { return String(decoding: try JSONEncoder().encode(list), as: UTF8.self) } catch {
            throw StoreError(.database, "a dictionary list cannot be written as JSON", underlying: error)
        }
    }

    static func list(_ text: String?, _ what: String) throws(StoreError) -> [String] {
        let text = text ?? "[]"
        do { return try JSONDecoder().decode([String].self, from: Data(text.utf8)) } catch {
            throw StoreError(.database, "\(what) is not a JSON list of text: \(text.prefix(80))", underlying: error)
        }
    }

    /// A row of ``entryColumns`` as the entry's current version.
    static func entryVersion(_ row: [String?]) throws(StoreError) -> DictionaryVersion {
        guard let layer = row[0].flatMap(DictionaryLayer.init(rawValue:)) else {
            throw StoreError(.database, "dictionary_entry has an unknown layer '\(row[0] ?? "NULL")'")
        }
        let name = "\(row[1] ?? "").\(row[2] ?? "")"
        let entry = DictionaryEntry(
            DictionaryKey(layer, row[1] ?? "", row[2] ?? ""), description: row[3] ?? "", dataType: row[4] ?? "",
            classification: row[5].flatMap(DataClassification.init(rawValue:)), tags: try list(row[6], "the tags of \(name)"),
            owner: row[7], steward: row[8], allowedValues: try list(row[9], "the allowed values of \(name)"), format: row[10],
            rules: try list(row[11], "the rules of \(name)"), example: row[12], lineage: try list(row[13], "the lineage of \(name)"))
        return DictionaryVersion(
            entry: entry, version: Int(try integer(row[14], "a dictionary entry's version")), changedBy: row[15] ?? "", changedAt: row[16] ?? "",
            change: row[17] ?? "")
    }

    private func versionRows(_ operation: String, _ clause: String, _ arguments: [String?]) throws(StoreError) -> [DictionaryVersion] {
        let versions = relation("dictionary_version")
        let rows = try work(operation) { session async throws(PostgresStoreError) in
            try await session.rows(
                "SELECT layer, dataset, column_name, version::text, changed_by, changed_at, change, entry FROM \(versions) \(clause)", arguments)
        }
        var result: [DictionaryVersion] = []
        for row in rows {
            guard let layer = row[0].flatMap(DictionaryLayer.init(rawValue:)) else { continue }
            let key = DictionaryKey(layer, row[1] ?? "", row[2] ?? "")
            result.append(
                DictionaryVersion(
                    entry: try Self.storedEntry(row[7], key), version: Int(try integer(row[3], "a dictionary version")), changedBy: row[4] ?? "",
                    changedAt: row[5] ?? "", change: row[6] ?? ""))
        }
        return result
    }

    /// A kept version's entry: as the embedded lake writes it (moved in by `cdp store migrate`), or as the store's
    /// functions write it (the entry's row as JSON, its lists as JSON text).
    /// - Throws: `.notAuthorized` when the version is withheld (a login without `view_pii` reads kept versions
    ///   withheld whole: they may quote a personal example).
    static func storedEntry(_ text: String?, _ key: DictionaryKey) throws(StoreError) -> DictionaryEntry {
        let text = text ?? ""
        if text == PostgresSchema.withheldText {
            throw StoreError(
                .notAuthorized,
                "\(key): the dictionary's kept versions are withheld on the team store without view_pii (they may quote a personal "
                    + "example); `cdp dictionary show` gives the current entry")
        }
        let data = Data(text.utf8)
        if let entry = try? JSONDecoder().decode(DictionaryEntry.self, from: data) { return entry }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StoreError(.database, "a kept version of \(key) is not a dictionary entry: \(text.prefix(80))")
        }
        func string(_ name: String) -> String? { object[name] as? String }
        return DictionaryEntry(
            key, description: string("description") ?? "", dataType: string("data_type") ?? "",
            classification: string("classification").flatMap(DataClassification.init(rawValue:)), tags: try list(string("tags"), "the tags of \(key)"),
            owner: string("owner"), steward: string("steward"), allowedValues: try list(string("allowed_values"), "the allowed values of \(key)"),
            format: string("format"), rules: try list(string("rules"), "the rules of \(key)"), example: string("example"),
            lineage: try list(string("lineage"), "the lineage of \(key)"))
    }
}

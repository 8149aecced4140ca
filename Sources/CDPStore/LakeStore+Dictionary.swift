import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: DictionaryRepository {}

/// The data dictionary: one current entry per (layer, dataset, column) and every version kept. A save
/// writes the entry, its version row and its audit row in one transaction.
extension LakeStore {
    public func hasDictionary() throws(StoreError) -> Bool {
        try read("read the dictionary") { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM dictionary_entry)") ?? false }
    }

    /// The current version of every entry (of one layer), in dictionary order.
    public func dictionaryEntries(layer: DictionaryLayer? = nil) throws(StoreError) -> [DictionaryVersion] {
        try read("read the dictionary") { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM dictionary_entry \(layer == nil ? "" : "WHERE layer = ?")",
                arguments: layer.map { [$0.rawValue] } ?? [])
            return try rows.map(Self.currentEntry).sorted { $0.key < $1.key }
        }
    }

    public func dictionaryEntry(_ key: DictionaryKey) throws(StoreError) -> DictionaryVersion? {
        try read("read a dictionary entry") { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM dictionary_entry WHERE layer = ? AND dataset = ? AND column_name = ?",
                arguments: [key.layer.rawValue, key.dataset, key.column]
            ).map(Self.currentEntry)
        }
    }

    public func dictionaryKeys() throws(StoreError) -> Set<DictionaryKey> {
        try read("read the dictionary") { db in
            var keys = Set<DictionaryKey>()
            let cursor = try Row.fetchCursor(db, sql: "SELECT layer, dataset, column_name FROM dictionary_entry")
            while let row = try cursor.next() {
                guard let layer = DictionaryLayer(rawValue: row[0]) else { continue }
                keys.insert(DictionaryKey(layer, row[1], row[2]))
            }
            return keys
        }
    }

    /// Every entry's key and tags, without the rest: what masking reads each time a masker is made.
    public func dictionaryTags() throws(StoreError) -> [(key: DictionaryKey, tags: [String])] {
        try read("read the dictionary's tags") { db in
            var result: [(key: DictionaryKey, tags: [String])] = []
            let cursor = try Row.fetchCursor(db, sql: "SELECT layer, dataset, column_name, tags FROM dictionary_entry")
            while let row = try cursor.next() {
                guard let layer = DictionaryLayer(rawValue: row[0]) else { continue }
                result.append((DictionaryKey(layer, row[1], row[2]), try Self.decoded([String].self, row[3])))
            }
            return result
        }
    }

    /// Adds the entries whose key the dictionary lacks, as version 1; existing entries (and so every
    /// steward edit) are left alone. `audit` gets the number added and returns the row to log, if any.
    /// - Returns: how many entries were added.
    @discardableResult
    public func seedDictionary(
        _ entries: [DictionaryEntry], actor: String, at: String, change: String, audit: (Int) -> AuditDraft?
    ) throws(StoreError) -> Int {
        try write("seed the dictionary") { db in
            var added = 0
            for entry in entries {
                let exists =
                    try Bool.fetchOne(
                        db, sql: "SELECT EXISTS (SELECT 1 FROM dictionary_entry WHERE layer = ? AND dataset = ? AND column_name = ?)",
                        arguments: [entry.layer.rawValue, entry.dataset, entry.column]) ?? false
                guard !exists else { continue }
                try Self.insertVersion(DictionaryVersion(entry: entry, version: 1, changedBy: actor, changedAt: at, change: change), db)
                added += 1
            }
            if added > 0, let draft = audit(added) { try Self.appendAudit(draft, at: at, db) }
            return added
        }
    }

    /// Saves each entry as its next version, with its audit row, all or nothing.
    /// - Throws: `StoreError.conflict` naming the entry when its version moved on since it was read, and
    ///   `.notFound` for an entry the dictionary does not have.
    @discardableResult
    public func saveDictionaryEntries(_ writes: [DictionaryWrite], actor: String, at: String) throws(StoreError) -> [DictionaryVersion] {
        try write("save dictionary entries") { db in
            var saved: [DictionaryVersion] = []
            for write in writes {
                let key = write.entry.key
                guard
                    let current = try Int.fetchOne(
                        db, sql: "SELECT version FROM dictionary_entry WHERE layer = ? AND dataset = ? AND column_name = ?",
                        arguments: [key.layer.rawValue, key.dataset, key.column])
                else {
                    throw StoreError(.notFound, "the dictionary has no entry \(key) (\(key.layer.rawValue)); see `cdp dictionary list`")
                }
                guard current == write.expectedVersion else {
                    throw StoreError(
                        .conflict,
                        "\(key) changed while you edited it (now version \(current), you started from \(write.expectedVersion)); reload it and edit again"
                    )
                }
                let version = DictionaryVersion(
                    entry: write.entry, version: current + 1, changedBy: actor, changedAt: at, change: write.change)
                try Self.insertVersion(version, db)
                try Self.appendAudit(write.audit, at: at, db)
                saved.append(version)
            }
            return saved
        }
    }

    /// Every version of one entry, oldest first.
    public func dictionaryVersions(of key: DictionaryKey) throws(StoreError) -> [DictionaryVersion] {
        try read("read dictionary versions") { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM dictionary_version WHERE layer = ? AND dataset = ? AND column_name = ? ORDER BY version",
                arguments: [key.layer.rawValue, key.dataset, key.column]
            ).map(Self.storedVersion)
        }
    }

    /// The latest versions across the dictionary, newest first (edits and imports after seeding by default).
    public func dictionaryChanges(includingSeed: Bool = false, limit: Int = 200) throws(StoreError) -> [DictionaryVersion] {
        try read("read dictionary versions") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM dictionary_version \(includingSeed ? "" : "WHERE version > 1")
                    ORDER BY changed_at DESC, rowid DESC LIMIT ?
                    """,
                arguments: [limit]
            ).map(Self.storedVersion)
        }
    }

    /// A table's or view's columns and declared types, in table order; `nil` when the lake has no such dataset.
    public func datasetSchema(_ name: String, layer: DictionaryLayer) throws(StoreError) -> DatasetSchema? {
        try read("read the schema of \(name)") { db in
            guard
                let type = try String.fetchOne(
                    db, sql: "SELECT type FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')", arguments: [name])
            else { return nil }
            let columns = try Row.fetchAll(db, sql: "SELECT name, type FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
                .map { (name: $0["name"] as String, type: ($0["type"] as String?) ?? "") }
            return DatasetSchema(layer: layer, name: name, isView: type == "view", columns: columns)
        }
    }

    /// Up to `limit` values of one column as text (current rows only where the table keeps history), in
    /// row order, so the same lake samples the same values.
    /// - Throws: `StoreError.notFound` when the dataset has no such column.
    public func sampleColumn(dataset: String, column: String, limit: Int) throws(StoreError) -> [String?] {
        try read("sample \(dataset).\(column)") { db in
            let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [dataset])
            guard columns.contains(column) else {
                throw StoreError(.notFound, "the lake has no column \(dataset).\(column) to sample")
            }
            let current = columns.contains("is_current") ? "WHERE is_current = 1" : ""
            let sql = "SELECT \(Self.quoted(column)) FROM \(Self.quoted(dataset)) \(current) LIMIT ?"
            return try Row.fetchAll(db, sql: sql, arguments: [limit]).map { row -> String? in
                let value: DatabaseValue = row[0]
                switch value.storage {
                case .null: return nil
                case .int64(let int): return String(int)
                case .double(let double): return DecimalText.format(double)
                case .string(let text): return text
                case .blob(let data): return "<\(data.count) bytes>"
                }
            }
        }
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    // MARK: Rows

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decoded<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// Writes a version row and makes it the current entry.
    static func insertVersion(_ version: DictionaryVersion, _ db: Database) throws {
        let entry = version.entry
        try db.execute(
            sql: """
                INSERT INTO dictionary_version (layer, dataset, column_name, version, changed_by, changed_at, change, entry)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.layer.rawValue, entry.dataset, entry.column, version.version, version.changedBy, version.changedAt, version.change,
                try jsonText(entry),
            ])
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO dictionary_entry (layer, dataset, column_name, description, data_type, classification, tags,
                    owner, steward, allowed_values, format, rules, example, lineage, version, updated_by, updated_at, change)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.layer.rawValue, entry.dataset, entry.column, entry.description, entry.dataType, entry.classification?.rawValue,
                try jsonText(entry.tags), entry.owner, entry.steward, try jsonText(entry.allowedValues), entry.format,
                try jsonText(entry.rules), entry.example, try jsonText(entry.lineage), version.version, version.changedBy,
                version.changedAt,
                version.change,
            ])
    }

    static func currentEntry(_ row: Row) throws -> DictionaryVersion {
        let layerName: String = row["layer"]
        guard let layer = DictionaryLayer(rawValue: layerName) else {
            throw StoreError(.database, "dictionary_entry has an unknown layer '\(layerName)'")
        }
        let classificationName: String? = row["classification"]
        let entry = DictionaryEntry(
            DictionaryKey(layer, row["dataset"], row["column_name"]), description: row["description"], dataType: row["data_type"],
            classification: classificationName.flatMap(DataClassification.init(rawValue:)), tags: try decoded([String].self, row["tags"]),
            owner: row["owner"], steward: row["steward"], allowedValues: try decoded([String].self, row["allowed_values"]),
            format: row["format"], rules: try decoded([String].self, row["rules"]), example: row["example"],
            lineage: try decoded([String].self, row["lineage"]))
        return DictionaryVersion(
            entry: entry, version: row["version"], changedBy: row["updated_by"], changedAt: row["updated_at"], change: row["change"])
    }

    static func storedVersion(_ row: Row) throws -> DictionaryVersion {
        DictionaryVersion(
            entry: try decoded(DictionaryEntry.self, row["entry"]), version: row["version"], changedBy: row["changed_by"],
            changedAt: row["changed_at"], change: row["change"])
    }
}

import CDPCore
import CDPRepositories
import Foundation

/// The data dictionary on the team store: what masking and access read (whether there is one, its keys and tags).
/// Entries, their history and edits are not served yet (``PostgresUnsupported/dictionary``); stewards edit through
/// `cdp.dictionary_edit`, which checks `edit_dictionary` in the database.
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
            let text = row[3] ?? "[]"
            do {
                result.append((DictionaryKey(layer, row[1] ?? "", row[2] ?? ""), try JSONDecoder().decode([String].self, from: Data(text.utf8))))
            } catch {
                throw StoreError(.database, "the dictionary entry \(row[1] ?? "").\(row[2] ?? "") has tags that are not a JSON list: \(text)", underlying: error)
            }
        }
        return result
    }

    public func dictionaryKeys() throws(StoreError) -> Set<DictionaryKey> {
        Set(try dictionaryTags().map(\.key))
    }

    public func dictionaryEntries(layer: DictionaryLayer?) throws(StoreError) -> [DictionaryVersion] {
        throw PostgresUnsupported.dictionary
    }

    public func dictionaryEntry(_ key: DictionaryKey) throws(StoreError) -> DictionaryVersion? {
        throw PostgresUnsupported.dictionary
    }

    public func dictionaryVersions(of key: DictionaryKey) throws(StoreError) -> [DictionaryVersion] {
        throw PostgresUnsupported.dictionary
    }

    public func dictionaryChanges(includingSeed: Bool, limit: Int) throws(StoreError) -> [DictionaryVersion] {
        throw PostgresUnsupported.dictionary
    }

    public func datasetSchema(_ name: String, layer: DictionaryLayer) throws(StoreError) -> DatasetSchema? {
        throw PostgresUnsupported.dictionary
    }

    public func sampleColumn(dataset: String, column: String, limit: Int) throws(StoreError) -> [String?] {
        throw PostgresUnsupported.dictionary
    }

    public func saveDictionaryEntries(_ writes: [DictionaryWrite], actor: String, at: String) throws(StoreError) -> [DictionaryVersion] {
        throw PostgresUnsupported.dictionary
    }

    public func seedDictionary(_ entries: [DictionaryEntry], actor: String, at: String, change: String, audit: (Int) -> AuditDraft?)
        throws(StoreError) -> Int
    {
        throw PostgresUnsupported.dictionary
    }
}

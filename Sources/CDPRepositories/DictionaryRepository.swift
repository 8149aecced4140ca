import CDPCore

/// The data dictionary: the current entry per (layer, dataset, column) and every version of it.
public protocol DictionaryRepository: Sendable {
    func hasDictionary() throws(StoreError) -> Bool
    /// Every entry's key and tags, without the rest: what masking reads.
    func dictionaryTags() throws(StoreError) -> [(key: DictionaryKey, tags: [String])]
    func dictionaryKeys() throws(StoreError) -> Set<DictionaryKey>
    /// The current version of every entry (of one layer, or all for nil), in dictionary order.
    func dictionaryEntries(layer: DictionaryLayer?) throws(StoreError) -> [DictionaryVersion]
    func dictionaryEntry(_ key: DictionaryKey) throws(StoreError) -> DictionaryVersion?
    func dictionaryVersions(of key: DictionaryKey) throws(StoreError) -> [DictionaryVersion]
    /// The latest versions across the dictionary, newest first (seeding versions only when asked).
    func dictionaryChanges(includingSeed: Bool, limit: Int) throws(StoreError) -> [DictionaryVersion]
    /// A table's or view's columns and declared types, in table order; nil when the lake has no such dataset.
    func datasetSchema(_ name: String, layer: DictionaryLayer) throws(StoreError) -> DatasetSchema?
    /// Up to `limit` values of one column as text (current rows only where the table keeps history), in row
    /// order. - Throws: `StoreError.notFound` when the dataset has no such column.
    func sampleColumn(dataset: String, column: String, limit: Int) throws(StoreError) -> [String?]
    /// Saves new versions of entries, each with its audit row, in one transaction.
    @discardableResult
    func saveDictionaryEntries(_ writes: [DictionaryWrite], actor: String, at: String) throws(StoreError) -> [DictionaryVersion]
    /// Adds the entries whose key the dictionary lacks, as version 1; existing entries are left alone. `audit`
    /// gets the number added and returns the row to log, if any. Returns how many were added.
    @discardableResult
    func seedDictionary(
        _ entries: [DictionaryEntry], actor: String, at: String, change: String, audit: (Int) -> AuditDraft?
    ) throws(StoreError) -> Int
}

extension DictionaryRepository {
    /// The current version of every entry of every layer, in dictionary order.
    public func dictionaryEntries() throws(StoreError) -> [DictionaryVersion] { try dictionaryEntries(layer: nil) }

    /// The latest versions after seeding, newest first.
    public func dictionaryChanges(limit: Int) throws(StoreError) -> [DictionaryVersion] {
        try dictionaryChanges(includingSeed: false, limit: limit)
    }
}

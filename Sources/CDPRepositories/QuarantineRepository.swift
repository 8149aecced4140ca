import CDPCore

/// Records held in quarantine: listing for stewards, their history, and the atomic changes remediation makes.
public protocol QuarantineRepository: Sendable {
    func quarantineRecords(_ filter: QuarantineFilter) throws(StoreError) -> [QuarantineRecord]
    /// The records with these ids, in the order given (ids that do not exist are left out).
    func quarantineRecords(ids: [QuarantineID]) throws(StoreError) -> [QuarantineRecord]
    func quarantineRecord(_ id: QuarantineID) throws(StoreError) -> QuarantineRecord?
    func quarantineCount(_ filter: QuarantineFilter) throws(StoreError) -> Int
    /// Ids of the records matching `filter` (its `limit` and `offset` ignored), in `order`, ties by id.
    func quarantineIDs(_ filter: QuarantineFilter, order: QuarantineOrder, ascending: Bool) throws(StoreError) -> [Int64]
    /// Visits every record's id (ascending) with the text a free-text filter searches, as raw UTF-8;
    /// `rewritingJSON` is applied to each JSON value first (masking).
    func forEachQuarantineSearchText(
        rewritingJSON: ((String) -> String)?, _ body: (Int64, UnsafeBufferPointer<UInt8>) -> Void
    ) throws(StoreError)
    /// Open records per failed rule, most first.
    func openQuarantineByRule() throws(StoreError) -> [(rule: String, count: Int)]
    func quarantineHistory(_ id: QuarantineID) throws(StoreError) -> [QuarantineHistoryEntry]
    /// Where a record was landed, with its text as it stands in the landed file.
    func landedRecord(of id: QuarantineID) throws(StoreError) -> LandedRecord?
    /// Applies a change, with its history and audit rows, if the record is still in `expected` status (and,
    /// given `asRead`, unedited since).
    /// - Throws: `StoreError.conflict` when the record changed meanwhile, `.notFound` when it does not exist.
    func applyQuarantineChange(
        _ id: QuarantineID, expecting expected: QuarantineStatus, asRead: QuarantineRecord?, _ change: QuarantineChange,
        at: String
    ) throws(StoreError)
    /// Marks held records that pass now `fixed` (the revalidate step): each only if it is still open with the fields
    /// and key it was read with, with its history and audit rows.
    /// - Returns: how many were marked; the others were decided or edited meanwhile.
    func markPassingNow(_ passing: [(read: QuarantineRecord, change: QuarantineChange)], at: String) throws(StoreError) -> Int
}

extension QuarantineRepository {
    /// One change (one transaction) a record; a record decided or edited meanwhile is skipped.
    public func markPassingNow(_ passing: [(read: QuarantineRecord, change: QuarantineChange)], at: String) throws(StoreError) -> Int {
        var marked = 0
        for (read, change) in passing {
            do {
                try applyQuarantineChange(read.id, expecting: .open, asRead: read, change, at: at)
                marked += 1
            } catch where error.code == .conflict || error.code == .notFound {
                continue
            }
        }
        return marked
    }

    /// Applies a change if the record is still in `expected` status.
    public func applyQuarantineChange(
        _ id: QuarantineID, expecting expected: QuarantineStatus, _ change: QuarantineChange, at: String
    ) throws(StoreError) {
        try applyQuarantineChange(id, expecting: expected, asRead: nil, change, at: at)
    }
}

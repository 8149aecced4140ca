import CDPCore

/// The gold layer's reads: customer search, the Customer 360 profile, campaigns and the match summary.
public protocol Customer360Repository: Sendable {
    /// How many customers are in the gold layer (0 before the first `gold` step).
    func customer360Count() throws(StoreError) -> Int
    /// The gold rows of these customers (ids without a row left out).
    func customer360(_ ids: [GoldenID]) throws(StoreError) -> [Customer360Row]
    /// The customers of highest lifetime value.
    func topCustomers(limit: Int) throws(StoreError) -> [Customer360Row]
    /// The golden names of the given customers.
    func customerNames(_ ids: [GoldenID]) throws(StoreError) -> [GoldenID: (first: String?, last: String?)]
    /// How many keys the customer search index holds (0 before the first `gold` step).
    func customerSearchKeyCount() throws(StoreError) -> Int
    /// Search keys meeting one looked-up word (exact, prefix, and through name variants), at most `limit`.
    func customerSearchHits(_ lookup: CustomerSearchKeys.Lookup, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)]
    /// Which of `keys` each of `candidates` holds; without candidates, the customers holding any, at most `limit`.
    func customersHolding(keys: [String], among candidates: [GoldenID]?, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)]
    /// The customers holding, for every word, at least one of its keys.
    func customersHoldingAll(_ keySets: [[String]], limit: Int) throws(StoreError) -> [GoldenID]
    /// The names a looked-up word sounds like or is one edit from, with the variant key it met the word by.
    func nameVariants(_ lookup: CustomerSearchKeys.Lookup) throws(StoreError) -> [String: String]
    /// Events per month (`yyyy-MM`) and per channel of the given contacts.
    func engagementSummary(contacts: [SourceRecordID]) throws(StoreError) -> (months: [(String, Int)], channels: [(String, Int)])
    /// The newest `limit` events and orders of the given source records.
    func timeline(contacts: [SourceRecordID], customers: [SourceRecordID], limit: Int) throws(StoreError) -> [TimelineEvent]
    /// Open or fixed quarantined records held under any of the given source keys.
    func openQuarantine(for records: [SourceRecordID]) throws(StoreError) -> [QuarantineRecord]
    /// The audit trail of one golden record and the decisions between its source records, newest first.
    func mergeHistory(of golden: GoldenID, members: [SourceRecordID], limit: Int) throws(StoreError) -> [AuditEntry]
    func campaignPerformance() throws(StoreError) -> [CampaignPerformance]
    func latestMatchSummary() throws(StoreError) -> MatchSummary?
}

extension Customer360Repository {
    /// The newest 100 rows of one golden record's audit trail.
    public func mergeHistory(of golden: GoldenID, members: [SourceRecordID]) throws(StoreError) -> [AuditEntry] {
        try mergeHistory(of: golden, members: members, limit: 100)
    }
}

import CDPCore
import CDPRepositories

/// The features a workspace on the team store does not have yet: every call refuses with `StoreError.unsupported`
/// naming the feature, the commands it serves and what to do, and reads or writes nothing (an empty answer would
/// read as an empty lake).
struct PostgresUnsupported: Sendable {
    static func refusal(_ feature: String, commands: String) -> StoreError {
        StoreError(
            .unsupported,
            "\(feature) is not served by the team store yet, so \(commands) cannot run on a workspace whose cdp.toml names a store. "
                + "Run them on an embedded workspace (`cdp init W --from …` without --store); see README, \"Team store\", for what works on the store")
    }

    static let customer360 = refusal("the gold layer's reads", commands: "`cdp customer`, Customer 360 and analytics")
    static let matchDecisions = refusal(
        "a steward's match decisions", commands: "`cdp candidates approve/reject/undo`, `cdp golden unmerge/override` and the review queue's decisions")
    static let gold = refusal("the gold layer", commands: "the gold step")
    static let query = refusal("SQL over the lake with cdp's own rights (nothing masked)", commands: "`cdp bench customer360`")
}

extension PostgresUnsupported: Customer360Repository {
    func customer360Count() throws(StoreError) -> Int { throw Self.customer360 }
    func customer360(_ ids: [GoldenID]) throws(StoreError) -> [Customer360Row] { throw Self.customer360 }
    func topCustomers(limit: Int) throws(StoreError) -> [Customer360Row] { throw Self.customer360 }
    func customerNames(_ ids: [GoldenID]) throws(StoreError) -> [GoldenID: (first: String?, last: String?)] { throw Self.customer360 }
    func customerSearchHits(_ lookup: CustomerSearchKeys.Lookup, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)] {
        throw Self.customer360
    }
    func customersHolding(keys: [String], among candidates: [GoldenID]?, limit: Int) throws(StoreError) -> [(key: String, golden: GoldenID)] {
        throw Self.customer360
    }
    func customersHoldingAll(_ keySets: [[String]], limit: Int) throws(StoreError) -> [GoldenID] { throw Self.customer360 }
    func nameVariants(_ lookup: CustomerSearchKeys.Lookup) throws(StoreError) -> [String: String] { throw Self.customer360 }
    func engagementSummary(contacts: [SourceRecordID]) throws(StoreError) -> (months: [(String, Int)], channels: [(String, Int)]) {
        throw Self.customer360
    }
    func timeline(contacts: [SourceRecordID], customers: [SourceRecordID], limit: Int) throws(StoreError) -> [TimelineEvent] {
        throw Self.customer360
    }
    func openQuarantine(for records: [SourceRecordID]) throws(StoreError) -> [QuarantineRecord] { throw Self.customer360 }
    func mergeHistory(of golden: GoldenID, members: [SourceRecordID], limit: Int) throws(StoreError) -> [AuditEntry] {
        throw Self.customer360
    }
    func campaignPerformance() throws(StoreError) -> [CampaignPerformance] { throw Self.customer360 }
    func latestMatchSummary() throws(StoreError) -> MatchSummary? { throw Self.customer360 }
}

extension PostgresUnsupported: GoldRepository {
    func rebuildGold(_ sources: GoldSources, run: RunID?, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError) -> GoldCounts {
        throw Self.gold
    }
}

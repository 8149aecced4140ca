// Code that opens the lake sees the types its repositories speak without a second import, as NIO re-exports
// NIOCore.
@_exported import CDPRepositories

// The rows, filters and results the repositories speak live in CDPRepositories, shared by every store;
// these names keep the lake's own code and its tests reading as before.
extension LakeStore {
    public typealias AccessPolicyVersion = CDPRepositories.AccessPolicyVersion
    public typealias AuditDraft = CDPRepositories.AuditDraft
    public typealias AuditFilter = CDPRepositories.AuditFilter
    public typealias BatchCounts = CDPRepositories.BatchCounts
    public typealias CampaignPerformance = CDPRepositories.CampaignPerformance
    public typealias CandidateBatches = CDPRepositories.CandidateBatches
    public typealias CandidateDraft = CDPRepositories.CandidateDraft
    public typealias CandidateRow = CDPRepositories.CandidateRow
    public typealias Customer360Row = CDPRepositories.Customer360Row
    public typealias DictionaryWrite = CDPRepositories.DictionaryWrite
    public typealias GoldCounts = CDPRepositories.GoldCounts
    public typealias GoldSources = CDPRepositories.GoldSources
    public typealias GoldenLink = CDPRepositories.GoldenLink
    public typealias GoldenMembership = CDPRepositories.GoldenMembership
    public typealias GoldenOverride = CDPRepositories.GoldenOverride
    public typealias GoldenRow = CDPRepositories.GoldenRow
    public typealias GoldenWrite = CDPRepositories.GoldenWrite
    public typealias LandedRecord = CDPRepositories.LandedRecord
    public typealias MaskedColumn = CDPRepositories.MaskedColumn
    public typealias MatchSummary = CDPRepositories.MatchSummary
    public typealias MatchWriteSummary = CDPRepositories.MatchWriteSummary
    public typealias PairDecision = CDPRepositories.PairDecision
    public typealias QuarantineChange = CDPRepositories.QuarantineChange
    public typealias QuarantineFilter = CDPRepositories.QuarantineFilter
    public typealias QuarantineOrder = CDPRepositories.QuarantineOrder
    public typealias QueryPolicy = CDPRepositories.QueryPolicy
    public typealias QueryResult = CDPRepositories.QueryResult
    public typealias QueryableDataset = CDPRepositories.QueryableDataset
    public typealias RulePassRate = CDPRepositories.RulePassRate
    public typealias RuleTally = CDPRepositories.RuleTally
    public typealias SourceStatus = CDPRepositories.SourceStatus
    public typealias TaskOutline = CDPRepositories.TaskOutline
    public typealias TimelineEvent = CDPRepositories.TimelineEvent
}

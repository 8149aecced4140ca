import CDPCore

/// What the dashboard, the scorecard and `cdp verify` read of the lake as a whole.
public protocol StatusRepository: Sendable {
    /// Counts per source; `sources` says which entity each source writes. Without `includingScans`, only what
    /// indexes answer (silver history and warnings stay 0).
    func sourceStatuses(_ sources: [(SourceName, CanonicalEntity)], includingScans: Bool) throws(StoreError) -> [SourceStatus]
    /// Pass rate of every rule over every batch ingested so far.
    func rulePassRates() throws(StoreError) -> [RulePassRate]
    /// Overall pass rate of each of the last `limit` runs that had a scorecard, oldest first.
    func passRateTrend(limit: Int) throws(StoreError) -> [(run: RunID, passRate: Double)]
    /// Each source's pass rate over the last `limit` runs with a scorecard, oldest first.
    func passRateTrendBySource(limit: Int) throws(StoreError) -> [(source: String, rates: [(run: RunID, passRate: Double)])]
    /// Writes the scorecard of a run from the rule results of the batches it ingested; returns the rows written.
    /// `shouldStop` is asked while it runs; a yes stops it and keeps nothing.
    @discardableResult
    func recordScorecard(run: RunID, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError) -> Int
    /// Every broken invariant of the lake, named; empty when it is sound. `isAlive` says whether a process id
    /// still runs (a run whose process is gone does not excuse a half-ingested batch).
    func invariantViolations(isAlive: (Int32) -> Bool) throws(StoreError) -> [String]
}

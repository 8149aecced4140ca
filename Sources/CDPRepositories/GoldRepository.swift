import CDPCore

/// The gold layer, built by the pipeline's `gold` step.
public protocol GoldRepository: Sendable {
    /// Rebuilds the gold tables whole from silver, the golden records and quarantine. `shouldStop` is asked while it
    /// runs; a yes stops it and keeps the old layer.
    @discardableResult
    func rebuildGold(_ sources: GoldSources, run: RunID?, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError) -> GoldCounts

    /// Brings the gold tables up to date: a store that knows what changed since the last build rebuilds only the
    /// golden customers (and campaigns and days) whose inputs changed; `full` (or a store that does not know)
    /// rebuilds whole. Either way the layer ends the same, row for row, but for the run that built each row.
    @discardableResult
    func updateGold(_ sources: GoldSources, run: RunID?, full: Bool, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError)
        -> GoldCounts
}

extension GoldRepository {
    /// A store that does not track what changed (the team store today) rebuilds whole.
    @discardableResult
    public func updateGold(_ sources: GoldSources, run: RunID?, full: Bool, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError)
        -> GoldCounts
    {
        var counts = try rebuildGold(sources, run: run, shouldStop: shouldStop)
        // Whole, so the run's log and `cdp bench delta` say so rather than "0 golden customers updated".
        counts.customersRebuilt = counts.customers
        counts.fullBecause = full ? "a full run (--full)" : "this store rebuilds the gold layer whole"
        return counts
    }
}

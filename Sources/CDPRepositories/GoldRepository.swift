import CDPCore

/// The gold layer, rebuilt whole by the pipeline's `gold` step.
public protocol GoldRepository: Sendable {
    /// Rebuilds the gold tables from silver, the golden records and quarantine. `shouldStop` is asked while it
    /// runs; a yes stops it and keeps the old layer.
    @discardableResult
    func rebuildGold(_ sources: GoldSources, run: RunID?, shouldStop: @escaping @Sendable () -> Bool) throws(StoreError) -> GoldCounts
}

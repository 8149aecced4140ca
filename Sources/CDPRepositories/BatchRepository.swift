import CDPCore

/// Landed files (batches) and what ingestion keeps about them. The rows themselves are written by the
/// store's own bulk writer (for the embedded lake, `BatchWriter`), which stays concrete: it runs once per row.
public protocol BatchRepository: Sendable {
    func batch(source: SourceName, sha256: String) throws(StoreError) -> BatchRecord?
    func batch(_ id: BatchID) throws(StoreError) -> BatchRecord?
    /// Batches, oldest first; of one source when given.
    func batches(source: SourceName?) throws(StoreError) -> [BatchRecord]
    /// Records a landed file. The file's SHA-256 is unique per source, so landing the same file twice is refused.
    func createBatch(
        source: SourceName, fileName: String, landedPath: String, sha256: String, bytes: Int64, landedAt: String,
        run: RunID?
    ) throws(StoreError) -> BatchID
    func setBatchState(_ batch: BatchID, _ state: BatchState, run: RunID?, error: String?) throws(StoreError)
    /// Removes every row a batch wrote and restores the silver rows it superseded; the batch goes back to `landed`.
    func discardRows(of batch: BatchID) throws(StoreError)
    /// Marks a batch ingested with its counts and rule tallies, in one transaction.
    func finishBatch(_ batch: BatchID, source: SourceName, run: RunID?, counts: BatchCounts, tallies: [RuleTally]) throws(StoreError)
    /// The content hash of each key's latest landed row for a source: what "unchanged" is judged against.
    func latestContentHashes(source: SourceName, entity: CanonicalEntity) throws(StoreError) -> [String: Int64]
    /// Keys of the current silver rows of a source.
    func currentKeys(source: SourceName, entity: CanonicalEntity) throws(StoreError) -> KeySet
    /// The batch that wrote the current silver row of a key, or nil when the key has none.
    func currentSilverBatch(source: SourceName, entity: CanonicalEntity, key: String) throws(StoreError) -> BatchID?
    /// The batch of the current silver row of each of `keys` that has one.
    func currentSilverBatches(source: SourceName, entity: CanonicalEntity, keys: [String]) throws(StoreError) -> [String: BatchID]
    /// The writer of a batch's rows: chunk by chunk, each chunk atomically (the embedded lake binds prepared
    /// statements; the team store streams COPY). Rows get the next bronze ids of the lake in file order.
    /// - Parameter keepsAttributes: whether silver rows carry `silver_customer.attributes` as their last value.
    func rowWriter(
        batch: BatchID, run: RunID?, source: SourceName, entity: CanonicalEntity, timestamp: String, keepsAttributes: Bool
    ) throws(StoreError) -> any BatchRowWriter
}

/// Writes one batch's rows, a chunk at a time, each chunk atomically with an optional progress event.
public protocol BatchRowWriter: Sendable {
    func write(_ chunk: IngestChunk, event: RunEvent?) throws(StoreError)
    /// Ends a batch whose every chunk is written, before it is marked ingested (the team store builds the indexes
    /// a first load into an empty table left out).
    func finish() throws(StoreError)
    /// Lets go of what the writer holds (a team store's connection); the writer is not used after.
    /// - Throws: what a writer that stopped before ``finish()`` failed to end (a team store's indexes it left out
    ///   of a first load, not built again); its connection is let go of all the same.
    func close() throws(StoreError)
}

extension BatchRepository {
    /// Every batch, oldest first.
    public func batches() throws(StoreError) -> [BatchRecord] { try batches(source: nil) }
}

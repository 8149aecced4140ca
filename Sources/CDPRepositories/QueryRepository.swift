import CDPCore

/// SQL over the lake: a user's, under an access policy.
public protocol QueryRepository: Sendable {
    /// The datasets a user may query or export, and the masked views, sorted by name.
    func queryableDatasets(_ policy: QueryPolicy) throws(StoreError) -> [QueryableDataset]
    /// Runs one read-only statement of user SQL under `policy`, handing its rows over in batches; `header` gets
    /// the column names first, `rows` returns false to stop.
    /// - Throws: `.notAuthorized` naming what the statement may not read, `.conflict` when it would write.
    func userQuery(
        _ sql: String, policy: QueryPolicy, batchSize: Int,
        header: ([String]) throws -> Void, rows body: ([[CellValue]]) throws -> Bool
    ) throws(StoreError)
}

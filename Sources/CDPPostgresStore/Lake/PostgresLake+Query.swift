import CDPCore
import CDPRepositories
import Foundation
import PostgresNIO

/// `cdp query` and `cdp export` on the team store. The database decides what a statement may read: it runs as the
/// user's own login role, on a session of its own, in a `READ ONLY` transaction that is always rolled back, so a
/// user without `view_pii` reads only what the store grants them (the `<relation>_masked` views, no table holding a
/// personal column) and nobody writes, locks a row or takes the audit log's head through a query. The time limit is
/// the server's `statement_timeout`, set again before each batch to what is left of it (a statement cannot lengthen
/// its own); a value longer than ``queryValueLengthLimit`` stops the query, as the embedded lake's does.
extension PostgresLake: QueryRepository {
    /// The longest value a query returns (the embedded lake's limit, 64 MB): a string built by a runaway query fails
    /// the query instead of taking the client's memory.
    static let queryValueLengthLimit = 64 << 20

    public func queryableDatasets(_ policy: QueryPolicy) throws(StoreError) -> [QueryableDataset] {
        let hidden = PostgresAccessPlan.internalRelations.sorted().map(PostgresSchema.literal).joined(separator: ", ")
        let rows = try work("list the datasets a query may read") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT c.relname::text, has_table_privilege(c.oid, 'SELECT')::text,
                    coalesce((SELECT has_table_privilege(m.oid, 'SELECT') FROM pg_class m
                        WHERE m.relnamespace = c.relnamespace AND m.relname = c.relname || '_masked'), false)::text
                FROM pg_class c
                WHERE c.relnamespace = 'cdp'::regnamespace AND c.relkind IN ('r', 'v', 'm', 'p') AND c.relname NOT LIKE '%\\_masked'
                    AND c.relname NOT IN (\(hidden))
                ORDER BY 1
                """)
        }
        var datasets: [QueryableDataset] = []
        for row in rows {
            guard let name = row[0] else { continue }
            let table = row[1] == "true"
            let masked = row[2] == "true"
            guard table || masked else { continue }
            datasets.append(QueryableDataset(name: name, masked: masked ? name + "_masked" : nil, isMaskedView: false))
            if masked { datasets.append(QueryableDataset(name: name + "_masked", masked: nil, isMaskedView: true)) }
        }
        return datasets.sorted { $0.name < $1.name }
    }

    public func userQuery(
        _ sql: String, policy: QueryPolicy, batchSize: Int, header: ([String]) throws -> Void, rows body: ([[CellValue]]) throws -> Bool
    ) throws(StoreError) {
        let query = try UserQuery.open(settings: settings, environment: environment, timeLimit: policy.timeLimit)
        defer { query.close() }
        let columns = try query.start(sql)
        do { try header(columns.map(\.name)) } catch { throw StoreError(.io, "the query's output failed", underlying: error) }
        while true {
            let batch = try query.fetch(max(batchSize, 1), columns: columns)
            if batch.isEmpty { return }
            let more: Bool
            do { more = try body(batch) } catch { throw StoreError(.io, "the query's output failed", underlying: error) }
            if !more || batch.count < batchSize { return }
        }
    }
}

/// One user statement on a session of its own (so nothing it sets outlives it), as a cursor in a `READ ONLY`
/// transaction, fetched in batches from synchronous code.
final class UserQuery: Sendable {
    /// A result column: its name, and how its values come back (PostgreSQL's type, read as the embedded lake would
    /// hold it: integers, reals, text).
    struct Column: Sendable {
        enum Kind: Sendable { case integer, boolean, real, numeric, text }
        var name: String
        var kind: Kind
    }

    let session: PostgresSession
    let deadline: ContinuousClock.Instant?
    let timeLimit: Duration?
    static let cursor = "cdp_user_query"

    private init(session: PostgresSession, timeLimit: Duration?) {
        self.session = session
        self.timeLimit = timeLimit
        self.deadline = timeLimit.map { .now + $0 }
    }

    static func open(settings: PostgresSettings, environment: [String: String], timeLimit: Duration?) throws(StoreError) -> UserQuery {
        do {
            let session = try PostgresBlocking.wait { () async throws(PostgresStoreError) -> PostgresSession in
                let session = try await PostgresSession.connect(settings, environment: environment, applicationName: "cdp query")
                do throws(PostgresStoreError) {
                    try await session.execute("BEGIN TRANSACTION READ ONLY")
                    return session
                } catch {
                    await session.close()
                    throw error
                }
            }
            return UserQuery(session: session, timeLimit: timeLimit)
        } catch {
            throw PostgresLake.storeError(error, doing: "start a query")
        }
    }

    func close() {
        let session = self.session
        _ = try? PostgresBlocking.wait { () async throws(PostgresStoreError) in
            try? await session.execute("ROLLBACK")
            await session.close()
        }
    }

    /// Learns the statement's columns (without running it: the statement joined to one row on a condition that
    /// is never true) and opens the cursor that reads them, each value cast to what it is read as.
    /// - Throws: `.notAuthorized` naming a relation the login may not read and the masked view to read instead;
    ///   `.conflict` for a statement that would write or is not a query; `.interrupted` past the time limit.
    func start(_ sql: String) throws(StoreError) -> [Column] {
        let body = sql.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: ";"))
        let described = try run(sql) { session async throws(PostgresStoreError) -> [Column] in
            try await session.describe("SELECT q.* FROM (VALUES (1)) AS cdp_one(x) LEFT JOIN (\n\(body)\n) AS q ON false")
        }
        let aliases = described.indices.map { "c\($0 + 1)" }
        var selected: [String] = []
        var lengths: [String] = []
        for (alias, column) in zip(aliases, described) {
            switch column.kind {
            case .integer: selected.append("\(alias)::bigint")
            case .boolean: selected.append("\(alias)::int::bigint")
            case .real: selected.append("\(alias)::float8")
            case .numeric, .text:
                selected.append("CASE WHEN octet_length(\(alias)::text) > \(PostgresLake.queryValueLengthLimit) THEN NULL ELSE \(alias)::text END")
                lengths.append("octet_length(\(alias)::text) > \(PostgresLake.queryValueLengthLimit)")
            }
        }
        selected.append(lengths.isEmpty ? "false" : "coalesce(" + lengths.joined(separator: " OR ") + ", false)")
        let from = aliases.isEmpty ? "AS q" : "AS q(\(aliases.joined(separator: ", ")))"
        let declare = "DECLARE \(Self.cursor) NO SCROLL CURSOR FOR SELECT \(selected.joined(separator: ", ")) FROM (\n\(body)\n) \(from)"
        try run(sql) { session async throws(PostgresStoreError) in try await session.execute(declare) }
        return described
    }

    /// The next rows (at most `count`), each value as the column's kind reads it.
    /// - Throws: `.interrupted` past the time limit; `.database` for a value over ``PostgresLake/queryValueLengthLimit``.
    func fetch(_ count: Int, columns: [Column]) throws(StoreError) -> [[CellValue]] {
        let rows = try run(nil) { session async throws(PostgresStoreError) -> [[CellValue]] in
            try await session.cells("FETCH FORWARD \(count) FROM \(Self.cursor)", columns: columns)
        }
        if rows.contains(where: { $0.last == .integer(1) }) {
            throw StoreError(
                .database,
                "a value of the query's result is longer than \(PostgresLake.queryValueLengthLimit >> 20) MB, the most a query returns; "
                    + "select a part of it (substr) or less of it")
        }
        return rows.map { Array($0.dropLast()) }
    }

    /// Runs one step of the query under what is left of its time limit (the server's `statement_timeout`, set
    /// anew each time: a statement may change it for later ones, never for itself), and tells its refusals apart.
    private func run<T: Sendable>(_ sql: String?, _ step: @escaping @Sendable (PostgresSession) async throws(PostgresStoreError) -> T)
        throws(StoreError) -> T
    {
        let session = self.session
        var milliseconds: Int64 = 0
        if let deadline, let timeLimit {
            let left = deadline - .now
            guard left > .zero else { throw interrupted(nil, timeLimit) }
            milliseconds = max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
        }
        let timeout = milliseconds
        do {
            return try PostgresBlocking.wait { () async throws(PostgresStoreError) -> T in
                try await session.execute("SET LOCAL statement_timeout = \(timeout)")
                return try await step(session)
            }
        } catch {
            throw refusal(error, sql: sql)
        }
    }

    private func interrupted(_ error: PostgresStoreError?, _ limit: Duration) -> StoreError {
        StoreError(
            .interrupted,
            "the query was stopped after \(limit.components.seconds) s, its time limit; "
                + "narrow it (a WHERE, a LIMIT, fewer joins) or, if it must run longer, ask an admin to raise "
                + "`[query] time_limit_seconds` in cdp.toml",
            underlying: error)
    }

    /// The server's refusal as the engine tells it apart: a missing privilege (naming the masked view to read
    /// instead), a write, the time limit; any other error as the server said it.
    private func refusal(_ error: PostgresStoreError, sql: String?) -> StoreError {
        switch error.sqlState {
        case "57014":
            return interrupted(error, timeLimit ?? .zero)
        case "42501":
            return StoreError(.notAuthorized, denial(error.message), cause: error)
        case "25006":
            return StoreError(.conflict, "queries over the lake are read-only; the statement would change the lake (\(error.message))", cause: error)
        case "0A000" where error.message.contains("data-modifying"):
            return StoreError(.conflict, "queries over the lake are read-only; the statement would change the lake (\(error.message))", cause: error)
        case "42601":
            if let sql, let word = sql.split(whereSeparator: { !$0.isLetter }).first.map({ $0.lowercased() }),
                !["select", "values", "table", "with"].contains(word)
            {
                return StoreError(
                    .conflict,
                    "only a query (SELECT, VALUES, TABLE or WITH … SELECT) runs over the lake, and the statement is \(word.uppercased()): "
                        + "queries are read-only (export a dataset with cdp export)",
                    cause: error)
            }
            return StoreError(.database, "the team store refused the query: \(error.message)", cause: error)
        default:
            return PostgresLake.storeError(error, doing: "run the query")
        }
    }

    /// "permission denied for table silver_customer" as the user meets it: the relation, why, and the masked view.
    private func denial(_ message: String) -> String {
        guard let match = message.firstMatch(of: /permission denied for (?:table|view|materialized view) "?([^"\s]+)"?/) else {
            return "the database refused the query: \(message)"
        }
        let relation = String(match.1)
        let masked = relation + "_masked"
        let session = self.session
        let readable = (try? PostgresBlocking.wait { () async throws(PostgresStoreError) -> Bool in
            try? await session.execute("ROLLBACK")
            return try await session.rows("SELECT coalesce(has_table_privilege(to_regclass($1), 'SELECT'), false)::text", ["cdp." + masked])
                .first?.first == "true"
        }) ?? false
        guard readable else {
            return "the database refused to read \(relation) (\(message)): it is not a dataset this login may query"
        }
        return "the database refused to read \(relation) (\(message)): it holds personal columns, which this login reads only "
            + "masked; query \(masked) instead (the same rows, personal values masked)"
    }
}

extension PostgresSession {
    /// The columns a statement returns (it must return one row): names and how their values are read.
    func describe(_ sql: String) async throws(PostgresStoreError) -> [UserQuery.Column] {
        do {
            var columns: [UserQuery.Column] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: PostgresBindings()), logger: logger) {
                columns = row.map { cell in UserQuery.Column(name: cell.columnName, kind: Self.kind(of: cell.dataType)) }
            }
            return columns
        } catch {
            throw Self.wrap(error, doing: "query")
        }
    }

    /// A query's rows, each value decoded as its column's kind (the last column: whether a value was too long).
    func cells(_ sql: String, columns: [UserQuery.Column]) async throws(PostgresStoreError) -> [[CellValue]] {
        do {
            var rows: [[CellValue]] = []
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: PostgresBindings()), logger: logger) {
                var values: [CellValue] = []
                values.reserveCapacity(columns.count + 1)
                for (index, cell) in row.enumerated() {
                    guard cell.bytes != nil else {
                        values.append(.null)
                        continue
                    }
                    if index == columns.count {
                        values.append(try cell.decode(Bool.self) ? .integer(1) : .integer(0))
                        continue
                    }
                    switch columns[index].kind {
                    case .integer, .boolean: values.append(.integer(try cell.decode(Int64.self)))
                    case .real: values.append(.real(try cell.decode(Double.self)))
                    case .text: values.append(.text(try cell.decode(String.self)))
                    case .numeric:
                        let text = try cell.decode(String.self)
                        if let integer = Int64(text) {
                            values.append(.integer(integer))
                        } else if let real = Double(text), real.isFinite {
                            values.append(.real(real))
                        } else {
                            values.append(.text(text))
                        }
                    }
                }
                rows.append(values)
            }
            return rows
        } catch {
            throw Self.wrap(error, doing: "query")
        }
    }

    /// How a PostgreSQL type's values read in a query's result: integers and reals as numbers (booleans as 0 and
    /// 1, as SQLite holds them), numerics as the number they are, everything else as its text.
    static func kind(of type: PostgresDataType) -> UserQuery.Column.Kind {
        switch type {
        case .int2, .int4, .int8: return .integer
        case .bool: return .boolean
        case .float4, .float8: return .real
        case .numeric: return .numeric
        default: return .text
        }
    }
}

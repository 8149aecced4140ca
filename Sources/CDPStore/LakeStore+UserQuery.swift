import CDPCore
import CDPRepositories
import Foundation
import GRDB
import GRDBSQLite

extension LakeStore: QueryRepository {}

/// User SQL (`cdp query`, `cdp export`) runs on a connection of its own, opened read-only for the one
/// statement, on which SQLite's authorizer decides what the statement may read: every column it reads, in the
/// result, a condition, a join, an order, a grouping, a subquery, through a view, a CTE or a compound select,
/// is reported before the statement runs, so what a user may see is decided from what SQLite reads, never
/// from the words of the SQL.
///
/// For a user without `view_pii` the lake's tables cannot even be named: the connection's `main` is an empty
/// database in memory and the lake is attached read-only under a schema name made afresh for the connection.
/// Each dataset's name is a temp view (temp objects come first when SQLite resolves a name) reading it through
/// an inner view that masks or withholds its personal columns, from the policy of the moment (so a column the
/// dictionary tagged a minute ago is masked). So a read SQLite forgets to report to the authorizer (SQLite
/// 3.40 reports none of the columns a `USING` or `NATURAL` join compares or merges) still sees masked values
/// only. On top of that the authorizer refuses a statement that reads a personal column of a dataset, so the
/// user learns to read its `<dataset>_masked` view, and any read of the attached lake not made through the
/// inner views. The inner views' names hold the secret too, so a CTE named like a masked view gains nothing.
/// The secret shows in `sqlite_temp_master`, but only to a statement already prepared: a query cannot use what
/// it reads as a name, and the next statement gets a connection with another secret.
extension LakeStore {
    /// The suffix of the masked view of each dataset holding personal data.
    public static let maskedViewSuffix = "_masked"

    /// The longest text or blob a user's query may make: 64 MB.
    static let queryValueLengthLimit: Int32 = 64 << 20
    /// The longest text `pii_mask`/`pii_mask_json` mask (no lake value comes near it); a longer one reads as withheld,
    /// so a statement cannot spend seconds of Swift per row on a document it built, between two looks at the clock.
    static let maskedValueLengthLimit = 1 << 20

    private static let readOnlyMessage = "queries over the lake are read-only; the statement would change the lake"

    /// Whether SQLite refused to prepare a statement because it writes a view (which a dataset's name is for a
    /// user without `view_pii`).
    private static func writesADatasetView(_ error: DatabaseError) -> Bool {
        guard error.resultCode == .SQLITE_ERROR, let message = error.message else { return false }
        return message.hasPrefix("cannot modify ") && message.hasSuffix(" because it is a view")
    }

    /// The SQL functions masked views use; user SQL may call them too, since they only take information away.
    /// `pii_mask(value, 'PII.Email')` masks a value as a kind; `pii_mask_json(text)` masks a JSON document's
    /// personal members and withholds any other text.
    public static let maskFunctionNames = ["pii_mask", "pii_mask_json"]

    /// Runs one read-only statement of user SQL under `policy` and hands its rows over in batches, each value
    /// with the storage class SQLite gave it. `header` gets the column names first; `rows` returns false to stop.
    /// - Throws: `.notAuthorized` naming the personal column (or function, PRAGMA, table) the statement reads
    ///   and the masked view to read instead; `.conflict` when the statement would write; `.database` for SQL
    ///   SQLite refuses; whatever `header` or `rows` throw, wrapped.
    public func userQuery(
        _ sql: String, policy: QueryPolicy, batchSize: Int = 4096,
        header: ([String]) throws -> Void, rows body: ([[CellValue]]) throws -> Bool
    ) throws(StoreError) {
        try withQueryConnection(policy) { db, session in
            let statement: Statement
            do {
                statement = try session.authorized(db) { try db.makeStatement(sql: sql) }
            } catch let error as StoreError {
                throw error
            } catch let error as DatabaseError where Self.writesADatasetView(error) {
                // Without view_pii a dataset's name is a view, and SQLite refuses a write to a view while
                // preparing it, before the authorizer is asked: the same refusal as any other write.
                throw StoreError(.conflict, Self.readOnlyMessage, underlying: error)
            } catch {
                throw StoreError.wrapping(error, "query")
            }
            guard statement.isReadonly else {
                throw StoreError(.conflict, Self.readOnlyMessage)
            }
            let count = statement.columnCount
            try header(statement.columnNames)
            var batch: [[CellValue]] = []
            batch.reserveCapacity(batchSize)
            let cursor = try session.authorized(db) { try Row.fetchCursor(statement) }
            while let row = try session.authorized(db, { try cursor.next() }) {
                batch.append(
                    (0..<count).map { index in
                        let value: DatabaseValue = row[index]
                        switch value.storage {
                        case .null: return .null
                        case .int64(let int): return .integer(int)
                        case .double(let double): return .real(double)
                        case .string(let text): return .text(text)
                        case .blob(let data): return .text("<\(data.count) bytes>")
                        }
                    })
                if batch.count == batchSize {
                    guard try body(batch) else { return }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { _ = try body(batch) }
        }
    }

    /// The lake's tables and views a user may query or export, and the masked views, sorted by name
    /// (SQLite's and GRDB's own left out).
    public func queryableDatasets(_ policy: QueryPolicy) throws(StoreError) -> [QueryableDataset] {
        try withQueryConnection(policy) { _, session in session.datasets }
    }

    /// Opens the lake read-only for one user statement, sets up the masked views and the authorizer, and
    /// runs `body`; the connection is closed after.
    private func withQueryConnection<T>(_ policy: QueryPolicy, _ body: (Database, QuerySession) throws -> T) throws(StoreError) -> T {
        guard let path else { throw StoreError(.cannotOpen, "user queries need a lake on disk; this one is in memory") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(30)
        // Opened as every reading command opens the lake, so a query works on a lake no one may write.
        let lake = try Self.openReadOnly(path: path, configuration: configuration)
        let root = workspaceRoot
        let deadline = QueryDeadline()
        do {
            let queue: DatabaseQueue
            let schema = QuerySession.makeSecret()
            if policy.readsPersonalData {
                queue = lake
            } else {
                var memory = Configuration()
                memory.busyMode = .timeout(30)
                queue = try DatabaseQueue(configuration: memory)
                // The name the lake opened under, read-only whichever it is (immutable where no one may write it).
                let name = lake.path.hasPrefix("file:") ? lake.path + "&mode=ro" : Self.uri(path) + "?mode=ro"
                try queue.inDatabase { db in try db.execute(sql: "ATTACH DATABASE ? AS \"\(schema)\"", arguments: [name]) }
            }
            return try queue.inDatabase { db in
                let session = try QuerySession(db, policy: policy, workspaceRoot: root, secret: schema, deadline: deadline)
                session.install(on: db)
                defer { sqlite3_set_authorizer(db.sqliteConnection, nil, nil) }
                // No value a query makes may outgrow this (SQLite's default is a billion bytes): a string built
                // by a runaway recursion fails early instead of taking the machine's memory.
                sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_LENGTH, Self.queryValueLengthLimit)
                if let limit = policy.timeLimit { deadline.start(limit, on: db) }
                defer { deadline.stop(on: db) }
                return try withExtendedLifetime(session) { try body(db, session) }
            }
        } catch {
            if deadline.passed, let limit = policy.timeLimit {
                throw StoreError(
                    .interrupted,
                    "the query was stopped after \(limit.components.seconds) s, its time limit; "
                        + "narrow it (a WHERE, a LIMIT, fewer joins) or, if it must run longer, ask an admin to raise "
                        + "`[query] time_limit_seconds` in cdp.toml",
                    underlying: error)
            }
            throw StoreError.wrapping(error, "query")
        }
    }
}

/// One user statement's connection: its secret, masked views, functions and the authorizer's decisions.
private final class QuerySession {
    let policy: LakeStore.QueryPolicy
    /// Made for this connection; names the inner views whose reads are the masked views' own.
    let secret: String
    var innerPrefix: String { "cdp_\(secret)_" }
    /// The schema the lake is read from: attached under the secret for a user without `view_pii`, else `main`.
    let lakeSchema: String
    /// Lower-cased names of the lake's own views, whose reads of the attached lake are allowed when they are
    /// read through an inner view.
    private(set) var lakeViews: Set<String> = []
    /// Lower-cased names of the lake's datasets (its tables and views, not SQLite's or GRDB's own): the only
    /// tables of the attached lake any read may reach, whichever view or CTE SQLite says it is made through.
    private(set) var lakeDatasets: Set<String> = []
    /// The name `landed_text` has on this connection (user SQL can call neither name).
    var landedFunction: String { "cdp_\(secret)_landed_text" }
    /// `dataset.column` (lower-cased) → the dataset and column as named, for columns that are not `.show`.
    private(set) var personal: [String: (dataset: String, column: String)] = [:]
    /// Lower-cased names of what a statement may read without `view_pii`.
    static let temporarySchemaTables: Set<String> = ["sqlite_temp_master", "sqlite_temp_schema"]
    private(set) var readable: Set<String> = [
        "sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema", "json_each", "json_tree",
    ]
    private(set) var datasets: [LakeStore.QueryableDataset] = []
    /// Why the statement was refused: the first denial.
    private(set) var denial: StoreError?

    /// PRAGMAs that describe the schema and nothing else.
    static let allowedPragmas: Set<String> = [
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo", "foreign_key_list",
        "collation_list", "function_list", "module_list", "pragma_list",
    ]

    /// Functions no query may call: they read or write files or load code.
    static let refusedFunctions: Set<String> = ["landed_text", "load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"]

    /// A name no one can guess, made afresh for each connection.
    static func makeSecret() -> String {
        "cdp_lake_" + (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
    }

    /// Columns that tell about a record's content without showing it: its length and offset (how long its
    /// personal values are), withheld like personal columns in a dataset holding a personal column; and the
    /// unsalted hash of the whole landed record, with which a masked value is found again by hashing guesses of
    /// it with the record's other, known fields (a birth date in ~22k guesses), withheld in every dataset.
    static let lengthColumns: Set<String> = ["record_length", "record_offset"]
    static let contentHashColumn = "content_hash"
    /// The audit chain's hashes: each is SHA-256 over its row's real before/after/reason with every other field of
    /// the row shown, so a masked value is found again by hashing guesses of it. Withheld without `view_pii`
    /// (verifying the chain needs it anyway).
    static let chainHashColumns: [String: Set<String>] = ["audit_log": ["hash", "previous_hash"], "workflow_run": ["audit_head"]]

    init(_ db: Database, policy: LakeStore.QueryPolicy, workspaceRoot: String?, secret: String, deadline: QueryDeadline) throws {
        self.policy = policy
        self.secret = secret
        lakeSchema = policy.readsPersonalData ? "main" : secret
        readable.formUnion(Self.allowedPragmas.map { "pragma_\($0)" })
        let masker = policy.masker, withheld = policy.withheld, longest = LakeStore.maskedValueLengthLimit
        // The progress handler looks at the clock between virtual-machine steps; a call of these Swift functions is
        // one step, so each looks too, and refuses once the statement's time is up.
        db.add(
            function: DatabaseFunction("pii_mask", argumentCount: 2, pure: true) { arguments in
                try deadline.checkInFunction()
                guard let value = String.fromDatabaseValue(arguments[0]) else { return arguments[0].isNull ? nil : arguments[0] }
                guard value.utf8.count <= longest else { return withheld }
                let kind = String.fromDatabaseValue(arguments[1]).flatMap(PIIKind.init(tag:)) ?? .other
                return PIIMasker.mask(value, as: kind)
            })
        db.add(
            function: DatabaseFunction("pii_mask_json", argumentCount: 1, pure: true) { arguments in
                try deadline.checkInFunction()
                guard !arguments[0].isNull else { return nil }
                // Only a JSON object or array is masked member by member; any other text (a bare JSON string or
                // number too: a phone number reads as one) may be a personal value itself, and is withheld.
                guard let text = String.fromDatabaseValue(arguments[0]), text.utf8.count <= longest,
                    let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "["
                else { return withheld }
                return masker.isActive ? (masker.json(text) ?? withheld) : text
            })
        // Registered for the lake's own bronze_row view, which the schema compiles when a statement names it.
        db.add(function: LakeStore.landedTextFunction(root: workspaceRoot))
        db.add(function: LakeStore.landedTextFunction(root: workspaceRoot, name: landedFunction))
        try createViews(db)
    }

    /// The masked views, and `bronze_row` again in temp (where unqualified names look first) reading landed
    /// files through this connection's own name for `landed_text`.
    private func createViews(_ db: Database) throws {
        let objects = try Row.fetchAll(
            db,
            sql: """
                SELECT type, name FROM \(quoted(lakeSchema)).sqlite_master WHERE type IN ('table', 'view')
                    AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'grdb\\_%' ESCAPE '\\' ORDER BY name
                """)
        let landedRows = LakeSchema.landedRows(raw: true, function: landedFunction, schema: lakeSchema)
        let shadowed = lakeSchema != "main"
        if !shadowed { try db.execute(sql: "CREATE TEMP VIEW bronze_row AS \(landedRows)") }
        var views: [String] = []
        for object in objects {
            let name: String = object["name"]
            if (object["type"] as String) == "view" { lakeViews.insert(name.lowercased()) }
            lakeDatasets.insert(name.lowercased())
            readable.insert(name.lowercased())
            let columns = try String.fetchAll(
                db, sql: "SELECT name FROM pragma_table_info(?, ?) ORDER BY cid", arguments: [name, lakeSchema])
            var treatments = columns.map { policy.column(name, $0) }
            let holdsPersonalData = treatments.contains { $0 != .show }
            let chainHashes = policy.readsPersonalData ? [] : Self.chainHashColumns[name.lowercased()] ?? []
            for (index, column) in columns.enumerated()
            where column.lowercased() == Self.contentHashColumn || (holdsPersonalData && Self.lengthColumns.contains(column.lowercased()))
                || chainHashes.contains(column.lowercased())
            {
                treatments[index] = .withhold
            }
            for (column, treatment) in zip(columns, treatments) where treatment != .show {
                personal["\(name).\(column)".lowercased()] = (name, column)
            }
            let isMasked = treatments.contains(where: { $0 != .show })
            let masked = name + LakeStore.maskedViewSuffix
            let inner = innerPrefix + name
            let source = name == "bronze_row" ? "(\(landedRows))" : "\(quoted(lakeSchema)).\(quoted(name))"
            guard isMasked || shadowed else {
                datasets.append(.init(name: name, masked: nil, isMaskedView: false))
                continue
            }
            let selected = zip(columns, treatments).map { column, treatment in
                let value = quoted(column)
                switch treatment {
                case .show: return value
                case .mask(let kind): return "pii_mask(\(value), '\(kind.rawValue)') AS \(value)"
                case .maskJSON: return "pii_mask_json(\(value)) AS \(value)"
                case .withhold: return "CASE WHEN \(value) IS NULL THEN NULL ELSE \(literal(policy.withheld)) END AS \(value)"
                }
            }
            try db.execute(sql: "CREATE TEMP VIEW \(quoted(inner)) AS SELECT \(selected.joined(separator: ", ")) FROM \(source)")
            // Without view_pii the dataset's own name reads the masked columns too: the authorizer refuses a
            // read of them it sees, and one it does not see (a USING join's) reads masked values.
            if shadowed { try db.execute(sql: "CREATE TEMP VIEW \(quoted(name)) AS SELECT * FROM \(quoted(inner))") }
            readable.insert(inner.lowercased())
            guard isMasked else {
                datasets.append(.init(name: name, masked: nil, isMaskedView: false))
                continue
            }
            try db.execute(sql: "CREATE TEMP VIEW \(quoted(masked)) AS SELECT * FROM \(quoted(inner))")
            readable.insert(masked.lowercased())
            datasets.append(.init(name: name, masked: masked, isMaskedView: false))
            views.append(masked)
        }
        datasets += views.map { .init(name: $0, masked: nil, isMaskedView: true) }
        datasets.sort { $0.name < $1.name }
    }

    /// Installs the authorizer on the connection (it replaces GRDB's, which this connection does not need).
    func install(on db: Database) {
        let callback:
            @convention(c) (
                UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                UnsafePointer<CChar>?
            ) -> Int32 = { context, action, first, second, database, inner in
                guard let context else { return SQLITE_DENY }
                return Unmanaged<QuerySession>.fromOpaque(context).takeUnretainedValue()
                    .authorize(
                        action, first.map { String(cString: $0) }, second.map { String(cString: $0) },
                        database.map { String(cString: $0) }, inner.map { String(cString: $0) })
            }
        sqlite3_set_authorizer(db.sqliteConnection, callback, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Runs a step of the statement (preparing, or a step that re-prepares it after a schema change), throwing
    /// the authorizer's reason when it refused.
    func authorized<T>(_ db: Database, _ step: () throws -> T) throws -> T {
        do {
            return try step()
        } catch {
            if let denial { throw denial }
            throw error
        }
    }

    /// The authorizer: `SQLITE_OK` or `SQLITE_DENY` for one action SQLite is about to compile.
    /// - Parameters:
    ///   - database: the schema of the table read (`SQLITE_READ`).
    ///   - inner: the innermost view (or CTE) responsible for the action, nil at the statement's top.
    private func authorize(_ action: Int32, _ first: String?, _ second: String?, _ database: String?, _ inner: String?) -> Int32 {
        let byMaskedView = inner?.hasPrefix(innerPrefix) == true
        switch action {
        case SQLITE_SELECT, SQLITE_RECURSIVE:
            return SQLITE_OK
        case SQLITE_READ:
            guard !policy.readsPersonalData else { return SQLITE_OK }
            if database == lakeSchema {
                // SQLite names a CTE as the view a read is made through, so a CTE named like one of the lake's views
                // passes the check below: whatever it reads must at least be one of the lake's datasets.
                guard let table = first?.lowercased(), lakeDatasets.contains(table) else {
                    return deny(
                        .notAuthorized, "the statement reads \(first ?? "?"), which is not one of the lake's datasets; query the datasets by name")
                }
                // The attached lake is read through the inner views only (and, inside them, by the lake's own views).
                // SQLite also reports a table a statement reads no column of (`count(*)`) with an empty column name
                // and no view, even when a view read it: that reads no value.
                guard byMaskedView || second == "" || inner.map({ lakeViews.contains($0.lowercased()) }) == true
                else {
                    return deny(
                        .notAuthorized,
                        "the statement reads the lake's tables other than through the datasets' names; query the datasets by name")
                }
                return SQLITE_OK
            }
            guard !byMaskedView, let table = first?.lowercased() else { return SQLITE_OK }
            // The temporary schema's SQL names this statement's secret and how its masked views are made.
            if Self.temporarySchemaTables.contains(table), second?.lowercased() == "sql" {
                return deny(.notAuthorized, "the definitions of this connection's temporary views are withheld without view_pii; read their names")
            }
            guard readable.contains(table) else {
                return deny(
                    .notAuthorized,
                    "the statement reads \(first ?? "?"), which is not a table or view of the lake; queries read the lake's datasets and their \(LakeStore.maskedViewSuffix) views"
                )
            }
            if let column = second, let named = personal["\(table).\(column.lowercased())"] {
                return deny(.notAuthorized, personalMessage(named, through: inner))
            }
            return SQLITE_OK
        case SQLITE_FUNCTION:
            let name = second?.lowercased() ?? ""
            if name == landedFunction.lowercased() {
                guard policy.readsPersonalData || byMaskedView else {
                    return deny(.notAuthorized, personalMessage(("bronze_row", "raw"), through: nil))
                }
                return SQLITE_OK
            }
            if Self.refusedFunctions.contains(name) {
                let instead =
                    name == "landed_text"
                    ? "; each landed row's text is bronze_row.raw (bronze_row\(LakeStore.maskedViewSuffix) without view_pii)" : ""
                return deny(.notAuthorized, "the function \(name) reads files or loads code and cannot be called from a query\(instead)")
            }
            return SQLITE_OK
        case SQLITE_PRAGMA:
            let name = first?.lowercased() ?? ""
            guard Self.allowedPragmas.contains(name) else {
                return deny(
                    .notAuthorized,
                    "PRAGMA \(name) cannot be run from a query; queries may use \(Self.allowedPragmas.sorted().joined(separator: ", "))")
            }
            return SQLITE_OK
        case SQLITE_UPDATE where first == "sqlite_master" || first == "sqlite_temp_master":
            // Declaring an eponymous virtual table (json_each, pragma_table_info) on first use: not a write
            // of the statement, which must still be read-only.
            return SQLITE_OK
        case SQLITE_ATTACH, SQLITE_DETACH:
            return deny(.notAuthorized, "ATTACH and DETACH cannot be run from a query; queries read this lake only")
        default:
            return deny(.conflict, "queries over the lake are read-only; the statement would change the lake or its connection")
        }
    }

    private func personalMessage(_ named: (dataset: String, column: String), through inner: String?) -> String {
        let dataset =
            inner.flatMap { view in datasets.first { !$0.isMaskedView && $0.name.caseInsensitiveCompare(view) == .orderedSame } }?.name
            ?? named.dataset
        let via = dataset == named.dataset ? "" : " (through the view \(dataset))"
        return """
            the statement reads the personal column \(named.dataset).\(named.column)\(via) — in its result, a condition, a join, \
            an order or a grouping alike; query \(dataset)\(LakeStore.maskedViewSuffix) instead, where personal values are masked
            """
    }

    private func deny(_ code: StoreError.Code, _ message: String) -> Int32 {
        if denial == nil { denial = StoreError(code, message) }
        return SQLITE_DENY
    }

    private func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
    private func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
}

/// A user statement's time limit: SQLite's progress handler looks at the clock every so many virtual-machine steps
/// and interrupts the statement once the limit has passed.
// Unchecked: it is read and written only on the thread running the statement (SQLite calls the progress handler
// and the statement's functions there), never concurrently.
private final class QueryDeadline: @unchecked Sendable {
    private var end: ContinuousClock.Instant?
    private(set) var passed = false

    /// For a function the statement calls: throws SQLite's interrupt once the limit has passed.
    func checkInFunction() throws {
        guard let end, ContinuousClock.now >= end else { return }
        passed = true
        throw DatabaseError(resultCode: .SQLITE_INTERRUPT, message: "interrupted: the statement's time limit has passed")
    }

    func start(_ limit: Duration, on db: Database) {
        end = .now + limit
        let context = Unmanaged.passUnretained(self).toOpaque()
        sqlite3_progress_handler(db.sqliteConnection, LakeStore.stopCheckInterval, { context in
            guard let context else { return 0 }
            let deadline = Unmanaged<QueryDeadline>.fromOpaque(context).takeUnretainedValue()
            guard let end = deadline.end, ContinuousClock.now >= end else { return 0 }
            deadline.passed = true
            return 1
        }, context)
    }

    func stop(on db: Database) {
        sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
    }
}

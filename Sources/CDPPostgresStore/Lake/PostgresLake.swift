import CDPCore
import CDPRepositories
import Foundation
import Synchronization

/// A workspace's lake on the team store: the engine's repositories (``repositories``) over one session logged in
/// as the person running `cdp`. Who that is comes from the server (``user`` is `current_user`), never `$USER`.
public final class PostgresLake: Sendable {
    public let settings: PostgresSettings
    /// The role the server logged in: the identity every action is recorded and authorised under.
    public let user: String
    let session: PostgresSession
    let environment: [String: String]
    /// The workspace folder, where the landed files stay (`lake/landing/`); nil when none was given.
    let workspaceRoot: String?
    /// One statement or transaction at a time on the session: a transaction is the connection's, so two threads
    /// of the engine (a run's tasks) must not interleave their statements in one.
    private let gate = Mutex(())
    /// The session holding the store's run lock while a run of this process goes on (``takeStoreRunLock()``).
    let runLock = Mutex<PostgresSession?>(nil)
    /// The relations this login may not read but whose `<relation>_masked` view it may: read through the view
    /// (``relation(_:as:)``). The database's own privileges decide (a role without `view_pii` has none on a table
    /// holding personal columns), read once at login.
    let maskedRelations: Set<String>

    init(
        settings: PostgresSettings, user: String, session: PostgresSession, environment: [String: String], workspaceRoot: String?,
        maskedRelations: Set<String>
    ) {
        self.maskedRelations = maskedRelations
        self.workspaceRoot = workspaceRoot
        self.settings = settings
        self.user = user
        self.session = session
        self.environment = environment
    }

    /// Logs in to the team store at `address` (`postgresql://…`, a socket folder or `service=NAME`; never with a
    /// password) and checks that its schema is installed.
    /// - Parameter osUser: the kernel's user, the login role when the address names none (peer authentication).
    /// - Throws: `.cannotOpen` when the address cannot be read or the server refuses the login, `.schemaOutdated`
    ///   when the database holds no team store yet or an older one (naming the command that installs it).
    /// - Parameter requiringEveryMigration: false to open a store that lacks some of this release's migrations (an
    ///   upgrade, which installs them before anything else reads it).
    public static func open(
        _ address: String, environment: [String: String], osUser: String, workspaceRoot: String? = nil, requiringEveryMigration: Bool = true
    ) throws(StoreError) -> PostgresLake {
        let lake: PostgresLake
        do {
            lake = try PostgresBlocking.wait { () async throws(PostgresStoreError) -> PostgresLake in
                let settings = try PostgresSettings.parse(address, environment: environment, osUser: osUser)
                let session = try await PostgresSession.connect(settings, environment: environment)
                do throws(PostgresStoreError) {
                    let user = try await session.currentUser()
                    try await session.execute("SET search_path = cdp")
                    let masked = try await session.rows(Self.maskedRelationsQuery).compactMap { $0.first ?? nil }
                    return PostgresLake(
                        settings: settings, user: user, session: session, environment: environment, workspaceRoot: workspaceRoot,
                        maskedRelations: Set(masked))
                } catch {
                    await session.close()
                    throw error
                }
            }
        } catch {
            throw storeError(error, doing: "open the team store")
        }
        let installed = try lake.installedMigrations()
        let missing = PostgresSchema.migrations.map(\.name).filter { !installed.contains($0) }
        guard missing.isEmpty || (!requiringEveryMigration && !installed.isEmpty) else {
            lake.close()
            throw StoreError(
                .schemaOutdated,
                "the team store at \(lake.settings) \(installed.isEmpty ? "is not installed" : "lacks migrations \(missing.joined(separator: ", "))"); "
                    + "an admin installs or upgrades it with `cdp access apply -w WORKSPACE --store \(address)`")
        }
        return lake
    }

    /// The lake's relations the session's role may not SELECT while it may SELECT their masked view.
    static let maskedRelationsQuery = """
        SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'cdp' AND c.relkind IN ('r', 'v', 'm', 'p') AND NOT has_table_privilege(c.oid, 'SELECT')
            AND has_table_privilege(to_regclass(format('cdp.%I', c.relname || '_masked')), 'SELECT')
        ORDER BY 1
        """

    /// Whether this login reads `relation` through its masked view (it lacks `view_pii`).
    func readsMasked(_ relation: String) -> Bool { maskedRelations.contains(relation) }

    /// The relation as a `FROM` item this login may read (see ``ReadableRelations``).
    func relation(_ name: String, as alias: String? = nil) -> String { readable(name, as: alias) }

    /// ``relation(_:as:)`` as a value a statement built inside a session's closure can use.
    var readable: ReadableRelations { ReadableRelations(masked: maskedRelations) }

    /// The schema migrations the store has applied (through a function every role may call).
    private func installedMigrations() throws(StoreError) -> Set<String> {
        do {
            return Set(try work("read the store's schema version") { session async throws(PostgresStoreError) in
                try await session.rows("SELECT unnest(cdp.installed_migrations())").compactMap { $0.first ?? nil }
            })
        } catch where error.code == .database {
            // No function: a store installed before it (pg7) or none at all.
            return []
        }
    }

    /// This lake as the engine uses it: one repository per feature.
    public var repositories: LakeRepositories {
        LakeRepositories(
            runs: self, batches: self, audit: self, accessPolicy: self, dictionary: self, quarantine: self, status: self,
            customer360: self, matching: self, gold: self, query: self, workClaims: self, changes: self)
    }

    deinit {
        releaseStoreRunLock()
        close()
    }

    /// Logs out (a run lock this session held is released with it).
    public func close() {
        let session = self.session
        _ = try? PostgresBlocking.wait { () async throws(PostgresStoreError) in await session.close() }
    }

    /// Runs `body` on the lake's session, alone, and waits for it.
    /// - Throws: the store's error as a `StoreError` whose cause is the `PostgresStoreError` (SQLSTATE and all).
    func work<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (PostgresSession) async throws(PostgresStoreError) -> T)
        throws(StoreError) -> T
    {
        let session = self.session
        do {
            return try gate.withLock { _ throws(PostgresStoreError) -> T in
                try PostgresBlocking.wait { () async throws(PostgresStoreError) -> T in try await body(session) }
            }
        } catch {
            throw Self.storeError(error, doing: operation)
        }
    }

    /// Runs `body` in one transaction on the lake's session.
    func transaction<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresSession) async throws(PostgresStoreError) -> T
    ) throws(StoreError) -> T {
        try work(operation) { session async throws(PostgresStoreError) -> T in try await session.transaction(body) }
    }

    /// A team store error as every store reports it: the code told apart, the server's message and SQLSTATE in the
    /// message, the error itself kept as the cause.
    static func storeError(_ error: PostgresStoreError, doing operation: String) -> StoreError {
        let code: StoreError.Code
        switch error.code {
        case .forbidden: code = .notAuthorized
        case .conflict, .busy: code = .conflict
        case .notFound: code = .notFound
        case .connection, .invalidSettings, .passwordInConfiguration, .credentials: code = .cannotOpen
        case .database, .verification: code = .database
        }
        let state = error.sqlState.map { " (SQLSTATE \($0))" } ?? ""
        return StoreError(code, "cannot \(operation) on the team store: \(error.message)\(state)", cause: error)
    }
}

extension PostgresSession {
    /// The first value of the first row, or nil.
    func value(_ sql: String, _ arguments: [String?] = []) async throws(PostgresStoreError) -> String? {
        try await rows(sql, arguments).first?.first ?? nil
    }
}

/// Text a column read as (`bigint` cast to text) as a number; a value that is not one is the store's fault.
func integer(_ text: String?, _ what: String) throws(StoreError) -> Int64 {
    guard let text, let value = Int64(text) else {
        throw StoreError(.database, "the team store returned \(text.map { "'\($0)'" } ?? "NULL") for \(what), which is not a number")
    }
    return value
}

func optionalInteger(_ text: String?, _ what: String) throws(StoreError) -> Int64? {
    guard let text else { return nil }
    return try integer(text, what)
}

/// The lake's relations as `FROM` items a login may read: `cdp.<relation>`, or its masked view under the relation's
/// own name (or the alias given) when the role may not read the table, so the same SQL serves every role.
struct ReadableRelations: Sendable {
    let masked: Set<String>

    func callAsFunction(_ name: String, as alias: String? = nil) -> String {
        guard masked.contains(name) else { return "cdp.\(name)" + (alias.map { " \($0)" } ?? "") }
        return "cdp.\(name)_masked \(alias ?? name)"
    }
}

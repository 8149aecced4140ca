import CDPCore
import CDPPostgresStore
import CDPRepositories
import Dispatch
import Foundation
import Synchronization

/// `governance/access.toml` and the data dictionary's tags, compiled for a team store on PostgreSQL, where the
/// database itself enforces them (``PostgresAccessPlan``).
extension Workspace {
    /// Columns holding a source's extra attributes (a JSON object): on a team store every member is masked, also
    /// one whose name the dictionary of the last apply did not know, as attributes are personal by default.
    static let attributeColumns: Set<String> = ["silver_customer.attributes"]

    /// The plan for a policy and a dictionary: the same personal columns, JSON and free-text columns as
    /// `cdp query`'s masked views (``maskedColumn(dataset:column:personalData:masker:)``), extra attributes
    /// masked member by member whatever their names (``attributeColumns``).
    public static func teamStoreAccessPlan(policy: AccessPolicy, personalData: PersonalDataMap) throws(EngineError) -> PostgresAccessPlan {
        let masker = PIIMasker(columns: personalData.columns)
        do {
            return try PostgresAccessPlan(
                policy: policy, personalColumns: personalData.columns,
                masking: { dataset, column -> PostgresAccessPlan.ColumnMasking in
                    if Workspace.attributeColumns.contains("\(dataset).\(column)") { return .maskAttributes }
                    switch Workspace.maskedColumn(dataset: dataset, column: column, personalData: personalData, masker: masker) {
                    case .show: return .show
                    case .mask(let kind): return .mask(kind)
                    case .maskJSON: return .maskJSON
                    case .withhold: return .withhold
                    }
                },
                isFixed: { dataset, column in
                    let key = "\(dataset).\(column)"
                    return Workspace.dictionaryTextColumns.contains(key) || Workspace.freeTextColumns.contains(key)
                })
        } catch {
            throw EngineError.teamStore(error)
        }
    }

    /// The access policy of a workspace living on a team store: its `governance/access.toml` as it is (the
    /// database enforces what `cdp access apply --store` last compiled from it; the engine decides from the same
    /// file). Without the file the engine leaves every decision to the database's roles.
    /// - Throws: `.invalidConfiguration` for a bad file.
    static func teamStoreAccessPolicy(root: URL) throws(EngineError) -> AccessPolicy {
        let file = root.appendingPathComponent(accessPath)
        guard FileManager.default.fileExists(atPath: file.path) else { return .unrestricted }
        return try ConfigurationLoader.access(tomlText: readText(file, label: accessPath), file: file.path)
    }

    /// What applying the access file to a team store did.
    public struct TeamStoreAccessReport: Sendable {
        /// The role the store logged in (who the `access.apply` audit row names).
        public var appliedBy: String
        /// The schema's migrations applied first (all of them on an empty database, none once installed).
        public var migrations: [String]
        public var statements: Int
        public var summary: String
        /// What the access file asks that the team store does not do, and why (`default_role`, for one).
        public var notes: [String]
    }

    /// Applies this workspace's access file and dictionary to the team store at `address` (`postgresql://…`,
    /// a socket folder or `service=NAME`; never with a password): the schema first where it is missing or behind
    /// (``PostgresTeamStore/install(_:)``), then group roles, memberships, grants and masked views, in one
    /// transaction, audited there as `access.apply` by the role the server logged in.
    /// - Throws: `.forbidden` when the role may not manage roles there; `.busy` when a session's open transaction
    ///   kept it waiting (named, with what to do); `.store` when the store cannot be reached.
    public func applyAccess(toTeamStore address: String, lockTimeout: Duration = .seconds(5)) throws(EngineError) -> TeamStoreAccessReport {
        let plan = try Self.teamStoreAccessPlan(policy: accessPolicy, personalData: personalData)
        return try Self.withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            let user = try await session.currentUser()
            let migrations = try await PostgresTeamStore.install(session)
            let applied = try await PostgresTeamStore.applyAccess(plan, session, lockTimeout: lockTimeout)
            return TeamStoreAccessReport(
                appliedBy: user, migrations: migrations, statements: applied.statements.count, summary: applied.summary,
                notes: applied.notes)
        }
    }

    /// Everything that says the team store's audit log was tampered with (``PostgresTeamStore/auditChainProblems(_:)``),
    /// read as the role the server logs in: the kernel's user by default, never `$USER`.
    /// - Throws: `.forbidden` for a role that may not read the audit log (one without `view_pii`); `.store` when the
    ///   store cannot be reached.
    public static func teamStoreAuditProblems(_ address: String, identity: OSIdentity = .current) throws(EngineError) -> [String] {
        try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.auditChainProblems(session)
        }
    }

    /// Who holds the team store's run lock, or nil.
    /// - Throws: `.forbidden` for a role without `run_workflows` or `act_as`.
    public static func teamStoreRunLockHolder(_ address: String, identity: OSIdentity = .current) throws(EngineError) -> String? {
        try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.runLockHolder(session)
        }
    }

    /// Breaks the team store's run lock (``PostgresTeamStore/breakRunLock(_:reason:)``), audited there as
    /// `run.unlock` by the role the server logged in.
    /// - Returns: who held it.
    /// - Throws: `.notFound` when nobody holds it; `.forbidden` without `act_as`.
    public static func breakTeamStoreRunLock(_ address: String, reason: String, identity: OSIdentity = .current) throws(EngineError)
        -> String
    {
        try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.breakRunLock(session, reason: reason)
        }
    }

    /// A session logged in to a team store, as an admin sees it (``teamStoreSessions(_:identity:)``).
    public struct TeamStoreSession: Sendable, Hashable {
        public var pid: Int
        public var login: String
        public var program: String
        public var state: String
        /// When its open transaction began (ISO 8601, UTC); empty when it has none.
        public var transactionSince: String
        /// What it holds of the store: `the run lock`, `the audit log's head`, relations it has locked.
        public var holds: [String]
    }

    /// The sessions logged in to the team store (but this one), oldest open transaction first, with what each holds
    /// (``PostgresTeamStore/sessions(_:)``): who keeps an audited change or a dictionary edit waiting.
    /// - Throws: `.forbidden` without `act_as`; `.store` when the store cannot be reached.
    public static func teamStoreSessions(_ address: String, identity: OSIdentity = .current) throws(EngineError) -> [TeamStoreSession] {
        try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.sessions(session).map {
                TeamStoreSession(
                    pid: $0.pid, login: $0.login, program: $0.program, state: $0.state, transactionSince: $0.transactionSince, holds: $0.holds)
            }
        }
    }

    /// An admin's request to end a session or break the run lock with no end recorded (``teamStoreRequestsLeft(_:identity:)``).
    public typealias TeamStoreRequestLeft = PostgresTeamStore.AdminRequestLeft

    /// The admin requests of the team store with no end recorded (``PostgresTeamStore/requestsLeft(_:)``): an admin's cdp
    /// stopped between the two steps of `cdp store end-session` or `cdp runs unlock`, or the second step was rolled back.
    /// - Throws: `.forbidden` without `act_as`; `.store` when the store cannot be reached.
    public static func teamStoreRequestsLeft(_ address: String, identity: OSIdentity = .current) throws(EngineError) -> [TeamStoreRequestLeft] {
        try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.requestsLeft(session)
        }
    }

    /// Ends one session of the team store (``PostgresTeamStore/endSession(_:pid:reason:)``), audited there as
    /// `session.end` by the role the server logged in.
    /// - Returns: the session as the audit row names it.
    /// - Throws: `.forbidden` without `act_as`; `.notFound` for a pid that is no session of the store; `.busy` when
    ///   it could not be ended and recorded.
    public static func endTeamStoreSession(_ address: String, pid: Int, reason: String, identity: OSIdentity = .current) throws(EngineError)
        -> String
    {
        try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.endSession(session, pid: pid, reason: reason)
        }
    }

    /// What every login of a team store's server (PUBLIC) may do in one of its databases.
    public struct TeamStoreExposure: Sendable, Hashable {
        public var database: String
        public var isStore: Bool
        /// `CONNECT`, `TEMPORARY`, `CREATE` as PUBLIC holds them on the database.
        public var databasePrivileges: [String]
        /// Whether PUBLIC may create objects in its `public` schema; nil when it could not be looked at (`unchecked`).
        public var createInPublicSchema: Bool?
        public var unchecked: String?
        /// Whether every login can make something there (temporary tables, schemas, objects).
        public var canCreate: Bool
    }

    /// What every login of the team store's server may do in each of its databases
    /// (``PostgresTeamStore/publicExposure(_:environment:)``), and the one line the cluster's admin runs to close
    /// the databases the team store does not own (nil when none is open).
    public static func teamStorePublicExposure(_ address: String, identity: OSIdentity = .current) throws(EngineError)
        -> (databases: [TeamStoreExposure], fix: String?)
    {
        let exposures = try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.publicExposure(session)
        }
        let databases = exposures.map {
            TeamStoreExposure(
                database: $0.database, isStore: $0.isStore, databasePrivileges: $0.databasePrivileges,
                createInPublicSchema: $0.createInPublicSchema, unchecked: $0.unchecked, canCreate: $0.canCreate)
        }
        return (databases, PostgresTeamStore.publicExposureFix(exposures))
    }

    /// Who holds every lake of the team store's server through the owner role (``PostgresTeamStore/ownerExposure(_:)``):
    /// the databases where it owns a schema, and its members who are not superusers. Shared when both are more
    /// than none and one: such a member reads every lake's personal data and can rewrite every lake's audit log.
    public static func teamStoreOwnerExposure(_ address: String, identity: OSIdentity = .current) throws(EngineError)
        -> (databases: [String], members: [String], revocation: String)
    {
        let exposure = try withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            try await PostgresTeamStore.ownerExposure(session)
        }
        return (exposure.databases, exposure.members, exposure.revocation)
    }

    /// Logs in to the team store at `address` as the role the server authenticates (the kernel's user by default,
    /// never `$USER`), runs `body` and logs out, however it ends.
    static func withTeamStore<T: Sendable>(
        _ address: String, identity: OSIdentity, _ body: @escaping @Sendable (PostgresSession) async throws(PostgresStoreError) -> T
    ) throws(EngineError) -> T {
        let osUser = identity.user
        return try teamStore { () async throws(PostgresStoreError) -> T in
            let settings = try PostgresSettings.parse(address, environment: ProcessInfo.processInfo.environment, osUser: osUser)
            let session = try await PostgresSession.connect(settings)
            do throws(PostgresStoreError) {
                let value = try await body(session)
                await session.close()
                return value
            } catch {
                await session.close()
                throw error
            }
        }
    }

    /// Runs team store work from synchronous code (the CLI), waiting for it.
    static func teamStore<T: Sendable>(_ body: @escaping @Sendable () async throws(PostgresStoreError) -> T) throws(EngineError) -> T {
        do {
            return try PostgresBlocking.wait(body)
        } catch {
            throw EngineError.teamStore(error)
        }
    }
}

extension EngineError {
    /// A team store error as the CLI presents it: its code told apart (forbidden, busy, a lost race), its message
    /// and the server's SQLSTATE kept, and the error itself as the cause.
    public static func teamStore(_ error: PostgresStoreError) -> EngineError {
        let code: Code
        switch error.code {
        case .invalidSettings, .passwordInConfiguration, .credentials: code = .invalidConfiguration
        case .forbidden: code = .forbidden
        case .conflict: code = .refused
        case .busy: code = .busy
        case .notFound: code = .notFound
        case .verification: code = .verification
        case .connection, .database: code = .store
        }
        var engineError = EngineError(code, error.message + (error.sqlState.map { " (SQLSTATE \($0))" } ?? ""))
        engineError.cause = error
        return engineError
    }
}

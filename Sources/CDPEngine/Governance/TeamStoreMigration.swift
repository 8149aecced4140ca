import CDPCore
import CDPPostgresStore
import CDPRepositories
import CDPStore
import Foundation

extension Workspace {
    /// What moving the lake into a team store did.
    public struct TeamStoreMigrationReport: Sendable {
        /// The role the store logged in (who the `store.migrate` audit row names).
        public var migratedBy: String
        /// The schema's migrations applied first.
        public var migrations: [String]
        /// Each table of the team store and the rows copied into it, in the order copied.
        public var tables: [TableCount]
        /// The lake's audit chain as it was copied: its rows and its head's hash.
        public var auditRows: Int64
        public var auditHead: String

        public struct TableCount: Sendable, Hashable {
            public var table: String
            public var rows: Int
        }
    }

    /// Moves this workspace's lake into the team store at `address`: installs the schema where it is missing, then
    /// copies every table the two share (silver, quarantine, candidates, golden records, gold, runs, the dictionary,
    /// the audit chain, …) with COPY in one transaction (``PostgresTeamStore/migrate(_:into:batchSize:)``), while
    /// holding the lake's run lock so no run writes meanwhile. The chain goes on unbroken in the store: its last
    /// row is a `store.migrate` row that follows the lake's head. Then run `cdp access apply --store`.
    /// - Throws: `.forbidden` without `view_pii` (it copies every personal value, audited); `.verification` when
    ///   the lake's own audit chain is broken (nothing copied); `.busy` while a run holds the lake; `.refused` when
    ///   the store already holds a lake; `.store` when it cannot be reached or refuses the copy (nothing copied).
    public func migrate(toTeamStore address: String, as environment: Environment, batchSize: Int = 5000) throws(EngineError)
        -> TeamStoreMigrationReport
    {
        guard let store = embeddedLake else {
            throw EngineError(
                .refused,
                "\(root.path) already lives on a team store (\(configuration.storeAddress ?? "its cdp.toml's [store]")); "
                    + "`cdp store migrate` moves an embedded lake, so name a workspace whose cdp.toml has no [store]")
        }
        try authorize(.viewPII, environment, attempt: "store.migrate")
        let lock = try RunLock.acquire(
            in: lakeFolder,
            for: RunLock.Holder(workflow: "store.migrate", actor: environment.user, trigger: "migrate", startedAt: environment.timestamp))
        defer { lock.release() }
        let problems = try reader(for: environment).auditChainProblems()
        guard problems.isEmpty else {
            throw EngineError(
                .verification, "the lake's audit chain is broken, so it was not moved (see `cdp audit verify`):", details: problems)
        }
        let source = try storeCall { () throws(StoreError) -> PostgresTeamStore.LakeSource<LakeStore.ExportPosition> in
            var tables: [String: [String]] = [:]
            for table in try store.tableNames() { tables[table] = try store.columnNames(of: table) }
            var hashing: [Int64: Int64] = [:]
            if tables["audit_hashing"] != nil {
                for row in try store.query("SELECT version, first_id FROM audit_hashing").rows {
                    if let version = row[0].flatMap({ Int64($0) }), let first = row[1].flatMap({ Int64($0) }) { hashing[version] = first }
                }
            }
            let nextBronze =
                tables["id_sequence"] == nil
                ? nil
                : try store.query("SELECT next_id FROM id_sequence WHERE name = 'bronze_row'").rows.first?.first?.flatMap { Int64($0) }
            return PostgresTeamStore.LakeSource(tables: tables, auditHashing: hashing, nextBronzeID: nextBronze) {
                table, columns, position throws(PostgresStoreError) in
                do throws(StoreError) {
                    return try store.exportRows(of: table, columns: columns, after: position, limit: batchSize)
                } catch {
                    throw PostgresStoreError(.database, "reading the lake's \(table) failed: \(error.message)", underlying: error)
                }
            }
        }
        let report = try Self.withTeamStore(address, identity: identity) { session async throws(PostgresStoreError) in
            let user = try await session.currentUser()
            let migrations = try await PostgresTeamStore.install(session)
            let migration = try await PostgresTeamStore.migrate(source, into: session, batchSize: batchSize)
            let problems = try await PostgresTeamStore.auditChainProblems(session)
            guard problems.isEmpty else {
                throw PostgresStoreError(
                    .verification, "the team store's audit chain does not verify after the move: " + problems.joined(separator: "; "))
            }
            return TeamStoreMigrationReport(
                migratedBy: user, migrations: migrations,
                tables: migration.tables.map { TeamStoreMigrationReport.TableCount(table: $0.name, rows: $0.rows) },
                auditRows: migration.auditRows, auditHead: migration.auditHead)
        }
        // The whole lake, personal data included, left for another server: recorded in the lake it left too (the
        // store's chain records it as its own `store.migrate`), once the copy is committed there.
        let settings = try? PostgresSettings.parse(address, environment: ProcessInfo.processInfo.environment, osUser: identity.user)
        let draft = AuditDraft(
            actor: environment.user, action: "store.migrate", target: settings.map { "\($0)" } ?? "a team store",
            after: "copied to the team store as \(report.migratedBy): \(report.tables.reduce(0) { $0 + $1.rows }) rows of "
                + "\(report.tables.filter { $0.rows > 0 }.count) tables, the audit chain to \(report.auditRows) rows")
        do {
            try appendAuditEvenIfReadOnly(draft, at: environment.timestamp)
        } catch {
            var failure = EngineError(
                .store, "the lake was copied into the team store, but its own audit log could not record it (store.migrate): \(error.message)")
            failure.cause = error
            throw failure
        }
        return report
    }
}

import Foundation

extension PostgresTeamStore {
    /// What PUBLIC — every login role of the server — may do in one database of the cluster.
    public struct PublicExposure: Hashable, Sendable {
        public var database: String
        /// Whether this is the team store's own database.
        public var isStore: Bool
        /// Database privileges PUBLIC holds: `CONNECT`, `TEMPORARY`, `CREATE` (schemas).
        public var databasePrivileges: [String]
        /// Whether PUBLIC may create objects in the database's `public` schema; nil when it could not be looked at.
        public var createInPublicSchema: Bool?
        /// Why the schema could not be looked at (the database refused this login).
        public var unchecked: String?

        /// Whether a login of the server can make or keep anything there (temporary tables, schemas, objects).
        public var canCreate: Bool {
            databasePrivileges.contains("TEMPORARY") || databasePrivileges.contains("CREATE") || createInPublicSchema == true
        }
    }

    /// What PUBLIC may do in every database of the cluster that accepts connections: the team store's own (which
    /// ``install(_:)`` and ``applyAccess(_:_:lockTimeout:statementTimeout:)`` close) and the others, which the team
    /// store does not own and leaves to the cluster's admin (`postgres` and `template1` let every login connect and
    /// make temporary tables unless revoked). A database's `public` schema is looked at by logging in to it as the
    /// same role; a database that refuses the login is reported as not looked at.
    public static func publicExposure(_ session: PostgresSession, environment: [String: String] = ProcessInfo.processInfo.environment)
        async throws(PostgresStoreError) -> [PublicExposure]
    {
        let own = try await session.rows("SELECT current_database()::text").first?.first ?? nil
        var exposures: [PublicExposure] = []
        for row in try await session.rows(
            """
            SELECT datname::text,
                concat_ws(',', CASE WHEN has_database_privilege('public', oid, 'CONNECT') THEN 'CONNECT' END,
                    CASE WHEN has_database_privilege('public', oid, 'TEMPORARY') THEN 'TEMPORARY' END,
                    CASE WHEN has_database_privilege('public', oid, 'CREATE') THEN 'CREATE' END)
            FROM pg_database WHERE datallowconn ORDER BY datname
            """)
        {
            guard let database = row[0] else { continue }
            let privileges = (row[1] ?? "").split(separator: ",").map(String.init)
            var exposure = PublicExposure(database: database, isStore: database == own, databasePrivileges: privileges)
            let inside: PostgresSession
            if database == own {
                inside = session
            } else {
                var settings = session.settings
                settings.database = database
                do throws(PostgresStoreError) {
                    inside = try await PostgresSession.connect(settings, environment: environment, applicationName: "cdp access check")
                } catch {
                    exposure.unchecked = error.message
                    exposures.append(exposure)
                    continue
                }
            }
            let create = try? await inside.rows(
                "SELECT has_schema_privilege('public', n.oid, 'CREATE')::text FROM pg_namespace n WHERE n.nspname = 'public'")
            if database != own { await inside.close() }
            if let create {
                exposure.createInPublicSchema = create.first?.first == "true"
            } else {
                exposure.unchecked = "its public schema could not be read"
            }
            exposures.append(exposure)
        }
        return exposures
    }

    /// The one line the cluster's admin runs to close the databases the team store does not own: a `psql` per
    /// database, each name quoted for SQL and then for the shell, since anyone with CREATEDB chooses the names
    /// and the admin runs this as the superuser.
    public static func publicExposureFix(_ exposures: [PublicExposure]) -> String? {
        let open = exposures.filter { !$0.isStore && ($0.canCreate || $0.databasePrivileges.contains("CONNECT")) }.map(\.database)
        guard !open.isEmpty else { return nil }
        return open.map { database in
            let sql = "REVOKE CONNECT, TEMPORARY, CREATE ON DATABASE \(PostgresSchema.quoted(database)) FROM PUBLIC; "
                + "REVOKE CREATE ON SCHEMA public FROM PUBLIC"
            return "psql -U postgres -d \(shellQuoted(database)) -c \(shellQuoted(sql))"
        }.joined(separator: " && ")
    }

    /// One shell word whatever the text holds: single quotes, each `'` written `'\''`.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension PostgresTeamStore {
    /// Who, through the owner role, holds every lake of the server (F10): ``PostgresSchema/owner`` is one role per
    /// server and owns the `cdp` schema of each lake on it, so a member of it who is not a superuser reads every
    /// lake's personal data and can rewrite every lake's audit log, not only the one they were made an admin of.
    public struct OwnerExposure: Hashable, Sendable {
        /// The databases of the server in which the owner role owns a schema (each a lake), sorted.
        public var databases: [String]
        /// The roles that are members of the owner role, directly or through another role, and are not superusers.
        public var members: [String]
        /// Those of ``members`` granted the owner role directly (revoking theirs takes the others out too).
        public var directMembers: [String]

        /// Whether a member who is not a superuser holds more than one lake through it.
        public var isShared: Bool { databases.count > 1 && !members.isEmpty }

        /// The statements that take the members out, for a superuser to run (each name quoted for SQL).
        public var revocation: String {
            directMembers.map { "REVOKE \(PostgresSchema.owner) FROM \(PostgresSchema.quoted($0))" }.joined(separator: "; ")
        }
    }

    /// ``OwnerExposure`` from the server's shared catalogs (readable by every login): the owner's schemas by
    /// database (`pg_shdepend`), its members (`pg_auth_members`, followed through nested roles).
    public static func ownerExposure(_ session: PostgresSession) async throws(PostgresStoreError) -> OwnerExposure {
        let row =
            try await session.rows(
                """
                WITH RECURSIVE owner AS (SELECT oid FROM pg_roles WHERE rolname = $1),
                members(oid) AS (
                    SELECT m.member FROM pg_auth_members m JOIN owner o ON m.roleid = o.oid
                    UNION SELECT m.member FROM pg_auth_members m JOIN members ON m.roleid = members.oid)
                SELECT
                    (SELECT coalesce(json_agg(name ORDER BY name), '[]')::text FROM (SELECT DISTINCT d.datname::text AS name
                        FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid JOIN owner o ON s.refobjid = o.oid
                        WHERE s.refclassid = 'pg_authid'::regclass AND s.classid = 'pg_namespace'::regclass AND s.deptype = 'o') t),
                    (SELECT coalesce(json_agg(r.rolname::text ORDER BY r.rolname::text), '[]')::text
                        FROM members JOIN pg_roles r ON r.oid = members.oid WHERE NOT r.rolsuper),
                    (SELECT coalesce(json_agg(r.rolname::text ORDER BY r.rolname::text), '[]')::text
                        FROM pg_auth_members m JOIN owner o ON m.roleid = o.oid JOIN pg_roles r ON r.oid = m.member WHERE NOT r.rolsuper)
                """, [PostgresSchema.owner]
            ).first ?? []
        // Names as JSON arrays: a database's or role's name may hold any character, a comma or a line break too.
        func list(_ index: Int) throws(PostgresStoreError) -> [String] {
            guard index < row.count, let text = row[index] else { return [] }
            do {
                return try JSONDecoder().decode([String].self, from: Data(text.utf8))
            } catch {
                throw PostgresStoreError(.database, "the server's list of the owner role's databases or members could not be read", underlying: error)
            }
        }
        return OwnerExposure(databases: try list(0), members: try list(1), directMembers: try list(2))
    }
}

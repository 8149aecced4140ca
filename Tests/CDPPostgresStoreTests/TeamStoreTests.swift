import CDPCore
import CDPPostgresStore
import Foundation
import Testing

/// The team store on a real PostgreSQL server (one private cluster per test process). Serialized: group roles
/// and login roles are the cluster's, shared by every test database.
@Suite(.enabled(if: PostgresTestCluster.enabled), .serialized)
struct TeamStoreTests {
    // MARK: Logging in

    /// Identity is the server's: the superuser by peer authentication (no password anywhere), sam by SCRAM with
    /// the password from the password file; `current_user`, whatever `$USER` says.
    @Test func identityIsTheRoleTheServerLoggedIn() async throws {
        let fixture = try await TeamStoreFixture.make("identity")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        #expect(try await admin.currentUser() == "postgres")
        await admin.close()
        var environment = fixture.cluster.clientEnvironment
        environment["USER"] = "root"
        environment["LOGNAME"] = "postgres"
        let sam = try await PostgresSession.connect(
            fixture.cluster.settings(database: fixture.database, user: "sam"), environment: environment)
        #expect(try await sam.currentUser() == "sam")
        await sam.close()
        // A wrong password: refused by the server, and the message does not repeat any password.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-wrong-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let wrong = folder.appendingPathComponent("pgpass").path
        _ = FileManager.default.createFile(
            atPath: wrong, contents: Data("*:*:*:sam:not-sams-password\n".utf8), attributes: [.posixPermissions: 0o600])
        let error = await #expect(throws: PostgresStoreError.self) {
            _ = try await PostgresSession.connect(
                fixture.cluster.settings(database: fixture.database, user: "sam"), environment: ["PGPASSFILE": wrong])
        }
        #expect(error?.code == .connection)
        #expect(error?.message.contains("not-sams-password") == false)
        #expect(error?.sqlState == "28P01")
    }

    // MARK: Schema

    @Test func installIsFixedSQLAppliedOnce() async throws {
        let fixture = try await TeamStoreFixture.make("install")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        #expect(try await PostgresTeamStore.install(admin).isEmpty)
        // The silver tables have a column per canonical field, in order, after the lineage columns (and customers
        // their extra attributes, as the embedded lake's v9 added them).
        for entity in CanonicalEntity.allCases {
            let columns = try await admin.rows(
                "SELECT attname::text FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                ["cdp.\(entity.silverTable)"]
            ).compactMap { $0.first ?? nil }
            #expect(
                Array(columns.dropFirst(11)) == entity.fields.map(\.name) + (entity == .customer ? ["attributes"] : []),
                "\(entity.silverTable)")
        }
        // Every object belongs to the NOLOGIN owner; nobody logs in as it.
        let owners = try await admin.rows(
            "SELECT DISTINCT pg_get_userbyid(relowner)::text FROM pg_class WHERE relnamespace = 'cdp'::regnamespace")
        #expect(owners.map { $0.first ?? nil } == [PostgresSchema.owner])
        let canLogin = try await admin.rows("SELECT rolcanlogin::text FROM pg_roles WHERE rolname = $1", [PostgresSchema.owner])
        #expect(canLogin.first?.first == "false")
        // No function of the schema is executable by PUBLIC.
        let open = try await admin.rows(
            """
            SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'cdp'::regnamespace
                AND has_function_privilege('public', p.oid, 'EXECUTE')
            """)
        #expect(open.isEmpty, "\(open)")
    }

    /// The SQL masks are the embedded lake's: the same value masks to the same text, kind by kind.
    @Test func theSQLMasksAreTheEmbeddedLakes() async throws {
        let fixture = try await TeamStoreFixture.make("masks")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let values = [
            "pilar.gonzalez53@yahoo.es", "jane@localhost", "no-at-sign.example", "a@.com", " padded@example.org ", "+34669443380",
            "+447700900123", "+12025550143", "07700 900123", "1234", "Pilar González", "Jean-Luc  Picard", "1985-03-14",
            "14/03/1985", "Calle de Alcalá 42", "D02 X285", "", "   ", "x",
        ]
        for kind in PIIKind.allCases {
            for value in values {
                let sql = try await admin.rows("SELECT cdp.pii_mask($1, $2)", [value, kind.rawValue]).first?.first ?? nil
                #expect(sql == PIIMasker.mask(value, as: kind), "\(kind.rawValue) of '\(value)'")
            }
        }
        // JSON documents: the members the masker knows are masked as it masks them; other text is withheld.
        let masker = PIIMasker(columns: TeamStoreFixture.personalData.columns)
        let documents = [
            #"{"email":"pilar.gonzalez53@yahoo.es","first_name":"Pilar","country":"ES","nested":{"phone":"+34669443380"}}"#,
            #"[{"name":"email","value":"rebecca.scott@yahoo.ie","source":"crm:C1"},{"name":"country","value":"IE"}]"#,
            #"[{"field":"email","value":"rebecca.scott at yahoo.ie","message":"'rebecca.scott at yahoo.ie' is not an email"}]"#,
        ]
        for document in documents {
            let sql = try #require(try await admin.rows("SELECT cdp.pii_mask_json($1)", [document]).first?.first ?? nil)
            let expected = try #require(masker.json(document))
            #expect(try jsonValue(sql) == (try jsonValue(expected)), "\(document)")
        }
        for text in ["Rebecca Scott called", "+34669443380", "\"pilar\"", "{not json pilar"] {
            #expect(try await admin.rows("SELECT cdp.pii_mask_json($1)", [text]).first?.first == PostgresSchema.withheldText)
        }
    }

    private func jsonValue(_ text: String) throws -> NSObject {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) as? NSObject)
    }

    // MARK: Roles, through psql

    /// The issue's example: an analyst is refused the table and reads the masked view.
    @Test func anAnalystReadsMaskedViewsOnly() async throws {
        let fixture = try await TeamStoreFixture.make("analyst")
        defer { Task { await fixture.drop() } }
        let refused = try fixture.psql("SELECT email FROM silver_customer", as: "ana")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("permission denied for table silver_customer"), "\(refused.output)")
        let masked = try fixture.psql("SELECT email, city FROM silver_customer_masked ORDER BY id LIMIT 1", as: "ana")
        #expect(masked.status == 0, "\(masked.output)")
        #expect(masked.stdout.contains("p***@y****.es"), "\(masked.stdout)")
        // city was tagged PII.Address: masked too.
        #expect(masked.stdout.contains("M*****"), "\(masked.stdout)")
        // A table without a personal column is open; the steward reads everything in clear.
        #expect(try fixture.psql("SELECT name FROM campaign_performance", as: "ana").stdout.contains("Winter sale"))
        let steward = try fixture.psql("SELECT email FROM silver_customer ORDER BY id LIMIT 1", as: "sam")
        #expect(steward.stdout.contains("pilar.gonzalez53@yahoo.es"), "\(steward.output)")
    }

    /// No login role can change the audit log: not a steward (no privilege), not even the owner (triggers).
    @Test func nobodyRewritesTheAuditLog() async throws {
        let fixture = try await TeamStoreFixture.make("audit")
        defer { Task { await fixture.drop() } }
        for user in ["sam", "ada"] {
            for sql in [
                "UPDATE audit_log SET reason = 'nothing happened' WHERE id = 1", "DELETE FROM audit_log WHERE id = 2",
                "TRUNCATE audit_log",
                "INSERT INTO audit_log SELECT id + 100, at, actor, action, target, before, after, reason, previous_hash, hash FROM audit_log",
                "UPDATE audit_head SET row_count = 0", "DELETE FROM audit_hashing", "ALTER TABLE audit_log DISABLE TRIGGER ALL",
                "SELECT cdp.append_audit('sam', 'forged', 'x', NULL, NULL, NULL)",
            ] {
                let result = try fixture.psql(sql, as: user)
                #expect(result.status != 0, "\(user): \(sql) → \(result.output)")
                #expect(
                    result.stderr.contains("permission denied") || result.stderr.contains("must be owner"),
                    "\(user): \(sql) → \(result.output)")
            }
        }
        // The owner's own changes are refused by the triggers.
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for sql in ["UPDATE cdp.audit_log SET reason = 'x' WHERE id = 1", "DELETE FROM cdp.audit_log", "TRUNCATE cdp.audit_log"] {
            let error = await #expect(throws: PostgresStoreError.self) {
                try await admin.transaction { session async throws(PostgresStoreError) in
                    try await session.execute("SET LOCAL ROLE \(PostgresSchema.owner)")
                    try await session.execute(sql)
                }
            }
            #expect(error?.message.contains("append-only") == true, "\(sql)")
        }
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// A viewer writes nothing: every way in fails, and afterwards every table holds what it held.
    @Test func aViewerCannotWriteAnything() async throws {
        let fixture = try await TeamStoreFixture.make("viewer")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        let countAll = """
            SELECT string_agg(c.relname || '=' || (xpath('/row/n/text()',
                query_to_xml(format('SELECT count(*) AS n FROM cdp.%I', c.relname), false, true, '')))[1]::text, ',' ORDER BY c.relname)
            FROM pg_class c WHERE c.relnamespace = 'cdp'::regnamespace AND c.relkind = 'r'
            """
        let before = try await admin.rows(countAll).first?.first ?? nil
        let largeObjects = try await admin.rows("SELECT count(*)::text FROM pg_largeobject_metadata").first?.first ?? nil
        var statements: [String] = []
        // Each table and view with its first column, so every statement is valid SQL refused for want of privilege.
        let relations = try await admin.rows(
            """
            SELECT c.relname::text, a.attname::text FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
            WHERE c.relnamespace = 'cdp'::regnamespace AND c.relkind IN ('r', 'v') ORDER BY c.relname
            """)
        #expect(relations.count > 40)
        for row in relations {
            guard let relation = row[0], let column = row[1] else { continue }
            statements += [
                "DELETE FROM \(relation)", "UPDATE \(relation) SET \(column) = \(column)", "TRUNCATE \(relation)",
                "INSERT INTO \(relation) DEFAULT VALUES", "COPY \(relation) FROM STDIN",
            ]
        }
        statements += [
            "CREATE TABLE cdp.mine (x int)", "CREATE TEMP TABLE mine (x int)", "CREATE TABLE public.mine (x int)",
            "CREATE SCHEMA mine", "SELECT lo_creat(-1)", "SELECT lo_from_bytea(0, 'x'::bytea)", "SELECT nextval('cdp.bronze_row_id')",
            "SELECT cdp.quarantine_reject(1, 'open', 'viewer says no')", "SELECT cdp.quarantine_release(1, 'open', '{}')",
            "SELECT cdp.candidate_decide_as_read(1, 'approved', NULL, NULL, NULL, NULL, NULL)", "SELECT cdp.try_run_lock()", "SELECT pg_advisory_lock(42)",
            "CREATE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "COMMENT ON TABLE cdp.batch IS 'mine'",
            "ALTER TABLE cdp.batch ADD COLUMN mine int", "CREATE INDEX mine ON cdp.batch(id)", "GRANT SELECT ON cdp.batch TO PUBLIC",
        ]
        for sql in statements {
            let result = try fixture.psql(sql, as: "vic")
            #expect(result.status != 0, "vic: \(sql) → \(result.output)")
        }
        #expect(try await admin.rows(countAll).first?.first == before)
        #expect(try await admin.rows("SELECT count(*)::text FROM pg_largeobject_metadata").first?.first == largeObjects)
    }
}

import CDPCore
import CDPEngine
import CDPPostgresStore
import Foundation
import Testing

/// A team store in a database of its own: the schema installed, the access file of a small team applied (sam
/// a steward, ana an analyst, vic a viewer, ada an admin), and a few rows of personal data in the tables that
/// hold it, so a test can look for those values in whatever a role reads.
struct TeamStoreFixture {
    let cluster: PostgresTestCluster
    let database: String

    static let accessTOML = """
        default_role = "viewer"
        [roles]
        admin   = ["view_pii", "remediate_quarantine", "decide_merges", "edit_dictionary", "run_workflows", "act_as"]
        steward = ["view_pii", "remediate_quarantine", "decide_merges", "edit_dictionary", "run_workflows"]
        analyst = ["run_workflows"]
        viewer  = []
        [users]
        ada = "admin"
        sam = "steward"
        ana = "analyst"
        vic = "viewer"
        """

    static let passwords = [
        "ada": "ada-secret-1", "sam": "sam-secret-1", "ana": "ana-secret-1", "vic": "vic-secret-1", "tom": "tom-secret-1",
    ]

    /// The personal data of the fixture as a finder looks for it (lower-cased): names, e-mails (their mailbox
    /// part alone too), phone digits, birth dates, streets, postcodes, the city once tagged, extra attributes (a
    /// national ID, whose name the dictionary knows, and a loyalty card number, whose name it does not).
    static let personalValues = [
        "pilar", "gonz", "rebecca", "scott", "pilar.gonzalez53", "rebecca.scott", "669443380", "871234567", "1985-03-14",
        "1990-11-02", "alcal", "harbour", "28014", "d02 x285", "madrid", "7734521", "9981234", "55120987",
    ]

    /// The dictionary of the moment as the engine's masking sees it: the built-in personal columns, `city`
    /// tagged `PII.Address` (as a steward would tag it), and the extra attribute `national_id` (personal, as every
    /// attribute a source maps is by default).
    static var personalData: PersonalDataMap {
        var columns = PIIMasker.canonicalPersonalFields
        columns["city"] = .address
        columns["national_id"] = .other
        return .defaults(columns)
    }

    /// The engine's access file and masking decisions, compiled for the team store.
    static func plan(accessTOML: String = accessTOML, personalData: PersonalDataMap = personalData) throws -> PostgresAccessPlan {
        let policy = try ConfigurationLoader.access(tomlText: accessTOML, file: "governance/access.toml")
        return try Workspace.teamStoreAccessPlan(policy: policy, personalData: personalData)
    }

    static func make(_ name: String, accessTOML: String = accessTOML) async throws -> TeamStoreFixture {
        let cluster = try PostgresTestCluster.get()
        let database = try await cluster.makeDatabase(name)
        let fixture = TeamStoreFixture(cluster: cluster, database: database)
        let session = try await fixture.superuser()
        do {
            try await PostgresTeamStore.applyAccess(try plan(accessTOML: accessTOML), session)
            for (user, password) in passwords.sorted(by: { $0.key < $1.key }) where user != "tom" {
                try await cluster.setPassword(user, password, session)
            }
            try await fixture.insertPersonalRows(session)
        } catch {
            await session.close()
            throw error
        }
        await session.close()
        return fixture
    }

    func superuser() async throws -> PostgresSession { try await cluster.superuser(database) }

    /// The group role of an access.toml role in this fixture's database (`cdp_<database>_<role>`).
    func group(_ role: String) -> String { PostgresAccessPlan.groupRole(role, database: database) }

    /// A session of `user`, logged in by SCRAM with the password file.
    func session(_ user: String) async throws -> PostgresSession {
        try await PostgresSession.connect(
            cluster.settings(database: database, user: user), environment: cluster.clientEnvironment, applicationName: "cdp-tests-\(user)")
    }

    func psql(_ sql: String, as user: String) throws -> Subprocess.Result {
        try cluster.psql(sql, as: user, database: database)
    }

    func drop() async { await cluster.drop(database) }

    private func insertPersonalRows(_ session: PostgresSession) async throws {
        let statements = [
            """
            INSERT INTO cdp.batch (id, source, file_name, landed_path, sha256, bytes, landed_at, run_id, state, error)
            VALUES (1, 'crm_customers', 'customers.csv', 'lake/landing/crm_customers/customers.csv', 'ab', 10, '2026-12-01T10:00:00Z',
                1, 'ingested', 'line 3: pilar.gonzalez53@yahoo.es is odd')
            """,
            """
            INSERT INTO cdp.silver_customer (id, bronze_id, batch_id, line, record_offset, record_length, source, source_key,
                content_hash, is_current, first_name, last_name, full_name, email, phone, birth_date, street, city, postcode,
                country, email_opt_in, crm_customer_id, attributes)
            VALUES (1, 1, 1, 2, 40, 120, 'crm_customers', 'C0000001', 8412345, 1, 'Pilar', 'González', 'Pilar González',
                    'pilar.gonzalez53@yahoo.es', '+34669443380', '1985-03-14', 'Calle de Alcalá 42', 'Madrid', '28014', 'ES', 1,
                    'C0000001', '{"national_id":"Y7734521K","loyalty_card":"LC-55120987","household":{"partner":"Rebecca Scott"}}'),
                   (2, 2, 1, 3, 160, 118, 'crm_customers', 'C0000002', 9412345, 1, 'Rebecca', 'Scott', 'Rebecca Scott',
                    'rebecca.scott@yahoo.ie', '+353871234567', '1990-11-02', '12 Harbour Road', 'Madrid', 'D02 X285', 'IE', 0,
                    'C0000002', '{"national_id":"X9981234L"}')
            """,
            """
            INSERT INTO cdp.customer_360 (golden_id, first_name, last_name, email, phone, birth_date, street, city, postcode,
                country, source_count, sources, orders, lifetime_value, campaigns_reached, sent, opens, clicks, conversions,
                conversion_revenue, unsubscribes, open_quality_issues)
            VALUES (1, 'Pilar', 'González', 'pilar.gonzalez53@yahoo.es', '+34669443380', '1985-03-14', 'Calle de Alcalá 42',
                    'Madrid', '28014', 'ES', 1, 'crm_customers', 3, 120.5, 1, 4, 2, 1, 0, 0, 0, 0),
                   (2, 'Rebecca', 'Scott', 'rebecca.scott@yahoo.ie', '+353871234567', '1990-11-02', '12 Harbour Road',
                    'Madrid', 'D02 X285', 'IE', 1, 'crm_customers', 1, 30, 0, 0, 0, 0, 0, 0, 0, 1)
            """,
            """
            INSERT INTO cdp.quarantine_record (id, bronze_id, batch_id, run_id, source, entity, source_key, line, record_offset,
                record_length, content_hash, status, fields, failures, rules, created_at, updated_at, resolution)
            VALUES (1, 3, 1, 1, 'crm_customers', 'customer', 'C0000003', 4, 280, 90, 7412345, 'open',
                    '{"birth_date":"1990-11-02","email":"rebecca.scott at yahoo.ie","first_name":"Rebecca","last_name":"Scott","phone":"+353871234567"}',
                    '[{"field":"email","message":"''rebecca.scott at yahoo.ie'' is not an email address","rule":"email_format","severity":"error","value":"rebecca.scott at yahoo.ie"}]',
                    'email_format', '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z', NULL),
                   (2, 4, 1, 1, 'crm_customers', 'customer', 'C0000004', 5, 370, 90, 6412345, 'open',
                    '{"email":"pilar.gonzalez53@yahoo.es","first_name":"Pilar","last_name":"González"}', '[]', 'email_format',
                    '2026-12-01T10:00:00Z', '2026-12-01T10:00:00Z', NULL),
                   (3, 5, 1, 1, 'crm_customers', 'customer', 'C0000005', 6, 460, 90, 5412345, 'rejected',
                    '{"email":"pilar.gonzalez53@yahoo.es"}', '[]', 'email_format', '2026-12-01T10:00:00Z',
                    '2026-12-01T10:00:00Z', 'duplicate of Pilar González, +34669443380')
            """,
            """
            INSERT INTO cdp.quarantine_history (quarantine_id, at, actor, action, detail)
            VALUES (3, '2026-12-01T11:00:00Z', 'sam', 'reject', 'duplicate of Pilar González, +34669443380')
            """,
            """
            INSERT INTO cdp.golden_record (id, attributes, member_count, created_run, updated_run)
            VALUES (1, '[{"name":"email","rule":"most_recent","source":"crm_customers:C0000001","value":"pilar.gonzalez53@yahoo.es"},{"name":"first_name","rule":"most_recent","source":"crm_customers:C0000001","value":"Pilar"},{"name":"birth_date","rule":"most_recent","source":"crm_customers:C0000001","value":"1985-03-14"}]', 1, 1, 1)
            """,
            "INSERT INTO cdp.golden_override (golden_id, attribute, value, set_by, set_at) VALUES (1, 'email', 'pilar.gonzalez53@yahoo.es', 'sam', 'x')",
            """
            INSERT INTO cdp.row_warning (bronze_id, batch_id, source, rule, field, value, message)
            VALUES (1, 1, 'crm_customers', 'phone_format', 'phone', '+34669443380', 'phone +34669443380 of Pilar looks odd')
            """,
            """
            INSERT INTO cdp.customer_search (key, golden_id) VALUES ('pilar', 1), ('gonzalez', 1), ('pilar.gonzalez53@yahoo.es', 1),
                ('34669443380', 1), ('rebecca', 2), ('scott', 2)
            """,
            "INSERT INTO cdp.customer_name_variant (variant, name) VALUES ('pilar', 'pilar'), ('rebecca', 'rebecca')",
            """
            INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, classification, tags, owner,
                steward, allowed_values, format, rules, example, lineage, version, updated_by, updated_at, change)
            VALUES ('silver', 'silver_customer', 'email', 'The e-mail address', 'text', 'restricted', '["PII.Email"]', 'sam', 'sam',
                '[]', 'email', '[]', 'pilar.gonzalez53@yahoo.es', '[]', 1, 'sam', '2026-12-01T10:00:00Z', 'seed')
            """,
            """
            INSERT INTO cdp.dictionary_version (layer, dataset, column_name, version, changed_by, changed_at, change, entry)
            VALUES ('silver', 'silver_customer', 'email', 1, 'sam', '2026-12-01T10:00:00Z', 'seed', '{"example":"pilar.gonzalez53@yahoo.es"}')
            """,
            """
            INSERT INTO cdp.workflow_run (id, workflow, state, actor, trigger, started_at, error)
            VALUES (1, 'customer_pipeline', 'failed', 'sam', 'cli', '2026-12-01T10:00:00Z', 'row of Rebecca Scott failed')
            """,
            "INSERT INTO cdp.match_run (id, started_at, actor, statistics) VALUES (1, '2026-12-01T10:00:00Z', 'sam', '{\"records\": 2}')",
            """
            INSERT INTO cdp.match_candidate (id, run_id, record_a, record_b, probability, match_key, explanation)
            VALUES (1, 1, 'crm_customers:C0000001', 'crm_customers:C0000002', 0.7, '+FIRST',
                    '{"priorWeight":-9.1,"probability":0.7,"terms":[{"comparison":"first_name","label":"exact","level":3,"tag":"FIRST","weight":4.1}],"totalWeight":1.2}'),
                   (2, 1, 'crm_customers:C0000001', 'crm_customers:C0000005', 0.6, '+SURNAME', '{}')
            """,
            """
            INSERT INTO cdp.pair_decision (record_a, record_b, decision, reason, decided_by, decided_at)
            VALUES ('crm_customers:C0000009', 'crm_customers:C0000010', 'no_match', 'Pilar is not Rebecca Scott', 'sam', 'x')
            """,
            """
            INSERT INTO cdp.campaign_performance (campaign_id, name, channel, sent, unique_reached, opens, clicks, conversions,
                unsubscribes, revenue) VALUES ('CMP1', 'Winter sale', 'email', 10, 9, 5, 2, 1, 0, 99.5)
            """,
            """
            SELECT cdp.append_audit('sam', 'quarantine.fix', 'Q1', '{"email":"rebecca.scott at yahoo.ie"}',
                '{"email":"rebecca.scott@yahoo.ie"}', 'Rebecca Scott called from +353871234567')
            """,
            "SELECT cdp.append_audit('sam', 'quarantine.reject', 'Q3', 'open', 'rejected', NULL)",
            // The rows above name their ids, as a move from an embedded lake does: identities continue after them.
            PostgresTeamStore.continueIdentities,
            // Run 1 stands for a run an earlier cdp recorded on its own clock (2026-12-01) with no run.start kept, as
            // an upgraded store holds: before the boundary from which `cdp audit verify` wants every run's run.start.
            "UPDATE cdp.run_clock_boundary SET first_run = 2",
            "ANALYZE",
        ]
        for statement in statements { try await session.execute(statement) }
    }
}

import CDPCore
import CDPEngine
import CDPPostgresStore
import Foundation
import Testing

/// The security review of the team store (#17): each finding as it was reproduced, read back by the roles that
/// must not see the value.
extension TeamStoreTests {
    /// A dictionary entry for the phone column, tagged as the dictionary tags it, with a real-looking example.
    static let phoneEntry = """
        INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, classification, tags, owner,
            steward, allowed_values, format, rules, example, lineage, version, updated_by, updated_at, change)
        VALUES ('silver', 'silver_customer', 'phone', 'The phone number', 'text', 'restricted', '["PII.Phone"]', 'sam', 'sam',
            '[]', 'phone', '[]', '+34 600 111 222', '[]', 1, 'sam', '2026-12-01T10:00:00Z', 'seed')
        """

    /// Finding 1: a dictionary edit's audit row carried the entry's example in clear, and the audit log's masking
    /// cannot tell an example by its key. It is logged masked as the entry's tag, as the embedded lake logs it.
    @Test func aDictionaryEditLogsThePersonalExampleMasked() async throws {
        let fixture = try await TeamStoreFixture.make("dictexample")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute(Self.phoneEntry)
        let edit = try fixture.psql(
            #"SELECT cdp.dictionary_edit('silver', 'silver_customer', 'phone', 1, '{"example": "+34669443380"}', 'x')"#, as: "sam")
        #expect(edit.status == 0, "\(edit.output)")
        let read = try fixture.psql(
            "SELECT before::jsonb->>'example', after::jsonb->>'example' FROM audit_log_masked WHERE action = 'dictionary.edit'",
            as: "ana")
        #expect(read.status == 0, "\(read.output)")
        #expect(!read.stdout.contains("669443380") && !read.stdout.contains("600 111 222"), "\(read.output)")
        #expect(read.stdout.contains("+34 *** *** 222") && read.stdout.contains("+34 *** *** 380"), "\(read.output)")
        // The entry itself keeps the value, for those who may view it.
        let entry = try await admin.rows("SELECT example FROM cdp.dictionary_entry WHERE column_name = 'phone'")
        #expect(entry.first?.first == "+34669443380")
        // A withheld record's example is withheld in the log, whatever it looks like.
        try await admin.execute(
            #"UPDATE cdp.dictionary_entry SET tags = '["PII.Record"]', example = 'Pilar González, Calle de Alcalá 42' WHERE column_name = 'phone'"#)
        let record = try fixture.psql(
            #"SELECT cdp.dictionary_edit('silver', 'silver_customer', 'phone', 2, '{"description": "raw"}', 'y')"#, as: "sam")
        #expect(record.status == 0, "\(record.output)")
        let logged = try await admin.rows(
            "SELECT before::jsonb->>'example' FROM cdp.audit_log WHERE action = 'dictionary.edit' ORDER BY id DESC LIMIT 1")
        #expect(logged.first?.first == PostgresSchema.withheldText)
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }

    /// Finding 2: JSON masking passed a personal member that was not a string (an array, a number) and a key
    /// that was a personal column's name but for case and spaces.
    @Test func jsonMaskingMasksWhateverAPersonalKeyHolds() async throws {
        let fixture = try await TeamStoreFixture.make("jsonmask")
        defer { Task { await fixture.drop() } }
        let document = #"{"email":["pilar@x.es"],"phone":34669443380,"Email ":"a@b.c","notes":{"BIRTH_DATE":{"d":"1985-03-14"}}}"#
        let direct = try fixture.psql("SELECT cdp.pii_mask_json('\(document)')", as: "ana")
        #expect(direct.status == 0, "\(direct.output)")
        for value in ["pilar@x.es", "34669443380", "a@b.c", "1985-03-14"] {
            #expect(!direct.stdout.contains(value), "\(value) in \(direct.output)")
        }
        #expect(direct.stdout.contains("p***@x.es") && direct.stdout.contains("*** *** 380"), "\(direct.output)")
        // Through a masked view: the same document stored as a quarantined record's fields, and failures whose
        // value is not a string.
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute(
            "UPDATE cdp.quarantine_record SET fields = '\(document)', "
                + #"failures = '[{"field":" Phone","value":34669443380,"message":"34669443380 is not a phone"}]' WHERE id = 2"#)
        let viewed = try fixture.psql("SELECT fields, failures FROM quarantine_record_masked WHERE id = 2", as: "ana")
        #expect(viewed.status == 0, "\(viewed.output)")
        for value in ["pilar@x.es", "669443380", "a@b.c", "1985-03-14"] {
            #expect(!viewed.stdout.contains(value), "\(value) in \(viewed.output)")
        }
    }

    /// Finding 3: a constraint violated inside a steward function answered with PostgreSQL's DETAIL, "Failing row
    /// contains (…)", the stored example included. Inputs are checked first, and any error is raised again without it.
    @Test func aStewardFunctionsErrorDoesNotQuoteTheRow() async throws {
        let fixture = try await TeamStoreFixture.make("errordetail")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await admin.execute(Self.phoneEntry)
        let null = try fixture.psql(
            #"SELECT cdp.dictionary_edit('silver', 'silver_customer', 'phone', 1, '{"description": null}', 'x')"#, as: "sam")
        #expect(null.status != 0)
        #expect(null.stderr.contains("silver_customer.phone was not saved: description cannot be null"), "\(null.output)")
        #expect(!null.output.contains("600 111 222") && !null.output.contains("Failing row"), "\(null.output)")
        // A constraint the checks do not know of: its message, without the row.
        try await admin.execute("ALTER TABLE cdp.dictionary_entry ADD CONSTRAINT no_placeholder CHECK (description <> 'TBD')")
        let checked = try fixture.psql(
            #"SELECT cdp.dictionary_edit('silver', 'silver_customer', 'phone', 1, '{"description": "TBD"}', 'x')"#, as: "sam")
        #expect(checked.stderr.contains("violates check constraint \"no_placeholder\""), "\(checked.output)")
        #expect(!checked.output.contains("600 111 222") && !checked.output.contains("Failing row"), "\(checked.output)")
        #expect(try await admin.rows("SELECT version::text FROM cdp.dictionary_entry WHERE column_name = 'phone'").first?.first == "1")
    }

    /// The fixture's team and rita, who may remediate quarantine but not view personal data.
    static func addRemediator(_ fixture: TeamStoreFixture, _ admin: PostgresSession) async throws {
        let toml =
            TeamStoreFixture.accessTOML.replacingOccurrences(of: "viewer  = []", with: "viewer  = []\nremediator = [\"remediate_quarantine\"]")
            + "\nrita = \"remediator\"\n"
        try await PostgresTeamStore.applyAccess(try TeamStoreFixture.plan(accessTOML: toml), admin)
        try await fixture.cluster.setPassword("rita", "rita-secret-1", admin)
    }

    /// Finding 4: a fix that changed nothing was refused, so a caller without view_pii could guess a stored
    /// birth date in rolled-back transactions. Without view_pii, a personal field submitted always counts as changed.
    @Test func aFixGivesNoAnswerThatDependsOnAStoredPersonalValue() async throws {
        let fixture = try await TeamStoreFixture.make("fixoracle")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        try await Self.addRemediator(fixture, admin)
        func attempt(_ birthDate: String, as user: String) throws -> Subprocess.Result {
            try fixture.psql(
                "BEGIN; SELECT cdp.quarantine_fix(1, 'open', '{\"birth_date\": \"\(birthDate)\"}', '[]', 'email_format', 'open', 'guess'); ROLLBACK;",
                as: user)
        }
        let right = try attempt("1990-11-02", as: "rita")
        let wrong = try attempt("1990-11-03", as: "rita")
        #expect(right.status == 0 && wrong.status == 0, "\(right.output) / \(wrong.output)")
        #expect(right.output == wrong.output, "\(right.output) / \(wrong.output)")
        // A steward who may read the value is still told the fix changes nothing.
        let same = try attempt("1990-11-02", as: "sam")
        #expect(same.stderr.contains("Q1: no field changed"), "\(same.output)")
        // Made for good, rita's fix writes the value she gave and audits it.
        let kept = try fixture.psql(
            #"SELECT cdp.quarantine_fix(1, 'open', '{"birth_date": "1990-11-02"}', '[]', 'email_format', 'open', 'kept')"#, as: "rita")
        #expect(kept.status == 0, "\(kept.output)")
        #expect(
            (try await admin.rows("SELECT after FROM cdp.audit_log WHERE action = 'quarantine.fix' ORDER BY id DESC LIMIT 1").first?.first ?? nil)?.contains("1990-11-02") == true)
    }

    /// Finding 5: a release wrote whatever values it was given (a last name lost, a consent never given) and
    /// audited none of them; a fix could mark a record fixed with no failures while it still failed, audited by
    /// its changed fields only.
    @Test func releaseAndFixKeepToTheRecordAndAuditWhatTheyWrite() async throws {
        let fixture = try await TeamStoreFixture.make("releasefix")
        defer { Task { await fixture.drop() } }
        let admin = try await fixture.superuser()
        defer { Task { await admin.close() } }
        for (values, refusal) in [
            (#"{"email": "mallory@evil.example", "first_name": "Pilar", "last_name": "González", "email_opt_in": 1}"#,
             "email_opt_in not a field of the record"),
            (#"{"email": "mallory@evil.example", "first_name": "Pilar"}"#, "no value for last_name which the record holds"),
            (#"{"email": "pilar.gonzalez53@yahoo.es", "first_name": "Pilar", "last_name": "González", "source_key": "C1"}"#,
             "source_key not a field of the record"),
        ] {
            let refused = try fixture.psql("SELECT cdp.quarantine_release(2, 'open', '\(values)')", as: "sam")
            #expect(refused.stderr.contains("Q2 was not released: \(refusal)"), "\(values) → \(refused.output)")
        }
        #expect(try await admin.rows("SELECT count(*)::text FROM cdp.silver_customer WHERE source_key = 'C0000004'").first?.first == "0")
        let release = try fixture.psql(
            #"SELECT cdp.quarantine_release(2, 'open', '{"email": "pilar.gonzalez53@yahoo.es", "first_name": "Pilar", "last_name": "González"}')"#,
            as: "sam")
        #expect(release.status == 0, "\(release.output)")
        let released = try await admin.rows("SELECT after, reason FROM cdp.audit_log WHERE action = 'quarantine.release'")
        #expect(released.first?[0] == "released to silver_customer")
        #expect(released.first?[1]?.contains(#""last_name": "González""#) == true, "\(released)")
        #expect(released.first?[1]?.contains("pilar.gonzalez53@yahoo.es") == true, "\(released)")
        // Q1 fails email_format on its email: marked fixed with no failures while the email is as it was, refused.
        let unchanged = #"{"birth_date": "1990-11-02", "email": "rebecca.scott at yahoo.ie", "first_name": "Rebecca", "last_name": "Scott", "phone": "+353871234568"}"#
        let faked = try fixture.psql("SELECT cdp.quarantine_fix(1, 'open', '\(unchanged)', '[]', 'email_format', 'fixed', 'x')", as: "sam")
        #expect(faked.stderr.contains("Q1 cannot be fixed: it failed email_format on email"), "\(faked.output)")
        let failing = try fixture.psql(
            #"SELECT cdp.quarantine_fix(1, 'open', '{"email": "rebecca@x"}', '[{"field": "email", "rule": "email_format", "severity": "error"}]', 'email_format', 'fixed', 'x')"#,
            as: "sam")
        #expect(failing.stderr.contains("Q1 cannot be fixed: it still fails email_format"), "\(failing.output)")
        #expect(try await admin.rows("SELECT status FROM cdp.quarantine_record WHERE id = 1").first?.first == "open")
        let fixed = #"{"birth_date": "1990-11-02", "email": "rebecca.scott@yahoo.ie", "first_name": "Rebecca", "last_name": "Scott", "phone": "+353871234567"}"#
        let fix = try fixture.psql("SELECT cdp.quarantine_fix(1, 'open', '\(fixed)', '[]', 'email_format', 'fixed', 'x')", as: "sam")
        #expect(fix.status == 0, "\(fix.output)")
        let audited = try await admin.rows(
            "SELECT before::jsonb ->> 'status', after::jsonb ->> 'status', after::jsonb ->> 'failures', after::jsonb ->> 'rules', "
                + "before::jsonb -> 'failures' -> 0 ->> 'rule' FROM cdp.audit_log WHERE action = 'quarantine.fix' ORDER BY id DESC LIMIT 1")
        #expect(audited.first == ["open", "fixed", "[]", "email_format", "email_format"], "\(audited)")
        #expect(try await PostgresTeamStore.auditChainProblems(admin).isEmpty)
    }
}

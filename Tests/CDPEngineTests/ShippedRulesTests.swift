import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// What the shipped `governance/rules.toml` holds back and what it lets through.
@Suite struct ShippedRulesTests {
    static let header = "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in"

    /// A CRM that holds in-store customers has many without an email: such a customer is a warning and
    /// reaches silver (and matching), and so does one known by a first name or a last name alone; a customer
    /// with neither name is still held.
    @Test func aCRMCustomerWithoutAnEmailIsAWarningAndOneWithoutANameIsHeld() throws {
        let folder = EngineFixture.temporaryFolder("shipped-rules")
        try WorkspaceInitializer.initialize(at: folder.path, from: EngineFixture.sampleData.path, administrator: "ann")
        let rows = [
            "X1,Ann,Lee,ann.lee@example.com,,1980-01-02,1 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,Y,N",
            "X2,Bo,Ng,,,1981-02-03,2 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
            "X3,,,cy@example.com,,1982-03-04,3 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
            "X4,Di,,di@example.com,,1983-04-05,4 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
            "X5,,Ho,ho@example.com,,1984-05-06,5 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
        ]
        try Data((Self.header + "\n" + rows.joined(separator: "\n") + "\n").utf8)
            .write(to: folder.appendingPathComponent("inbox/crm/customers-instore.csv"))
        let workspace = try Workspace(at: folder.path)
        let summary = try EngineFixture.run(workspace)
        #expect(summary.state == .succeeded, "\(summary.error ?? "")")

        func quarantined(_ key: String) throws -> [QuarantineRecord] {
            try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(source: "crm_customers", text: key)).filter { $0.sourceKey == key }
        }
        #expect(try quarantined("X1").isEmpty)
        #expect(try quarantined("X2").isEmpty, "a customer without an email is not held")
        let nameless = try #require(try quarantined("X3").first, "a customer without a name is held")
        #expect(nameless.failures.map(\.rule) == ["customer_required"])
        #expect(nameless.failures.first?.message == "first_name and last_name are both missing (at least one is required)")
        #expect(try quarantined("X4").isEmpty, "a first name alone is a name")
        #expect(try quarantined("X5").isEmpty, "so is a last name alone")
        #expect(try workspace.store.goldenID(of: SourceRecordID(source: "crm_customers", key: "X4")) != nil)
        #expect(try workspace.store.goldenID(of: SourceRecordID(source: "crm_customers", key: "X2")) != nil, "and is matched")
        let rates = try workspace.store.rulePassRates().filter { $0.source == "crm_customers" }
        #expect(rates.first { $0.rule == "customer_email_present" }.map { "\($0.severity) \($0.failed > 0)" } == "warn true")
        #expect(rates.first { $0.rule == "customer_required" }?.severity == "error")
    }

    /// An impossible birth date leaves a customer still known by name and address: the shipped rules pass the record
    /// to silver (and matching) without that value, with a row warning that says file, line, field, rule and raw value
    /// (masked for a user without view_pii); the landed row keeps it. A CRM customer's malformed e-mail is still held
    /// for a steward to correct.
    @Test func anImpossibleBirthDateIsLeftOutAndTheCustomerReachesSilver() throws {
        let folder = EngineFixture.temporaryFolder("shipped-rules-omit")
        try WorkspaceInitializer.initialize(at: folder.path, from: EngineFixture.sampleData.path, administrator: "ann")
        let rows = [
            "Y1,Ann,Lee,ann.lee@@example,,1980-01-02,1 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,Y,N",
            "Y2,Bo,Ng,bo.ng@example.com,,1850-02-03,2 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
            "Y3,Cy,Fox,cy.fox@example.com,,1982-02-30,3 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
        ]
        try Data((Self.header + "\n" + rows.joined(separator: "\n") + "\n").utf8)
            .write(to: folder.appendingPathComponent("inbox/crm/customers-omit.csv"))
        let workspace = try Workspace(at: folder.path)
        let summary = try EngineFixture.run(workspace)
        #expect(summary.state == .succeeded, "\(summary.error ?? "")")

        func held(_ key: String) throws -> [QuarantineRecord] {
            try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(source: "crm_customers", text: key)).filter { $0.sourceKey == key }
        }
        for key in ["Y2", "Y3"] {
            #expect(try held(key).isEmpty, "\(key) is not held")
            #expect(try workspace.store.goldenID(of: SourceRecordID(source: "crm_customers", key: key)) != nil, "\(key) is matched")
        }
        #expect(try held("Y1").first?.failures.map(\.rule) == ["email_format"])
        let silver = try workspace.store.query(
            "SELECT source_key, last_name, email, birth_date FROM silver_customer WHERE source_key IN ('Y1','Y2','Y3') AND is_current = 1 ORDER BY source_key")
        #expect(silver.rows == [["Y2", "Ng", "bo.ng@example.com", nil], ["Y3", "Fox", "cy.fox@example.com", nil]])

        let warnings = try workspace.query("""
            SELECT w.rule, w.field, w.value, w.message, b.line, f.file_name FROM row_warning w
            JOIN bronze_row b ON b.id = w.bronze_id JOIN batch f ON f.id = w.batch_id
            WHERE f.file_name LIKE '%customers-omit.csv' AND w.rule NOT IN ('customer_email_present', 'phone_format') ORDER BY b.line
            """, limit: 100, as: EngineFixture.clock).rows.map { $0.map(\.text) }
        #expect(warnings.map { Array($0.prefix(3)) } == [
            ["birth_date_plausible", "birth_date", "1850-02-03"], ["birth_date_valid", "birth_date", "1982-02-30"],
        ])
        #expect(warnings.map { $0[4] } == ["3", "4"])
        #expect(warnings.map { $0[5] } == Array(repeating: "inbox/crm/customers-omit.csv", count: 2))
        let first = warnings.first?[3] ?? nil
        #expect(first?.hasPrefix("inbox/crm/customers-omit.csv:3: ") == true, "\(first ?? "")")
        #expect(first?.hasSuffix("birth_date is left out of silver (omit_value)") == true, "\(first ?? "")")

        // Without view_pii the raw value and the message are masked; the landed row still holds the value.
        let analyst = Environment.fixed(at: 1_764_300_000, user: "ana")
        let masked = try workspace.query(
            "SELECT rule, value, message FROM row_warning_masked WHERE rule = 'birth_date_plausible'", limit: 1000, as: analyst)
        let text = masked.rows.flatMap { $0.compactMap(\.text) }.joined(separator: " ")
        #expect(masked.rows.count >= 1)
        #expect(!text.contains("1850-02-03"))
        #expect(throws: EngineError.self) { try workspace.query("SELECT value FROM row_warning", limit: 10, as: analyst) }
        let landed = try workspace.query("SELECT raw FROM bronze_row WHERE source_key = 'Y2'", limit: 10, as: EngineFixture.clock)
        #expect(landed.rows.first?.first?.text?.contains("1850-02-03") == true)
    }

    /// `omit_value` is refused where there is no one value to leave out (a required field, a comparison of two, a
    /// duplicate) and on the key, naming the rule's setting.
    @Test func omitValueNeedsACheckOfOneValueThatIsNotTheKey() throws {
        let rules = RuleSet(rules: [
            RuleDefinition(name: "a", dataset: "crm", check: .required(fields: ["last_name"]), severity: .omitValue),
            RuleDefinition(name: "b", dataset: "crm", check: .compare(left: "created_at", op: .lessOrEqual, right: "updated_at"), severity: .omitValue),
            RuleDefinition(name: "c", dataset: "crm", check: .unique(field: "email"), severity: .omitValue),
            RuleDefinition(name: "d", dataset: "crm", check: .length(field: "source_key", min: 2, max: nil), severity: .omitValue),
            RuleDefinition(name: "e", dataset: "crm", check: .format(field: "email", format: .email), severity: .omitValue),
        ])
        let problems = rules.problems(sources: nil).map { "\($0)" }
        #expect(problems.count == 4, "\(problems)")
        #expect(problems.allSatisfy { $0.contains(".severity") })
        #expect(problems[0].contains("rules[0]") && problems[0].contains("'required'"))
        #expect(problems[3].contains("rules[3]") && problems[3].contains("source_key"))
    }

    /// A record held for its missing name and fixed by a steward is released as an ingest would write it: the
    /// impossible birth date an `omit_value` rule fails on stays out of silver.
    @Test func aReleasedRecordLeavesOutTheValueAnOmitRuleFailsOn() throws {
        let folder = EngineFixture.temporaryFolder("shipped-rules-omit-release")
        try WorkspaceInitializer.initialize(at: folder.path, from: EngineFixture.sampleData.path, administrator: "ann")
        let row = "Z1,,,dee@example.com,,1850-01-02,1 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,Y,N"
        try Data((Self.header + "\n" + row + "\n").utf8).write(to: folder.appendingPathComponent("inbox/crm/customers-held.csv"))
        let workspace = try Workspace(at: folder.path)
        #expect(try EngineFixture.run(workspace).state == .succeeded)
        let held = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(source: "crm_customers", text: "Z1"))
            .first { $0.sourceKey == "Z1" })
        #expect(held.failures.map(\.rule).sorted() == ["birth_date_plausible", "customer_required"])
        let service = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect(try service.fix(held.id, edits: ["last_name": "Day"]).status == .fixed)
        #expect(try service.release(held.id).status == .released)
        let silver = try workspace.store.query("SELECT last_name, email, birth_date FROM silver_customer WHERE source_key = 'Z1' AND is_current = 1")
        #expect(silver.rows == [["Day", "dee@example.com", nil]])
    }
}


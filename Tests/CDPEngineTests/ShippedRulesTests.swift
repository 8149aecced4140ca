import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// What the shipped `governance/rules.toml` holds back and what it lets through.
@Suite struct ShippedRulesTests {
    static let header = "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in"

    /// A CRM that holds in-store customers has many without an email: such a customer is a warning and
    /// reaches silver (and matching); a customer without a name is still held.
    @Test func aCRMCustomerWithoutAnEmailIsAWarningAndOneWithoutANameIsHeld() throws {
        let folder = EngineFixture.temporaryFolder("shipped-rules")
        try WorkspaceInitializer.initialize(at: folder.path, from: EngineFixture.sampleData.path, administrator: "ann")
        let rows = [
            "X1,Ann,Lee,ann.lee@example.com,,1980-01-02,1 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,Y,N",
            "X2,Bo,Ng,,,1981-02-03,2 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
            "X3,Cy,,cy@example.com,,1982-03-04,3 High Street,Leeds,LS1 3PG,GB,2024-01-01 10:00:00,2024-01-02 10:00:00,gold,N,N",
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
        #expect(try quarantined("X3").first?.failures.map(\.rule) == ["customer_required"], "a customer without a name is held")
        #expect(try workspace.store.goldenID(of: SourceRecordID(source: "crm_customers", key: "X2")) != nil, "and is matched")
        let rates = try workspace.store.rulePassRates().filter { $0.source == "crm_customers" }
        #expect(rates.first { $0.rule == "customer_email_present" }.map { "\($0.severity) \($0.failed > 0)" } == "warn true")
        #expect(rates.first { $0.rule == "customer_required" }?.severity == "error")
    }
}

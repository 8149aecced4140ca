import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Reads outside the engine go through `LakeReader` and the engine's services, which mask by the data
/// dictionary's tags: a column tagged personal after the fact is masked by every read at once.
@Suite struct ReadBoundaryTests {
    static let admin = Environment.fixed(at: 1_764_300_000, user: "ann")
    static let analyst = Environment.fixed(at: 1_764_300_000, user: "ana")
    static let cities: Set = ["London", "Leeds", "York"]

    /// Tests/Fixtures/customer360 run through the pipeline, with `silver_customer.city` tagged `PII.Address`.
    static func workspaceWithCityTagged(_ name: String) throws -> Workspace {
        let workspace = try Customer360Tests.workspace(name)
        let dictionary = DictionaryService(workspace: workspace, environment: admin)
        let reference = DictionaryReference(parsing: "silver_customer.city")
        let current = try dictionary.entry(reference).entry
        try dictionary.edit(reference, DictionaryChange(tags: current.tags + ["PII.Address"]))
        return workspace
    }

    @Test func aCityTaggedPersonalIsMaskedInCustomerRowsAndSourceRecords() throws {
        let workspace = try Self.workspaceWithCityTagged("boundary-city")
        let clear = try Customer360Service(workspace: workspace, environment: Self.admin).topCustomers(limit: 10)
        #expect(Set(clear.compactMap(\.city)) == Self.cities)

        let service = Customer360Service(workspace: workspace, environment: Self.analyst)
        let top = try service.topCustomers(limit: 10)
        #expect(top.count == clear.count)
        #expect(top.compactMap(\.city).sorted() == ["L*****", "L****", "Y***"].sorted())
        let hits = try service.search("john smith")
        #expect(hits.first?.customer.city == "L****")

        let john = try service.find("crm_customers:C2")
        let profile = try service.profile(john)
        #expect(profile.customer.city == "L****")
        #expect(!profile.records.isEmpty)
        #expect(profile.records.allSatisfy { $0.city.map { !Self.cities.contains($0) } ?? true })

        let reader = workspace.reader(for: Self.analyst)
        let records = try reader.customerRecords([SourceRecordID(source: "crm_customers", key: "C1")])
        #expect(records.map(\.city) == ["L*****"])
        #expect(
            try workspace.reader(for: Self.admin).customerRecords([SourceRecordID(source: "crm_customers", key: "C1")]).map(\.city) == [
                "London"
            ])
    }

    @Test func aQuarantineSearchLooksInTheMaskedTextWithoutViewPII() throws {
        // Zoe Quinn's later CRM row is held for its e-mail "zoe at example".
        let workspace = try Customer360Tests.workspace("boundary-search")
        let filter = LakeStore.QuarantineFilter(text: "zoe at")
        let admin = workspace.reader(for: Self.admin)
        #expect(try admin.quarantineRecords(filter).map { $0.fields["email"] } == ["zoe at example"])
        #expect(try admin.quarantineCount(filter) == 1)

        let analyst = workspace.reader(for: Self.analyst)
        #expect(try analyst.quarantineRecords(filter).isEmpty)
        #expect(try analyst.quarantineCount(filter) == 0)
        #expect(try analyst.quarantineIDs(filter).isEmpty)
        // What the analyst does see can be searched for.
        let masked = try #require(try analyst.quarantineRecords(LakeStore.QuarantineFilter()).first?.fields["email"])
        #expect(masked != "zoe at example")
        #expect(try analyst.quarantineRecords(LakeStore.QuarantineFilter(text: masked)).count == 1)
    }

    @Test func aHeldRecordIsReturnedMaskedByTheQuarantineService() throws {
        let workspace = try Customer360Tests.workspace("boundary-record")
        let id = try #require(try workspace.reader(for: Self.admin).quarantineRecords(LakeStore.QuarantineFilter()).first?.id)
        #expect(try QuarantineService(workspace: workspace, environment: Self.admin).record(id).fields["email"] == "zoe at example")
        let masked = try QuarantineService(workspace: workspace, environment: Self.analyst).record(id)
        #expect(masked.fields["email"] != "zoe at example")
        #expect(masked.fields["email"]?.hasPrefix("z") == true)
    }

    @Test func aDraftChecksUntouchedFieldsWithTheirRealValuesAndSavesOnlyEdits() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "boundary-draft", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Bob,Stone,bob at example.com,1975-05-06\n"])
        try """
        [roles]
        admin = ["view_pii", "remediate_quarantine", "run_workflows"]
        fixer = ["remediate_quarantine"]
        [users]
        ann = "admin"
        fay = "fixer"
        """.write(to: workspace.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let reopened = try Workspace(at: workspace.root.path)
        _ = try EngineFixture.run(reopened)
        let id = QuarantineID(1)
        let service = QuarantineService(workspace: reopened, environment: .fixed(at: 1_764_300_000, user: "fay"))
        let draft = try service.draft(id)
        let email = try #require(draft.fieldNames.firstIndex(of: "email"))
        let born = try #require(draft.fieldNames.firstIndex(of: "birth_date"))
        #expect(draft.shownValues[born] == "****-**-**")
        #expect(!draft.shownValues.contains("bob at example.com"))
        #expect(try draft.failures(draft.shownValues).filter { $0.severity >= .error }.map(\.rule) == ["email_format"])
        var values = draft.shownValues
        values[email] = "bob@example.com"
        #expect(draft.edits(values) == ["email": "bob@example.com"])
        #expect(try draft.failures(values).filter { $0.severity >= .error }.isEmpty)
        // A birth date edited to the masked text is checked as typed.
        values[born] = "****-**-**x"
        #expect(try draft.failures(values).filter { $0.severity >= .error }.map(\.rule) == ["born_valid"])
    }
}

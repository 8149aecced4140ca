import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Reads outside `cdp query` that let a user without `view_pii` recover personal values: the customer
/// search as a prefix oracle, and the dictionary's suggestions quoting real values.
@Suite struct PersonalReadLeakTests {
    static let admin = Environment.fixed(at: 1_764_300_000, user: "ann")
    static let analyst = Environment.fixed(at: 1_764_300_000, user: "ana")

    /// John Smith of Tests/Fixtures/customer360: `john.smith@example.com`, `07700 900002`.
    static func john(_ hits: [Customer360Service.SearchHit], _ golden: GoldenID) -> Customer360Service.SearchHit? {
        hits.first { $0.customer.golden == golden }
    }

    @Test func withoutViewPIIAnEmailOrPhoneMatchesOnlyWhole() throws {
        let workspace = try Customer360Tests.workspace("leak-search")
        let admin = Customer360Service(workspace: workspace, environment: Self.admin)
        let analyst = Customer360Service(workspace: workspace, environment: Self.analyst)
        let john = try admin.find("crm_customers:C2")
        // With view_pii a prefix of an e-mail or a phone still finds the customer (a prefix scores 3).
        #expect(Self.john(try admin.search("john.smith@exa", limit: 100), john)?.score == 3)
        #expect(Self.john(try admin.search("7700 9000", limit: 100), john)?.score == 3)

        // Without it, no prefix of the e-mail, its mailbox part or the phone finds him: extending a prefix
        // one character at a time read a whole e-mail back.
        for prefix in ["john.s", "john.smith", "john.smith@", "john.smith@exa", "john.smith@example.co", "7700", "77009000", "0770090000"] {
            #expect(Self.john(try analyst.search(prefix, limit: 100), john) == nil, "\(prefix)")
        }
        // The whole value, normalised, confirms him (someone who holds it may look the customer up).
        #expect(Self.john(try analyst.search("John.Smith@Example.com", limit: 100), john) != nil)
        #expect(Self.john(try analyst.search("07700 900002", limit: 100), john) != nil)
        // Names keep their tolerant search (a typo, a whole name), but not a prefix: "smi", "smit"… would spell a
        // masked name one letter at a time. The admin's prefix search still finds him.
        #expect(Self.john(try analyst.search("smi", limit: 100), john) == nil)
        #expect(Self.john(try admin.search("smi", limit: 100), john) != nil)
        #expect(Self.john(try analyst.search("smith", limit: 100), john) != nil)
        #expect(Self.john(try analyst.search("jonh smith", limit: 100), john) != nil)
        #expect(try analyst.search("jonh smith").first?.customer.email?.contains("john") == false)
    }

    /// Attack 8: an initial beside a longer name prefix ("j sm") still spelled a masked name, the prefix choosing the
    /// customers the initial was then checked on. Without view_pii every second letter now gives the same answer, and
    /// a customer is found only when every word counts for them.
    @Test func withoutViewPIIAnInitialBesideANamePrefixSpellsNothing() throws {
        let workspace = try Customer360Tests.workspace("leak-initial-prefix")
        let admin = Customer360Service(workspace: workspace, environment: Self.admin)
        let analyst = Customer360Service(workspace: workspace, environment: Self.analyst)
        let john = try admin.find("crm_customers:C2")
        #expect(Self.john(try admin.search("j sm", limit: 100), john) != nil)
        for text in ["j sm", "j smi", "j smit", "s jo", "sm j", "jo smith", "smith jo"] {
            #expect(Self.john(try analyst.search(text, limit: 100), john) == nil, "\(text)")
        }
        let answers = try ["j sa", "j sm", "j sn", "j zz"].map { try analyst.search($0, limit: 100).map(\.customer.golden) }
        #expect(Set(answers.map { $0.map(\.rawValue) }).count == 1, "\(answers)")
        // What a masked user may match still finds him: whole names, a typo, an initial.
        #expect(Self.john(try analyst.search("j smith", limit: 100), john) != nil)
        #expect(Self.john(try analyst.search("john smith", limit: 100), john) != nil)
        #expect(Self.john(try analyst.search("jonh smith", limit: 100), john) != nil)
    }

    @Test(arguments: ["customer_search.key", "customer_search.golden_id"])
    func aSuggestionForAPersonalColumnQuotesNoValueWithoutViewPII(_ column: String) throws {
        let workspace = try Customer360Tests.workspace("leak-suggest-\(column.replacingOccurrences(of: ".", with: "-"))")
        let reference = DictionaryReference(parsing: column)
        let clear = try DictionaryService(workspace: workspace, environment: Self.admin).suggest(reference)
        #expect(!clear.profile.topValues.isEmpty)
        let values = Set(clear.profile.topValues.map(\.value) + [clear.example].compactMap { $0 })

        let masked = try DictionaryService(workspace: workspace, environment: Self.analyst).suggest(reference)
        #expect(masked.example == nil)
        #expect(masked.allowedValues.isEmpty)
        #expect(masked.profile.distinctValues.isEmpty)
        #expect(masked.profile.topValues.allSatisfy { $0.value == Workspace.withheldValue })
        #expect(masked.profile.pattern == nil || masked.profile.pattern == Workspace.withheldValue)
        let text = String(decoding: try JSONEncoder().encode(masked), as: UTF8.self)
        #expect(values.allSatisfy { !text.contains("\"\($0)\"") })
    }
}

/// Free text a steward typed or a history line that quotes a value as it was, read without `view_pii`.
@Suite struct WithheldFreeTextTests {
    @Test func historyResolutionsAndReasonsAreWithheldWithoutViewPII() throws {
        let workspace = try EngineFixture.sampleWorkspace("leak-free-text")
        try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(try workspace.workflow())
        let held = try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(rule: "email_format", limit: 2))
        try #require(held.count == 2)
        let old = try #require(held[0].fields["email"])
        let sam = Environment.fixed(at: 1_764_300_000, user: "sam")
        let steward = QuarantineService(workspace: workspace, environment: sam)
        _ = try steward.fix(held[0].id, edits: ["email": "fixed.by.steward@example.com"])
        let reason = "duplicate of rebecca.scott1959@yahoo.ie, call 082 492 2965"
        _ = try steward.reject(held[1].id, reason: reason)
        // The steward reads them as written; the fix's history quotes the value it replaced.
        #expect(try steward.detail(held[0].id).history.contains { $0.detail.contains(old) })
        #expect(try steward.detail(held[1].id).record.resolution == reason)

        for user in ["ana", "vic"] {
            let environment = Environment.fixed(at: 1_764_300_000, user: user)
            let service = QuarantineService(workspace: workspace, environment: environment)
            let fixed = try service.detail(held[0].id)
            #expect(!fixed.history.isEmpty)
            #expect(fixed.history.allSatisfy { $0.detail == Workspace.withheldValue && $0.actor == "sam" })
            let rejected = try service.detail(held[1].id)
            #expect(rejected.record.resolution == Workspace.withheldValue)
            #expect(rejected.history.allSatisfy { !$0.detail.contains("082") && !$0.detail.contains("rebecca") })
            let audit = try workspace.reader(for: environment).auditEntries(LakeStore.AuditFilter(action: "quarantine.reject"))
            #expect(audit.map(\.reason) == [Workspace.withheldValue])
        }
        #expect(try workspace.reader(for: sam).auditEntries(LakeStore.AuditFilter(action: "quarantine.reject")).map(\.reason) == [reason])
    }
}

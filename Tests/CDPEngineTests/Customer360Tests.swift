import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// The gold layer against figures worked out by hand on a small CRM + marketing fixture, search quality,
/// profiles, masking and exports.
@Suite struct Customer360Tests {
    /// Tests/Fixtures/customer360: Ana Núñez is in the CRM (C1) and in marketing (M1, same email); John
    /// Smith in both (M2 carries his CRM id); Zoe Quinn only in the CRM, with a later bad version of her
    /// record held in quarantine; Lena Berg only in marketing. Event E9 names an unknown contact.
    static var fixture: URL {
        EngineFixture.repositoryRoot.appendingPathComponent("Tests/Fixtures/customer360")
    }

    static func workspace(_ name: String) throws -> Workspace {
        let folder = EngineFixture.temporaryFolder(name)
        try WorkspaceInitializer.initialize(at: folder.path, from: fixture.path, administrator: "ann")
        let workspace = try Workspace(at: folder.path)
        try EngineFixture.run(workspace)
        return workspace
    }

    static func service(_ workspace: Workspace, as user: String = "ann") -> Customer360Service {
        Customer360Service(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: user))
    }

    static func row(_ workspace: Workspace, _ record: String) throws -> LakeStore.Customer360Row {
        let service = service(workspace)
        let id = try service.find(record)
        return try #require(try workspace.store.customer360([id]).first)
    }

    @Test func customer360FiguresMatchTheHandComputedOnes() throws {
        let workspace = try Self.workspace("gold")
        #expect(try workspace.store.customer360Count() == 4)

        let ana = try Self.row(workspace, "crm_customers:C1")
        #expect(try Self.service(workspace).find("marketing_contacts:M1") == ana.golden)
        #expect(ana.displayName == "Ana Núñez")
        #expect(ana.sourceCount == 2)
        #expect(ana.sources == ["crm_customers", "marketing_contacts"])
        #expect(ana.firstSeen == "2023-06-01T00:00:00Z")
        #expect(ana.orders == 3)
        #expect(ana.lifetimeValue == 150.5)  // the cancelled order does not count
        #expect(ana.lastOrder == "2024-04-01")
        #expect(ana.campaignsReached == 1)
        #expect((ana.sent, ana.opens, ana.clicks, ana.conversions) == (1, 1, 1, 1))
        #expect(ana.conversionRevenue == 40)
        #expect(ana.lastEngagement == "2024-01-11T09:10:00Z")
        // Consent from the most recently updated record that states one: the CRM's, June 2024.
        #expect(ana.emailOptIn == true)
        #expect(ana.smsOptIn == false)
        #expect(ana.openQualityIssues == 0)

        let john = try Self.row(workspace, "crm_customers:C2")
        #expect(try Self.service(workspace).find("marketing_contacts:M2") == john.golden)
        #expect((john.orders, john.lifetimeValue) == (1, 10))
        #expect((john.campaignsReached, john.sent, john.opens, john.clicks) == (2, 2, 1, 0))
        #expect(john.lastEngagement == "2024-03-02T08:00:00Z")

        let zoe = try Self.row(workspace, "crm_customers:C3")
        #expect(zoe.email == "zoe.quinn@example.com")
        #expect(zoe.openQualityIssues == 1)
        #expect(zoe.orders == 0 && zoe.sent == 0)

        let lena = try Self.row(workspace, "marketing_contacts:M3")
        #expect((lena.sourceCount, lena.sent, lena.orders) == (1, 1, 0))
    }

    @Test func campaignPerformanceAndDailyEngagementMatchTheHandComputedOnes() throws {
        let workspace = try Self.workspace("campaigns")
        let campaigns = try workspace.query(
            "SELECT campaign_id, sent, unique_reached, opens, clicks, conversions, open_rate, click_rate, conversion_rate, revenue, cost_per_conversion FROM campaign_performance ORDER BY campaign_id",
            limit: 10, as: EngineFixture.clock)
        #expect(campaigns.rows.map { $0.map(\.text) } == [
            ["CMP1", "2", "2", "1", "1", "1", "0.5", "0.5", "0.5", "40", "100"],
            ["CMP2", "2", "2", "1", "0", "0", "0.5", "0", "0", "0", nil],
        ])
        let daily = try workspace.query(
            "SELECT channel, day, sent, opens, clicks, conversions, revenue FROM engagement_daily ORDER BY channel, day", limit: 10,
            as: EngineFixture.clock)
        #expect(daily.rows.map { $0.map(\.text) } == [
            ["email", "2024-01-10", "2", "0", "0", "0", "0"],
            ["email", "2024-01-11", "0", "1", "1", "1", "40"],
            ["sms", "2024-03-01", "2", "0", "0", "0", "0"],
            ["sms", "2024-03-02", "0", "1", "0", "0", "0"],
        ])
        let summary = try workspace.query("SELECT golden_records FROM match_summary", limit: 10, as: EngineFixture.clock)
        #expect(summary.rows.map { $0.map(\.text) } == [["4"]])
        let scorecard = try workspace.query(
            "SELECT failed FROM data_quality_scorecard WHERE rule = 'event_contact_exists'", limit: 10, as: EngineFixture.clock)
        #expect(scorecard.rows.map { $0.map(\.text) } == [["1"]])
    }

    /// Search text → the customer it must find first (one workspace for all cases: building one runs the pipeline).
    static let searchCases: [(text: String, expected: String)] = [
        ("nunez", "C1"), ("NÚÑEZ", "C1"), ("Nunex", "C1"), ("ana nuñez", "C1"), ("ana.nunez@example.com", "C1"),
        ("ANA.NUNEZ@EXAMPLE.COM", "C1"), ("07700 900002", "C2"), ("+44 7700 900002", "C2"), ("jsmith", "C2"),
        ("john smiht", "C2"), ("quin", "C3"), ("Zoe Qiunn", "C3"), ("lena berg", "M3"), ("Berg Lena", "M3"),
    ]

    @Test func searchToleratesCaseAccentsAndTypos() throws {
        let workspace = try Self.workspace("search")
        let service = Self.service(workspace)
        for (text, expected) in Self.searchCases {
            let source = expected.hasPrefix("M") ? "marketing_contacts" : "crm_customers"
            let golden = try service.find("\(source):\(expected)")
            let hits = try service.search(text)
            #expect(hits.first?.customer.golden == golden, "'\(text)' should find \(expected) first, found \(hits.map(\.customer.displayName))")
        }
        // As at a million customers, where every word is common: each word reads one customer before it
        // counts as common, so the other words are checked by probes, by intersection and by initials.
        for (text, expected) in [("john smith", "C2"), ("Smith J", "C2"), ("nunez a", "C1"), ("Zoe Qiunn", "C3"), ("lena berg", "M3")] {
            let source = expected.hasPrefix("M") ? "marketing_contacts" : "crm_customers"
            let golden = try service.find("\(source):\(expected)")
            let hits = try service.search(text, cap: 1)
            #expect(hits.first?.customer.golden == golden, "'\(text)' with every word common should find \(expected) first")
            #expect(hits.first?.wordsMatched == 2)
        }
        #expect(try service.search("xylophone").isEmpty)
        #expect(try service.search("   ").isEmpty)
    }

    @Test func theProfileHasProvenanceTimelineChartsIssuesAndMergeHistory() throws {
        let workspace = try Self.workspace("profile")
        let service = Self.service(workspace)
        let ana = try service.find("ana.nunez@example.com")
        let profile = try service.profile(ana)
        #expect(Set(profile.golden.members.map(\.description)) == ["crm_customers:C1", "marketing_contacts:M1"])
        #expect(profile.golden.attributes.first { $0.name == "email" }?.value == "ana.nunez@example.com")
        #expect(profile.timeline.map(\.kind) == ["order", "order", "order", "conversion", "click", "open", "sent"])
        #expect(profile.timeline.first?.at == "2024-04-01")
        #expect(profile.months == [.init(month: "2024-01", count: 3)])
        #expect(profile.channels == [.init(channel: "email", count: 3)])

        let zoe = try service.profile(try service.find("crm_customers:C3"))
        #expect(zoe.issues.count == 1)
        #expect(zoe.issues.first?.failures.contains { $0.rule == "email_format" } == true)

        // An unmerge shows in the merge history, and the gold layer follows on the next rebuild.
        try MatchReview(workspace: workspace, environment: EngineFixture.clock)
            .unmerge(ana, record: SourceRecordID(source: "marketing_contacts", key: "M1"), reason: "different people")
        #expect(try service.profile(ana).decisions.map(\.action) == ["golden.unmerge"])
        try service.rebuildGold(run: nil)
        #expect(try Self.row(workspace, "crm_customers:C1").sourceCount == 1)
        #expect(try workspace.store.customer360Count() == 5)
    }

    @Test func monthsWithoutEngagementAreZeroSoTheSparklineKeepsTime() {
        let months = Customer360Service.continuousMonths([("2023-11", 2), ("2024-02", 5)])
        #expect(months.map(\.month) == ["2023-11", "2023-12", "2024-01", "2024-02"])
        #expect(months.map(\.count) == [2, 0, 0, 5])
        #expect(Customer360Service.continuousMonths([("2020-01", 1), ("2024-12", 1)], limit: 12).count == 12)
    }

    @Test func anAnalystSeesTheProfileAndSearchResultsMasked() throws {
        let workspace = try Self.workspace("masked")
        let analyst = Self.service(workspace, as: "ana")
        let hit = try #require(try analyst.search("nunez").first)
        #expect(hit.customer.email == "a***@e******.com")
        #expect(hit.customer.lastName?.contains("Núñez") == false)
        let profile = try analyst.profile(hit.customer.golden)
        #expect(profile.golden.attributes.first { $0.name == "email" }?.value == "a***@e******.com")
        #expect(!profile.records.contains { $0.email == "ana.nunez@example.com" })
        // Their lookups by email still work: the search keys are never shown.
        #expect(try analyst.find("ana.nunez@example.com") == hit.customer.golden)
    }

    @Test func withoutViewPIINamesAreFoundWholeNeverByPrefix() throws {
        let workspace = try Self.workspace("masked-prefix")
        let analyst = Self.service(workspace, as: "ana")
        #expect(try analyst.search("nunez").count == 1)
        // Extending a prefix letter by letter would read back the name the mask hides.
        for prefix in ["nu", "nun", "nune"] {
            #expect(try analyst.search(prefix).isEmpty, "prefix \(prefix)")
        }
        let administrator = Self.service(workspace)
        #expect(try administrator.search("nun").count == 1)
    }

    @Test func exportsAreCompleteWellFormedAndMasked() throws {
        let workspace = try Self.workspace("export")
        var csv = ""
        let rows = try workspace.export("customer_360", format: .csv, as: EngineFixture.clock) { csv += $0 }
        #expect(rows == 4)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("golden_id,first_name,last_name,email,"))
        #expect(csv.contains("\"1 High St\"") == false && csv.contains("1 High St"))

        var json = ""
        try workspace.export("CAMPAIGN_PERFORMANCE", format: .json, as: EngineFixture.clock) { json += $0 }
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(parsed.count == 2)
        #expect(parsed[0]["campaign_id"] as? String == "CMP1")
        #expect(parsed[0]["sent"] as? Int == 2)
        #expect(parsed[1]["cost_per_conversion"] is NSNull)

        var markdown = ""
        try workspace.export("customer_360", format: .md, as: .fixed(at: 1_764_300_000, user: "ana")) { markdown += $0 }
        #expect(markdown.hasPrefix("| golden_id | first_name |"))
        #expect(markdown.contains("a***@e******.com"))
        #expect(!markdown.contains("ana.nunez@example.com"))

        #expect(throws: EngineError.self) { try workspace.export("no_such_table", format: .csv, as: EngineFixture.clock) { _ in } }
    }

    @Test func exportWriterQuotesEscapesAndKeepsNumbersNumbers() {
        #expect(ExportWriter.markdownCell("a|b\nc") == "a\\|b<br>c")
        #expect(ExportWriter.markdownCell("a\rb") == "a<br>b")
        var writer = ExportWriter(format: .json)
        let text = writer.header(["n", "s", "r"]) + writer.rows([[.integer(3), .text("x\"y"), .real(0.1)], [.null, .text("4"), .real(1200)]]) + writer.footer()
        #expect(text == "[\n  {\"n\": 3, \"s\": \"x\\\"y\", \"r\": 0.1},\n  {\"n\": null, \"s\": \"4\", \"r\": 1200}\n]\n")
        var csv = ExportWriter(format: .csv)
        #expect(csv.header(["=n", "s"]) + csv.rows([[.integer(-3), .text("-3")], [.real(-0.5), .text("=1+1")]]) == "'=n,s\n-3,-3\n-0.5,'=1+1\n")
    }

    @Test func theGoldLayerIsReadOnlyToQueries() throws {
        let workspace = try Self.workspace("readonly")
        #expect(throws: EngineError.self) { try workspace.query("DELETE FROM customer_360", limit: 1, as: EngineFixture.clock) }
        #expect(throws: EngineError.self) { try workspace.query("UPDATE campaign_performance SET revenue = 0", limit: 1, as: EngineFixture.clock) }
        #expect(try workspace.store.customer360Count() == 4)
    }
}

/// A user without `view_pii` who finds a customer by a whole e-mail or phone learns that its holder is a customer:
/// each such search is audited (the words withheld from readers without view_pii) and an hourly budget stops a list
/// of addresses being tried one by one.
@Suite(.serialized) struct ContactLookupBudgetTests {
    static func lookups(_ workspace: Workspace) throws -> [AuditEntry] {
        try workspace.repositories.audit.auditEntries(AuditFilter(action: Customer360Service.lookupAction, limit: 1_000))
    }

    @Test func findingACustomerByAWholeEmailIsAuditedForAMaskedUserOnly() throws {
        let workspace = try Customer360Tests.workspace("contact-lookup-audit")
        let analyst = Customer360Tests.service(workspace, as: "ana")
        #expect(try analyst.search("ana.nunez@example.com").count == 1)
        let entry = try #require(try Self.lookups(workspace).first)
        #expect(entry.actor == "ana" && entry.reason == "ana.nunez@example.com" && entry.after == "1 customer found")
        // A search by name is a lookup too (below). An address no customer has is a test all the same (its empty
        // answer says it is no customer's): counted and audited with its answer.
        #expect(try analyst.search("nobody.here@example.com").isEmpty)
        #expect(try Self.lookups(workspace).first?.after == "0 customers found")
        // `cdp customer show EMAIL` finds by e-mail too, and a miss counts there as well.
        _ = try analyst.find("ana.nunez@example.com")
        #expect(throws: EngineError.self) { _ = try analyst.find("nobody.else@example.com") }
        #expect(try Self.lookups(workspace).count == 4)
        // A steward with view_pii sees the values anyway: nothing to count.
        _ = try Customer360Tests.service(workspace).search("ana.nunez@example.com")
        _ = try Customer360Tests.service(workspace).search("nunez")
        #expect(try Self.lookups(workspace).count == 4)
        // The words are withheld from a reader without view_pii.
        let shown = try workspace.reader(for: .fixed(at: 1_764_300_000, user: "ana"))
            .auditEntries(AuditFilter(action: Customer360Service.lookupAction))
        #expect(!shown.isEmpty && !shown.contains { $0.reason?.contains("nunez") == true }, "\(shown)")
    }

    /// One search of several whole e-mails finds a customer only when every one is a customer's: each address is a
    /// lookup, audited and counted, and a search that would go past the budget is refused before anything is read.
    @Test func eachWholeEmailOfASearchIsALookup() throws {
        let workspace = try Customer360Tests.workspace("contact-lookup-many")
        let analyst = Customer360Tests.service(workspace, as: "ana")
        let three = "ana.nunez@example.com zoe.quinn@example.com lena.berg@example.com"
        _ = try analyst.search(three)
        let rows = try Self.lookups(workspace)
        #expect(rows.count == 3)
        #expect(Set(rows.compactMap(\.reason)) == ["ana.nunez@example.com", "zoe.quinn@example.com", "lena.berg@example.com"])
        for _ in 0..<(Customer360Service.lookupsPerHour - 5) { _ = try analyst.search("nunez ana.nunez@example.com") }
        // Two left in the hour: a search of three is refused whole, and nothing of it is read or counted.
        let refusal = #expect(throws: EngineError.self) { try analyst.search(three) }
        #expect(refusal?.code == .forbidden)
        #expect(refusal?.message.contains("this search has 3 more") == true, "\(refusal?.message ?? "")")
        #expect(try Self.lookups(workspace).count == Customer360Service.lookupsPerHour - 2)
        // A word that cannot be anyone's whole address (typed half-way) is no contact lookup: the search is one.
        _ = try analyst.search("ana.nunez@exa")
        #expect(try Self.lookups(workspace).count == Customer360Service.lookupsPerHour - 1)
    }

    @Test func pastTheHourlyBudgetAMaskedUsersLookupIsRefusedAndAudited() throws {
        let workspace = try Customer360Tests.workspace("contact-lookup-budget")
        let analyst = Customer360Tests.service(workspace, as: "ana")
        for _ in 0..<Customer360Service.lookupsPerHour {
            _ = try analyst.search("ana.nunez@example.com")
        }
        let refusal = #expect(throws: EngineError.self) { try analyst.search("ana.nunez@example.com") }
        #expect(refusal?.code == .forbidden)
        #expect(
            refusal?.message.contains("has made \(Customer360Service.lookupsPerHour) customer lookups in the last hour") == true,
            "\(refusal?.message ?? "")")
        #expect(try workspace.repositories.audit.auditEntries(AuditFilter(actor: "ana", action: "access.refused")).first?.target == "customer search")
        // A search by name is a lookup as well: refused too. An hour later the budget is whole again.
        #expect(throws: EngineError.self) { try analyst.search("nunez") }
        let later = Customer360Service(workspace: workspace, environment: .fixed(at: 1_764_300_000 + 3_601, user: "ana"))
        #expect(try later.search("ana.nunez@example.com").count == 1)
    }
}

/// Attack 9: a viewer read who is called what by searching common surnames one by one (3,411 of 5,684 customers in
/// 90 s, unaudited), each hit's score confirming the guess. Without view_pii every search is now a lookup (audited,
/// budgeted), a search that meets many customers lists none of them, and no score says how well a name met.
@Suite(.serialized) struct MaskedNameSearchTests {
    static let analyst = Environment.fixed(at: 1_764_300_000, user: "ana")

    @Test func aSearchByNameIsAnAuditedLookupWithoutAScore() throws {
        let workspace = try Customer360Tests.workspace("masked-name-lookup")
        let analyst = Customer360Tests.service(workspace, as: "ana")
        let hits = try analyst.search("nunez")
        #expect(hits.count == 1 && hits.allSatisfy { $0.score == nil && $0.wordsMatched == nil })
        let json = String(decoding: try JSONEncoder().encode(hits), as: UTF8.self)
        #expect(!json.contains("score") && !json.contains("wordsMatched"), "\(json)")
        let entry = try #require(try ContactLookupBudgetTests.lookups(workspace).first)
        #expect(entry.actor == "ana" && entry.reason == "nunez" && entry.after == "1 customer found")
        // A name nobody has is a lookup all the same: its empty answer says so.
        #expect(try analyst.search("zzyzx").isEmpty)
        #expect(try ContactLookupBudgetTests.lookups(workspace).count == 2)
        // With view_pii: scored, and nothing counted.
        #expect(try Customer360Tests.service(workspace).search("nunez").first?.score == 4)
        #expect(try ContactLookupBudgetTests.lookups(workspace).count == 2)
    }

    @Test func aCommonNameListsNoCustomerWithoutViewPII() throws {
        let workspace = try EngineFixture.sampleWorkspace("masked-common-name")
        try EngineFixture.run(workspace)
        let admin = Customer360Tests.service(workspace)
        // The sample's most common surname among golden customers, as the admin's search of it finds them.
        let surnames = try workspace.repositories.customer360.topCustomers(limit: 5_000).compactMap(\.lastName)
        let common = try #require(Dictionary(grouping: surnames, by: { $0.lowercased() }).max { $0.value.count < $1.value.count }?.key)
        #expect(try admin.search(common, limit: 1_000).count > Customer360Service.maskedAnswerLimit)

        let analyst = Customer360Service(workspace: workspace, environment: Self.analyst)
        let refusal = #expect(throws: EngineError.self) { try analyst.search(common, limit: 1_000) }
        #expect(refusal?.code == .refused)
        #expect(refusal?.message.contains("more than \(Customer360Service.maskedAnswerLimit) customers match") == true, "\(refusal?.message ?? "")")
        let entry = try #require(try ContactLookupBudgetTests.lookups(workspace).first)
        #expect(entry.after == "withheld: more than \(Customer360Service.maskedAnswerLimit) customers found")
        // A masked answer comes in golden id order, whatever matched best.
        let golden = try #require(try admin.search(common, limit: 1_000).first?.customer)
        let full = [golden.firstName, golden.lastName].compactMap { $0 }.joined(separator: " ")
        let found = try analyst.search(full, limit: 1_000).map(\.customer.golden.rawValue)
        #expect(!found.isEmpty && found == found.sorted(), "\(found)")
    }
}

import CDPCore
@testable import CDPEngine
import CDPStore
import CDPTestSupport
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

extension ConsoleFixture {
    /// A console over the CRM + marketing fixture of Tests/Fixtures/customer360, run through the whole
    /// pipeline (match and gold included); `ann` created it and is its admin.
    init(customer360 name: String, user: String = "ann", width: Int = 120, height: Int = 36) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = ScratchFolder.make("cdp-console-tests", "c360-\(name.filter(\.isLetter))")
        try WorkspaceInitializer.initialize(
            at: folder.path, from: root.appendingPathComponent("Tests/Fixtures/customer360").path, administrator: "ann")
        workspace = try Workspace(at: folder.path)
        _ = try WorkflowRunner(workspace: workspace, environment: Self.clock).run(workspace.workflow())
        backend = InMemoryBackend(width: width, height: height)
        app = ConsoleApp(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: user), theme: .mono, backend: backend)
    }
}

@Suite struct Customer360ScreenTests {
    @Test func searchAsYouTypeThenTheProfileWithItsPanes() throws {
        let f = try ConsoleFixture(customer360: "profile")
        var screen = try f.send("5")
        // Before any search: the customers of highest lifetime value, Ana (150.50) first.
        #expect(screen.contains("Customers · 4 golden · highest lifetime value"))
        let lines = screen.split(separator: "\n")
        let ana = try #require(lines.firstIndex { $0.contains("Ana Núñez") })
        let john = try #require(lines.firstIndex { $0.contains("John Smith") })
        #expect(ana < john)

        screen = try f.send("/nunex")
        #expect(screen.contains("'nunex': 1 found"))
        #expect(screen.contains("ana.nunez@example.com"))
        #expect(!screen.contains("John Smith"))

        screen = try f.send("<enter> <enter>")
        #expect(screen.contains("Customer G"))
        #expect(screen.contains("Ana Núñez · 2 source records"))
        #expect(screen.contains("crm_customers:C1"))       // provenance
        #expect(screen.contains("orders 3  value 150.50"))
        #expect(screen.contains("consent email in  sms out"))
        #expect(screen.contains("engagement per month 2024-01 … 2024-01"))
        #expect(screen.contains("t Timeline 7 │ s Records 2 │ i Issues 0 │ h Merge history 0"))
        // Newest first: the April order, then the cancelled one… down to January's campaign.
        let timeline = screen.split(separator: "\n").filter { $0.contains("order") || $0.contains("conversion") }
        #expect(timeline.first?.contains("2024-04-01") == true)
        #expect(screen.contains("Spring Mail"))

        screen = try f.send("s")
        #expect(screen.contains("marketing_contacts:M1"))
        #expect(screen.contains("ANA NUNEZ") || screen.contains("Ana Nunez"))

        // o: the golden record view, where an unmerge shows up in the profile's merge history.
        screen = try f.send("o")
        #expect(screen.contains("Golden record G1 · 2 source records"))
        let golden = try Customer360Service(workspace: f.workspace, environment: ConsoleFixture.clock).find("crm_customers:C1")
        try MatchReview(workspace: f.workspace, environment: ConsoleFixture.clock)
            .unmerge(golden, record: SourceRecordID(source: "marketing_contacts", key: "M1"), reason: "two people")
        screen = try f.send("q <ctrl-r> h")
        #expect(screen.contains("h Merge history 1"))
        #expect(screen.contains("golden.unmerge"))
    }

    @Test func anOpenIssueJumpsToItsQuarantineRecord() throws {
        let f = try ConsoleFixture(customer360: "issues")
        var screen = try f.send("5 /quinn <enter> <enter> i")
        #expect(screen.contains("i Issues 1"))
        #expect(screen.contains("email_format"))
        screen = try f.send("<enter>")
        #expect(screen.contains("zoe at example"))
        #expect(screen.contains("Quarantine") || screen.contains("Q"))
        // Back out to the profile.
        screen = try f.send("q")
        #expect(screen.contains("Customer G"))
    }

    @Test func anAnalystSeesTheProfileMasked() throws {
        let f = try ConsoleFixture(customer360: "masked", user: "ana")
        var screen = try f.send("5")
        #expect(screen.contains("PII masked"))
        #expect(!screen.contains("ana.nunez@example.com"))
        screen = try f.send("/nunez <enter> <enter>")
        #expect(screen.contains("a***@e******.com"))
        #expect(!screen.contains("Núñez"))
        #expect(!screen.contains("ana.nunez@example.com"))
        screen = try f.send("s")
        #expect(!screen.contains("ana.nunez@example.com"))
    }

    /// Without view_pii each customer search is an audited lookup with an hourly budget: typing a name must not spend
    /// one per letter, so the search runs on Enter.
    @Test func anAnalystsSearchRunsOnEnterAsOneAuditedLookup() throws {
        let f = try ConsoleFixture(customer360: "masked-enter", user: "ana")
        func lookups() throws -> Int {
            try f.workspace.store.auditEntries(LakeStore.AuditFilter(actor: "ana", action: Customer360Service.lookupAction)).count
        }
        var screen = try f.send("5 /nunez")
        #expect(screen.contains("Enter searches (each is audited)"), "\(screen)")
        #expect(screen.contains("highest lifetime value"))
        #expect(try lookups() == 0)
        // Esc leaves the search untouched: nothing to restore, nothing looked up.
        screen = try f.send("<esc>")
        #expect(try lookups() == 0)
        screen = try f.send("/nunez <enter>")
        #expect(screen.contains("'nunez': 1 found"), "\(screen)")
        #expect(try lookups() == 1)
        // With view_pii the list follows the keys as before, and nothing is counted.
        let steward = try ConsoleFixture(customer360: "clear-as-you-type")
        screen = try steward.send("5 /nunez")
        #expect(screen.contains("'nunez': 1 found"), "\(screen)")
    }

    @Test func analyticsSortsCampaignsAndChartsTheMetric() throws {
        let f = try ConsoleFixture(customer360: "analytics")
        var screen = try f.send("6")
        #expect(screen.contains("Analytics · 2 campaigns by revenue ▼ · 4 golden customers"))
        #expect(screen.contains("records 6 · auto-merged pairs"))
        #expect(screen.contains("golden 4"))
        var lines = screen.split(separator: "\n")
        #expect(try #require(lines.firstIndex { $0.contains("CMP1") }) < (try #require(lines.firstIndex { $0.contains("CMP2") })))
        #expect(screen.contains("By revenue"))
        #expect(screen.contains("50.0%"))   // CMP1: one of two recipients opened
        #expect(screen.contains("campaign_events"))  // the quality trend lists every source

        // s s s: revenue → conversion rate → click rate → open rate; r reverses.
        screen = try f.send("s")
        #expect(screen.contains("by conversion rate ▼"))
        screen = try f.send("s s s s")
        #expect(screen.contains("by cost per conversion ▲"))  // lower cost first; CMP2 has no budget and goes last
        lines = screen.split(separator: "\n")
        #expect(try #require(lines.firstIndex { $0.contains("CMP1") }) < (try #require(lines.firstIndex { $0.contains("CMP2") })))
        screen = try f.send("r")
        #expect(screen.contains("by cost per conversion ▼"))
    }

    @Test func everyCustomer360ScreenHasUniqueActionNamesAndKeys() throws {
        let f = try ConsoleFixture(customer360: "keys")
        for script in ["5", "<enter>", "6"] {
            try f.send(script)
            let names = f.app.current.actions.map(\.name)
            let keys = f.app.current.actions.flatMap(\.keys)
            #expect(Set(names).count == names.count)
            #expect(Set(keys).count == keys.count, "a key is bound twice on \(f.app.current.title)")
        }
    }

    @Test func anEmptyGoldLayerSaysHowToFillIt() throws {
        let f = try ConsoleFixture()
        let screen = try f.send("5")
        #expect(screen.contains("The gold layer is empty."))
        #expect(screen.contains("Run the pipeline (R)"))
    }
}

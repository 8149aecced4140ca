import CDPCore
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import CDPEngine
@testable import StewardConsole

/// Free text a steward typed, and history lines quoting a value as it was, are withheld on every screen
/// for a user without `view_pii`, as `cdp query` withholds them.
@Suite struct WithheldFreeTextScreenTests {
    static let reason = "customer Pilar González asked, phone 669443380"

    @Test func aRecordsHistoryAndTheAuditScreenWithholdFreeTextForAnAnalyst() throws {
        // Tests/Fixtures/customer360: Zoe Quinn's later CRM row is held for its e-mail "zoe at example".
        let f = try ConsoleFixture(customer360: "withheld-free-text")
        let workspace = f.workspace
        let held = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(text: "zoe at", limit: 1)).first)
        try QuarantineService(workspace: workspace, environment: ConsoleFixture.clock).fix(
            held.id, edits: ["email": "zoe.quinn@example.com"])
        let dictionary = DictionaryService(workspace: workspace, environment: ConsoleFixture.clock)
        let reference = DictionaryReference(parsing: "silver_customer.city")
        try dictionary.edit(reference, DictionaryChange(description: "Town of the address"), reason: Self.reason)

        // The admin reads the history and the reason as written.
        let (adminBackend, admin) = ReadBoundaryScreenTests.console(workspace, as: "ann")
        admin.push(QuarantineDetailScreen(id: held.id))
        #expect(try ReadBoundaryScreenTests.send("", adminBackend, admin).contains("zoe at example"))

        let (backend, analyst) = ReadBoundaryScreenTests.console(workspace, as: "ana")
        analyst.push(QuarantineDetailScreen(id: held.id))
        var screen = try ReadBoundaryScreenTests.send("", backend, analyst)
        #expect(screen.contains("History"))
        #expect(screen.contains("(withheld: needs view_pii)"))
        #expect(!screen.contains("zoe at example"))

        let (auditBackend, auditor) = ReadBoundaryScreenTests.console(workspace, as: "ana")
        screen = try ReadBoundaryScreenTests.send("4 / action:dictionary.edit <enter>", auditBackend, auditor)
        #expect(screen.contains("dictionary.edit"))
        #expect(!screen.contains("669443380"))
        screen = try ReadBoundaryScreenTests.send("<enter>", auditBackend, auditor)
        #expect(screen.contains("(withheld: needs view_pii)"))
        #expect(!screen.contains("669443380"))
        #expect(!screen.contains("Pilar"))
    }
}

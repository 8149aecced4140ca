import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import CDPStore
@testable import StewardConsole

/// The Dictionary tab: browse and filter, gaps, the editor's inline validation, history and diff,
/// suggestions, and the engine's refusals, driven by scripted keys on an in-memory terminal.
@Suite struct DictionaryScreenTests {
    func edit(_ f: ConsoleFixture, _ entry: String, _ change: DictionaryChange) throws {
        try DictionaryService(workspace: f.workspace, environment: ConsoleFixture.clock).edit(DictionaryReference(parsing: entry), change)
    }

    func version(_ f: ConsoleFixture, _ entry: String) throws -> DictionaryVersion {
        try DictionaryService(workspace: f.workspace, environment: ConsoleFixture.clock).entry(DictionaryReference(parsing: entry))
    }

    @Test func theTabBrowsesFiltersAndListsGaps() throws {
        let f = try ConsoleFixture()
        var screen = try f.send("7")
        #expect(screen.contains("7 Dict"))
        #expect(screen.contains("Data dictionary · 269 of 269 entries · 0 gaps"))
        #expect(screen.contains("bronze_row.raw"))

        screen = try f.send("/ tag:PII.Email <enter>")
        #expect(screen.contains("crm.email"))
        #expect(screen.contains("silver_customer.email "))
        #expect(!screen.contains("bronze_row.raw"))
        #expect(screen.contains("3 of 269 entries"))  // crm.email, silver_customer.email, customer_360.email

        try edit(f, "silver_customer.city", DictionaryChange(description: ""))
        try edit(f, "crm.born", DictionaryChange(classification: ""))
        screen = try f.send("c 7 m")
        #expect(screen.contains("2 gaps · gaps only"))
        #expect(screen.contains("silver_customer.city"))
        #expect(screen.contains("crm.born"))
        #expect(screen.split(separator: "\n").filter { $0.contains("— gap") }.count == 2)
        #expect(!screen.contains("bronze_row"))
        screen = try f.send("l")
        #expect(screen.contains("1 of 269 entries"))
        #expect(screen.contains("layer:bronze"))
        screen = try f.send("l l")
        #expect(screen.contains("no gaps: every entry has a description and a classification"))
    }

    @Test func theEditorValidatesAsYouTypeAndRefusesToSave() throws {
        let f = try ConsoleFixture()
        try f.send("7 / silver_customer.email <enter> <enter> e")
        #expect(f.screen.contains("Edit silver_customer.email · silver · from version 1"))
        #expect(f.screen.contains("nothing changed yet"))
        // Empty the description, name an unknown owner, add an unknown rule.
        var screen = try f.send("<ctrl-u> <tab> <tab> <tab> zed <tab> <tab> <tab> <tab> <tab> <end> , <space> nope")
        // Each message under its field (cut to the field's width) and whole beside the form.
        #expect(screen.contains("     description                                            ✗ 3 problems"))
        #expect(screen.contains("                 must not be empty: silver_customer.email…  description: must not be empty:"))
        #expect(screen.contains("           owner zed"))
        #expect(screen.contains("                 'zed' is not a user of governance/access…"))
        #expect(screen.contains("                 'nope' is not a rule in governance/rules…"))
        #expect(screen.contains("owner: 'zed' is not a user of"))
        #expect(screen.contains("✗ 3 problems: not saved until fixed"))
        assertTextSnapshot(screen, named: "dictionary-editor-problems")

        screen = try f.send("<enter>")
        #expect(f.app.message?.text == "not saved: fix description, owner, rules first")
        #expect(screen.contains("Edit silver_customer.email"))
        #expect(try version(f, "silver_customer.email").version == 1)

        // A narrow terminal still shows the field's message.
        screen = try f.send("<resize:80x24>")
        #expect(screen.contains("'nope' is not a rule"))
        #expect(screen.contains("Edit silver_customer.email"))
        try f.send("<resize:100x30>")

        // Fix every field: the rules (back as they were), the owner (a known user), the description.
        screen = try f.send("<ctrl-u> email_format <s-tab> <s-tab> <s-tab> <s-tab> <s-tab> <ctrl-u> ann")
        screen = try f.send("<s-tab> <s-tab> <s-tab> Customer <space> e-mail")
        #expect(screen.contains("✓ valid — Enter saves version 2"))
        #expect(screen.contains("+ owner = ann"))
        screen = try f.send("<enter>")
        #expect(f.app.message?.text == "saved silver_customer.email version 2: description, owner")
        #expect(screen.contains("Dictionary · silver_customer.email · silver · version 2"))
        let saved = try version(f, "silver_customer.email")
        #expect(saved.entry.description == "Customer e-mail")
        #expect(saved.entry.owner == "ann")
        #expect(saved.entry.rules == ["email_format"])
        #expect(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "dictionary.edit")).first?.actor == "ann")
    }

    @Test func escapeDiscardsTheEdits() throws {
        let f = try ConsoleFixture()
        try f.send("7 / silver_customer.city <enter> e Somewhere <esc>")
        #expect(f.app.message?.text == "edits discarded")
        #expect(try version(f, "silver_customer.city").version == 1)
    }

    @Test func historyListsVersionsAndDiffsTwo() throws {
        let f = try ConsoleFixture()
        try edit(f, "silver_customer.last_name", DictionaryChange(owner: "ann"))
        try edit(f, "silver_customer.last_name", DictionaryChange(description: "Surname.", classification: "restricted"))
        var screen = try f.send("7 / silver_customer.last_name <enter> h")
        #expect(screen.contains("History · silver_customer.last_name · 3 versions"))
        #expect(screen.contains("seeded from the workspace schema"))
        #expect(screen.contains("description, classification"))

        screen = try f.send("G <enter>")
        #expect(screen.contains("Diff · silver_customer.last_name · version 2 → 3"))
        assertTextSnapshot(screen, named: "dictionary-diff")
        #expect(screen.contains("  - confidential"))
        #expect(screen.contains("  + restricted"))
        #expect(!screen.contains("  + ann"))

        screen = try f.send("q g <space> G d")
        #expect(screen.contains("version 1 → 3"))
        #expect(screen.contains("owner"))
        #expect(screen.contains("  + ann"))

        try f.send("q g <enter>")
        #expect(f.app.message?.text.contains("version 1 is the first") == true)
    }

    @Test func aSuggestionFromTheDataCanBeAccepted() throws {
        let f = try ConsoleFixture()
        try edit(f, "silver_customer.email", DictionaryChange(classification: "internal", tags: [], rules: []))
        var screen = try f.send("7 / silver_customer.email <enter> s")
        #expect(screen.contains("Suggest · silver_customer.email"))
        assertTextSnapshot(screen, named: "dictionary-suggest")
        #expect(screen.contains("looks like email"))
        #expect(screen.contains("PII.Email"))
        #expect(screen.contains("email_format check"))
        screen = try f.send("a")
        #expect(f.app.message?.text == "accepted: silver_customer.email version 3: classification, tags, rules")
        #expect(screen.contains("Data dictionary"))
        #expect(try version(f, "silver_customer.email").entry.tags == ["PII.Email"])
    }

    @Test func everyActionHasAUniqueNameAndKeysOnTheDictionaryScreens() throws {
        let f = try ConsoleFixture()
        for script in ["7", "<enter>", "h", "q e", "<esc> q / silver_customer.email <enter> s"] {
            try f.send(script)
            let actions = f.app.allActions
            #expect(Set(actions.map(\.name)).count == actions.count)
            #expect(actions.allSatisfy { !$0.keys.isEmpty && !$0.help.isEmpty })
            let keys = f.app.current.actions.flatMap(\.keys)
            #expect(Set(keys).count == keys.count)
        }
    }
}

/// The engine's refusals and masking as a viewer or an analyst meets them in the Dictionary tab.
@Suite struct DictionaryAccessScreenTests {
    func console(as user: String) throws -> (Workspace, InMemoryBackend, ConsoleApp) {
        let prepared = try ConsoleFixture.makeWorkspace("dictionary-access-\(user)")
        try AccessScreenTests.access.write(
            to: prepared.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: prepared.root.path)
        let backend = InMemoryBackend(width: 100, height: 30)
        let app = ConsoleApp(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: user), theme: .mono, backend: backend)
        return (workspace, backend, app)
    }

    func send(_ script: String, _ backend: InMemoryBackend, _ app: ConsoleApp) throws -> String {
        try backend.enqueue(script: script)
        app.drainEvents(settle: true)
        return backend.screenText()
    }

    @Test func aViewerCannotOpenTheEditorAndTheRefusalIsAudited() throws {
        let (workspace, backend, app) = try console(as: "vic")
        let screen = try send("7 / silver_customer.email <enter> e", backend, app)
        #expect(app.message?.text.contains("vic (viewer) may not edit the data dictionary: missing permission edit_dictionary") == true)
        #expect(app.message?.severity == .error)
        #expect(!screen.contains("Edit silver_customer.email"))
        let refusal = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).first)
        #expect(refusal.actor == "vic")
        #expect(refusal.target == "dictionary.edit silver_customer.email")
    }

    @Test func anAnalystSeesPersonalExamplesMasked() throws {
        let (_, backend, app) = try console(as: "ana")
        let screen = try send("7 / silver_customer.email <enter> <enter>", backend, app)
        #expect(screen.contains("j***@e******.com"))
        #expect(!screen.contains("jane.doe@example.com"))
        let admin = try console(as: "ann")
        #expect(try send("7 / silver_customer.email <enter> <enter>", admin.1, admin.2).contains("jane.doe@example.com"))
    }
}

import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

@Suite struct WorkflowTests {
    @Test func editEmailThenReleaseMovesTheRecordToSilverWithAudit() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> e")
        #expect(f.screen.contains("would still fail email_format"))
        try f.send("<ctrl-u> bob@example.com")
        #expect(f.screen.contains("passes every rule"))
        #expect(f.screen.contains("+ email = bob@example.com"))
        try f.send("<enter>")
        #expect(try f.record(1).status == .fixed)
        #expect(try f.record(1).fields["email"] == "bob@example.com")
        #expect(f.app.message?.text.contains("fixed") == true)
        try f.send("r")
        #expect(try f.record(1).status == .released)
        #expect(f.app.message?.severity == .success)
        let audit = try f.workspace.store.auditEntries(LakeStore.AuditFilter(target: "Q1"))
        #expect(audit.map(\.action) == ["quarantine.release", "quarantine.fix"])
        #expect(audit.allSatisfy { $0.actor == "ann" })
        let silver = try f.workspace.store.query("SELECT email FROM silver_customer WHERE source_key = 'C2'")
        #expect(silver.rows.first?.first == "bob@example.com")
        // The audit screen shows it.
        let auditScreen = try f.send("q 4")
        #expect(auditScreen.contains("quarantine.release"))
    }

    @Test func releaseOfAnInvalidRecordIsRefusedNamingTheRule() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> r")
        #expect(try f.record(1).status == .open)
        #expect(f.app.message?.severity == .error)
        #expect(f.app.message?.text.contains("email_format") == true)
        #expect(f.screen.contains("cannot be released"))
    }

    @Test func rejectAsksForAReason() throws {
        let f = try ConsoleFixture()
        try f.send("2 j <enter> x")
        #expect(f.screen.contains("Reject Q2"))
        try f.send("test <space> row <space> from <space> QA <enter>")
        let record = try f.record(2)
        #expect(record.status == .rejected)
        #expect(record.resolution == "test row from QA")
        let audit = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(target: "Q2")).first)
        #expect(audit.action == "quarantine.reject")
        #expect(audit.reason == "test row from QA")
        // An empty reason keeps the dialog open, saying what is missing.
        try f.send("q j j <enter> x <enter>")
        #expect(f.screen.contains("a rejection needs a reason"))
        #expect(try f.record(3).status == .open)
    }

    @Test func rejectCanBeCancelled() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> x abc <esc>")
        #expect(try f.record(1).status == .open)
        #expect(f.app.message?.text == "cancelled")
    }

    @Test func fixAllLikeThisPreviewsCountAndApplies() throws {
        let f = try ConsoleFixture()
        // Q3 has email "n/a"; so do Q4 and Q5.
        try f.send("2 j j <enter> e <ctrl-u> unknown@example.com <enter>")
        #expect(try f.record(3).status == .fixed)
        try f.send("F")
        #expect(f.screen.contains("2 open records"))
        #expect(f.screen.contains("email_format with email = \"n/a\""))
        try f.send("y")
        #expect(try f.record(4).fields["email"] == "unknown@example.com")
        #expect(try f.record(5).fields["email"] == "unknown@example.com")
        #expect(try f.record(4).status == .fixed)
        #expect(try f.record(1).fields["email"] == "bob at example.com")
        #expect(f.app.message?.text.contains("fixed 2 records") == true)
        // Undo restores both.
        try f.send("u")
        #expect(try f.record(4).fields["email"] == "n/a")
        #expect(try f.record(5).fields["email"] == "n/a")
        #expect(try f.record(4).status == .open)
        // The single fix is next on the stack.
        try f.send("u")
        #expect(try f.record(3).fields["email"] == "n/a")
    }

    @Test func fixAllLikeThisCanBeDeclined() throws {
        let f = try ConsoleFixture()
        try f.send("2 j j <enter> e <ctrl-u> unknown@example.com <enter> F n")
        #expect(try f.record(4).fields["email"] == "n/a")
    }

    @Test func fixAllWithoutAPreviousFixExplains() throws {
        let f = try ConsoleFixture()
        try f.send("2 F")
        #expect(f.app.message?.severity == .warning)
        #expect(f.app.message?.text.contains("fix one record first") == true)
    }

    @Test func escapeDiscardsEdits() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> e <ctrl-u> q <esc>")
        #expect(try f.record(1).fields["email"] == "bob at example.com")
        #expect(f.screen.contains("Record Q1"))
        #expect(!f.app.isFinished)
    }

    @Test func paletteCompletesLongNamesAndRunsThem() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> : rel")
        #expect(f.screen.contains("release"))
        try f.send("<tab>")
        #expect(f.screen.split(separator: "\n")[28].hasPrefix(":release"))
        try f.send("<enter>")
        #expect(f.app.message?.text.contains("cannot be released") == true)
        try f.send(": aud <enter>")
        #expect(f.app.tab == 3)
    }

    @Test func paletteCompletionRules() {
        let names = ["filter", "filter-source", "filter-rule", "fix-all-like-this", "release", "reject"]
        #expect(PaletteCompletion.complete("fil", in: names) == "filter")
        #expect(PaletteCompletion.complete("filter-s", in: names) == "filter-source")
        #expect(PaletteCompletion.complete("re", in: names) == "re")
        #expect(PaletteCompletion.complete("rel", in: names) == "release")
        #expect(PaletteCompletion.candidates(for: "re", in: names) == ["release", "reject"])
        // Substring matches follow prefix matches.
        #expect(PaletteCompletion.candidates(for: "like", in: names) == ["fix-all-like-this"])
        #expect(PaletteCompletion.candidates(for: "", in: names) == names)
    }

    @Test func everyActionHasAUniqueNameAndKeysOnEachScreen() throws {
        let f = try ConsoleFixture()
        for script in ["", "2", "<enter>", "e", "<esc> q 3", "<enter>", "q 4"] {
            try f.send(script)
            let actions = f.app.allActions
            #expect(Set(actions.map(\.name)).count == actions.count)
            #expect(actions.allSatisfy { !$0.keys.isEmpty && !$0.help.isEmpty })
        }
    }

    @Test func theEditFormsCheckMatchesTheEngineVerdict() throws {
        let f = try ConsoleFixture()
        let record = try f.record(1)
        let service = QuarantineService(workspace: f.workspace, environment: ConsoleFixture.clock)
        let draft = try service.draft(record.id)
        #expect(try draft.failures(draft.shownValues).map(\.rule) == ["email_format"])
        var values = draft.shownValues
        values[try #require(draft.fieldNames.firstIndex(of: "email"))] = "bob@example.com"
        #expect(try draft.failures(values).isEmpty)
        #expect(try service.fix(record.id, edits: draft.edits(values)).status == .fixed)
    }
}

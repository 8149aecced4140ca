import CDPCore
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import CDPEngine
@testable import StewardConsole

/// The defects a new steward hit on a first day with the console (issue #19), each as they met it.
@Suite struct StewardDayDefectTests {
    /// The status row (the last) of the screen.
    static func statusRow(_ screen: String) -> String {
        String(screen.split(separator: "\n", omittingEmptySubsequences: false).last { !$0.isEmpty } ?? "")
    }

    @Test func aRuleFilterWithoutRecordsLeavesTheNextFilterWithASelectedRow() throws {
        let f = try ConsoleFixture()
        try f.send("2")
        try f.send("f key_unique <enter>")  // nothing open fails it
        #expect(f.screen.contains("rule key_unique"))
        #expect(f.screen.contains("Quarantine · 0 open+fixed"))
        try f.send("f all <enter>")  // every rule again
        #expect(f.screen.contains("Quarantine · 6 open+fixed"))
        try f.send("<enter>")
        #expect(f.screen.contains("Record Q1"))
        #expect(f.app.message?.text != "no record selected")
    }

    @Test func anEmptyRejectReasonKeepsTheDialogOpenAndTheNextKeysAreTheReason() throws {
        let f = try ConsoleFixture()
        let before = try f.record(1)
        try f.send("2 <enter> x <enter>")
        #expect(f.screen.contains("Reject Q1"))
        #expect(f.screen.contains("a rejection needs a reason: type it, or Esc to cancel"))
        #expect(!f.screen.contains("--reason"))
        assertTextSnapshot(f.screen, named: "reject-reason-missing")
        // Under a closed dialog, e would open the edit form and the next keys would edit the record.
        try f.send("e a")
        #expect(!f.screen.contains("editing"))
        #expect(!f.screen.contains("a rejection needs a reason"))
        try f.send("<esc>")
        let after = try f.record(1)
        #expect(after.status == .open && after.fields == before.fields)
        #expect(f.app.message?.text == "cancelled")
    }

    @Test func theStatusLineUsesTheWholeWidth() throws {
        let f = try ConsoleFixture(width: 220, height: 30)
        let long = String(repeating: "x", count: 100)
        try f.send(": \(long) <enter>")
        let status = Self.statusRow(f.screen)
        #expect(status.contains("no action \"\(long)\" here; Tab completes, ? lists the keys"), "\(status)")
        #expect(status.contains("last run R1 succeeded"))
    }

    @Test func aMessageIsClearedWhenAnotherScreenShowsAndTheLogKeepsIt() throws {
        let f = try ConsoleFixture()
        try f.send("3 <enter> e")
        #expect(Self.statusRow(f.screen).contains("log: errors and warnings only"))
        try f.send("5")
        #expect(f.app.message == nil)
        #expect(!f.screen.contains("log: errors and warnings only"))
        try f.send("<ctrl-p>")
        #expect(f.screen.contains("Messages"))
        #expect(f.screen.contains("log: errors and warnings only"))
        assertTextSnapshot(f.screen, named: "message-log")
    }

    @Test func goingBackClearsTheMessageOfTheScreenLeft() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> e <ctrl-u> bob@example.com <enter> r")
        #expect(f.app.message?.text.contains("Q1 released") == true)
        // q goes back to the list: the release's message was said on the record, not on the list.
        try f.send("q")
        #expect(f.app.message == nil)
        #expect(f.app.messageLog.map(\.message.text).contains { $0.contains("Q1 released") })
    }

    @Test func aReleaseIsUndoneByReopeningTheRecordAndTheUndoIsAudited() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> e <ctrl-u> bob@example.com <enter> r")
        #expect(try f.record(1).status == .released)
        #expect(f.app.message?.text.contains("u takes it back") == true)
        try f.send("u")
        #expect(try f.record(1).status == .fixed)
        #expect(f.app.message?.text.contains("undid the release of Q1") == true)
        let silver = try f.workspace.store.query("SELECT COUNT(*) FROM silver_customer WHERE source_key = 'C2'")
        #expect(silver.rows.first?.first == "0")
        try f.send("u")
        #expect(try f.record(1).fields["email"] == "bob at example.com")
        #expect(try f.record(1).status == .open)
        let actions = try f.workspace.store.auditEntries(LakeStore.AuditFilter(target: "Q1")).map(\.action)
        #expect(actions == ["quarantine.fix.undo", "quarantine.release.undo", "quarantine.release", "quarantine.fix"])
        #expect(try LakeVerifier(workspace: f.workspace).verify().problems == [])
    }

    @Test func aRejectedRecordIsReopenedWithAReason() throws {
        let f = try ConsoleFixture()
        try f.send("2 j <enter> x not <space> ours <enter>")
        #expect(try f.record(2).status == .rejected)
        try f.send("o <enter>")
        #expect(f.screen.contains("Reopen Q2"))
        #expect(f.screen.contains("reopening needs a reason"))
        try f.send("wrong <space> call <enter>")
        #expect(try f.record(2).status == .open)
        #expect(f.screen.contains("Record Q2 · open"))
        let audit = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(target: "Q2")).first)
        #expect(audit.action == "quarantine.reopen")
        #expect(audit.reason == "wrong call")
    }

    @Test func runLogsLeaveProgressToTheTaskTable() throws {
        let f = try ConsoleFixture()
        let store = f.workspace.store
        let started = ConsoleFixture.clock.timestamp
        let run = try store.startRun(
            workflow: "elsewhere", tasks: [.init(key: "load", step: "ingest", dependsOn: [])], actor: "bo", trigger: "cli", pid: 1,
            at: started)
        var task = TaskRunRecord(key: "load", position: 0, step: "ingest", dependsOn: [], state: .running, startedAt: started)
        try store.updateTask(run, task, event: RunEvent(run: run, task: "load", at: started, kind: .taskStarted, message: "load started"))
        for chunk in 1...40 {
            task.processed = chunk * 20_000
            task.total = 1_000_000
            try store.updateTask(
                run, task,
                event: RunEvent(
                    run: run, task: "load", at: started, kind: .progress, processed: chunk * 20_000, total: 1_000_000,
                    message: "customers.csv: \(chunk * 20_000) of ~1000000 rows"))
        }
        try f.send("3 <enter>")
        #expect(f.screen.contains("load started"))
        #expect(!f.screen.contains("of ~1000000 rows"))
        #expect(f.screen.contains("800,000/1,000,000"))
    }

    @Test func analyticsSaysWhatSentAndReachedCount() throws {
        let f = try ConsoleFixture(customer360: "legend", width: 160)
        let screen = try f.send("6")
        #expect(screen.contains("sent: messages sent · reached: distinct contacts sent to"))
    }

    @Test func theThemeChosenWithTIsRememberedForTheNextSession() throws {
        let settings = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-settings-\(UUID().uuidString)/cdp/console.json")
        let workspace = try ConsoleFixture.makeWorkspace("theme-remembered")
        let first = ConsoleApp(
            workspace: workspace, environment: ConsoleFixture.clock, theme: .dark, backend: InMemoryBackend(width: 100, height: 30),
            settingsFile: settings)
        first.handle(.key(.char("T")))
        #expect(first.theme.name == "light")
        #expect(try ConsoleSettings.load(from: settings).theme == "light")
        // The next session starts with it, unless --theme or NO_COLOR says otherwise.
        let next = try ConsoleApp.startingTheme(requested: nil, themesFolder: nil, settingsFile: settings, environment: [:])
        #expect(next.theme.name == "light" && next.note == nil)
        #expect(
            try ConsoleApp.startingTheme(requested: "mono", themesFolder: nil, settingsFile: settings, environment: [:]).theme.name
                == "mono")
        #expect(
            try ConsoleApp.startingTheme(requested: nil, themesFolder: nil, settingsFile: settings, environment: ["NO_COLOR": "1"]).theme
                .name == "mono")
        // A remembered theme that is gone falls back to dark and says so.
        try ConsoleSettings(theme: "vanished").save(to: settings)
        let fallback = try ConsoleApp.startingTheme(requested: nil, themesFolder: nil, settingsFile: settings, environment: [:])
        #expect(fallback.theme.name == "dark")
        #expect(fallback.note?.contains("vanished") == true)
    }

    @Test func theSettingsFileFollowsXDGConfigHome() {
        #expect(
            ConsoleSettings.defaultFile(environment: ["XDG_CONFIG_HOME": "/x/conf", "HOME": "/home/a"])?.path == "/x/conf/cdp/console.json")
        #expect(ConsoleSettings.defaultFile(environment: ["HOME": "/home/a"])?.path == "/home/a/.config/cdp/console.json")
        #expect(ConsoleSettings.defaultFile(environment: [:]) == nil)
    }
}

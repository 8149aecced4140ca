import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// Marking rows, bulk actions with a preview and one undo, pickers and palette arguments on the workbench.
@Suite struct BulkActionScreenTests {
    /// `email /( at |@@)/@/` as key script tokens.
    static let pattern = "email <space> /( <space> at <space> |@@)/@/"

    @Test func fixByPatternOnMarkedRowsThenReleaseTheFilterAndUndoItWhole() throws {
        let f = try ConsoleFixture()
        try f.send("2 <space> <space>")
        #expect(f.screen.contains("2 marked"))
        try f.send("p")
        #expect(f.screen.contains("Fix by pattern on 2 marked"))
        try f.send("\(Self.pattern) <enter>")
        #expect(f.screen.contains("Bulk fix · 2 of 2 marked"))
        #expect(f.screen.contains("bob at example.com"))
        #expect(f.screen.contains("bob@example.com"))
        #expect(f.screen.contains("yamada@example.jp"))
        #expect(try f.record(1).fields["email"] == "bob at example.com")  // a preview writes nothing
        assertTextSnapshot(f.screen, named: "bulk-preview")
        try f.send("<enter>")
        #expect(try f.record(1).fields["email"] == "bob@example.com")
        #expect(try f.record(2).fields["email"] == "yamada@example.jp")
        #expect(f.app.message?.text == "fixed 2 records (2 now pass); u undoes it all")
        #expect(!f.screen.contains("marked"))

        try f.send("t fixed <enter>")
        #expect(f.screen.contains("Quarantine · 2 fixed"))
        try f.send("r")
        #expect(f.screen.contains("Release on 2 records of all 2 matching the filter"))
        try f.send("<enter>")
        #expect(try f.record(1).status == .released && f.record(2).status == .released)
        let bulk = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.bulk.release")).first)
        #expect(bulk.actor == "ann" && bulk.target == "2 records (Q1…Q2)")
        #expect(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.release")).count == 2)

        // One u takes the whole release back, the next the whole fix.
        try f.send("u")
        #expect(try f.record(1).status == .fixed && f.record(2).status == .fixed)
        #expect(f.app.message?.text.contains("undid the bulk release: 2 records put back") == true)
        try f.send("u")
        #expect(try f.record(1).fields["email"] == "bob at example.com")
        #expect(try f.record(2).status == .open)
        #expect(try LakeVerifier(workspace: f.workspace).verify().problems == [])
    }

    @Test func rangesAndMarkAll() throws {
        let f = try ConsoleFixture()
        try f.send("2 v j j v")
        #expect(f.screen.contains("3 marked"))
        #expect(f.screen.contains("row 3 of 6"))
        try f.send("A")
        #expect(f.screen.contains("6 marked"))
        try f.send("A")
        #expect(!f.screen.contains("marked"))
    }

    @Test func rejectTheWholeFilterWithOneReason() throws {
        let f = try ConsoleFixture()
        try f.send("2 f born <enter> x <enter>")
        #expect(f.screen.contains("a rejection needs a reason"))
        try f.send("test <space> rows <enter>")
        #expect(f.screen.contains("Reject (test rows) on 1 record of all 1 matching the filter"))
        try f.send("<enter>")
        #expect(try f.record(6).status == .rejected)
        #expect(try f.record(6).resolution == "test rows")
        #expect(try f.record(1).status == .open)
    }

    @Test func aPreviewCanBeCancelledAndBadPatternsAreRefusedInTheDialog() throws {
        let f = try ConsoleFixture()
        try f.send("2 p email <enter>")
        #expect(f.screen.contains("write field /pattern/replacement/"))
        try f.send("<ctrl-u> email <space> /(/x/ <enter>")
        #expect(f.app.message?.text.contains("is not a valid regular expression") == true)
        try f.send("e email=n/a <enter>")
        #expect(f.screen.contains("left alone"))
        try f.send("n")
        #expect(f.app.message?.text == "cancelled; nothing changed")
        #expect(try f.record(1).fields["email"] == "bob at example.com")
    }

    @Test func thePickersShowCountsAndNarrowAsYouType() throws {
        let f = try ConsoleFixture()
        try f.send("2")  // the counts are the dashboard's, read in the background
        try f.send("f")
        #expect(f.screen.contains("rule · type to search"))
        #expect(f.screen.contains("all rules"))
        #expect(f.screen.range(of: #"email_format\s+5"#, options: .regularExpression) != nil)
        #expect(f.screen.range(of: #"key_unique\s+0"#, options: .regularExpression) != nil)
        assertTextSnapshot(f.screen, named: "rule-picker")
        try f.send("born")
        // The picker's own lines (the table behind it still shows every rule).
        let picker = f.screen.split(separator: "\n").drop { !$0.contains("rule · type to search") }.prefix { !$0.contains("└") }
        #expect(picker.contains { $0.contains("born_valid") })
        #expect(!picker.contains { $0.contains("email_format") || $0.contains("all rules") })
        try f.send("<enter>")
        #expect(f.screen.contains("Quarantine · 1 open+fixed · rule born_valid"))
        try f.send("s <esc>")
        #expect(f.app.message?.text == "cancelled")
        try f.send("t")
        #expect(f.screen.range(of: #"rejected\s+0"#, options: .regularExpression) != nil)
    }

    @Test func thePaletteTakesArguments() throws {
        let f = try ConsoleFixture()
        try f.send("2 : rule <space> email_format <enter>")
        #expect(f.screen.contains("Quarantine · 5 open+fixed · rule email_format"))
        try f.send(": source <space> crm <enter>")
        #expect(f.screen.contains("source crm"))
        try f.send(": source <space> nowhere <enter>")
        #expect(f.app.message?.text.hasPrefix("no source \"nowhere\"") == true)
        try f.send(": status <space> all <enter>")
        #expect(f.screen.contains("Quarantine · 5 all"))
    }

    /// Each row's failing value stands under the column's header: the value of the field its first rule checks.
    @Test func theFailingValueHasItsOwnColumn() throws {
        let f = try ConsoleFixture(width: 140)
        let lines = try f.send("2").split(separator: "\n").map { Array($0) }
        let header = try #require(lines.first { String($0).contains("failing value") })
        #expect(String(header).contains("rules"))
        /// Where a header starts, in characters (the rows tested are one column per character).
        func start(_ title: String) throws -> Int {
            try #require(String(header).range(of: title).map { String(header)[..<$0.lowerBound].count })
        }
        let (column, next) = (try start("failing value"), try start("first problem"))
        /// The text of the row holding `id` under the failing-value header, up to the next column.
        func failingValue(_ id: String) throws -> String {
            let row = try #require(lines.first { String($0).contains(" \(id) ") })
            return String(row[column..<next]).trimmingCharacters(in: .whitespaces)
        }
        #expect(try failingValue("Q6") == "1999-99-99")  // born_valid checks the birth date, not the e-mail
        #expect(try failingValue("Q1") == "bob at example.com")
        #expect(try failingValue("Q3") == "n/a")
    }

    /// `:export PATH` writes exactly the view: the filtered rows in their order, the columns shown in their order.
    @Test func exportWritesTheFilteredRowsAndTheShownColumns() throws {
        let f = try ConsoleFixture()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cdp-console-export-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The rule filter, then hide every column but id, name and the failing value (focus status, hide it, source
        // and key; past name hide line, age and rules; past the failing value the first problem).
        try f.send("2 f email_format <enter> ] ] - - - ] - - - ] -")
        let header = try #require(f.screen.split(separator: "\n").first { $0.contains(" id ") })
        #expect(!header.contains("status") && !header.contains("rules") && !header.contains("first problem"), "\(header)")
        try f.send(": export <space> \(path) <enter>")
        #expect(f.app.message?.text == "wrote 5 records × 3 columns to \(path) (csv)", "\(f.app.message?.text ?? "")")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == """
            id,name,failing value
            Q1,Bob Stone,bob at example.com
            Q2,山田 太郎,yamada@@example.jp
            Q3,Cy Moss,n/a
            Q4,Di Ray,n/a
            Q5,Ed Fox,n/a

            """)
        #expect(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.export")).first?.actor == "ann")
        // W asks for the file.
        try f.send("W")
        #expect(f.screen.contains("Export the view"))
    }

    /// The preview is worked out in the background, with progress, and Esc stops it: the keys never wait for it.
    @Test func aPreviewIsWorkedOutInTheBackgroundAndEscStopsIt() throws {
        let rows = (1...1_200).map { "C\($0),Ann,Lee,ann\($0) at example.com,1980-01-02" }
        let f = try ConsoleFixture(customers: "id,first,last,email,born\n" + rows.joined(separator: "\n") + "\n")
        // The preview is held at its start until Esc has been handled: Esc then stops it after its first batch,
        // whatever the machine's load (no race between the keys and the job's thread).
        let gate = DispatchSemaphore(value: 0)
        f.app.bulkJobGate = { gate.wait() }
        try f.send("2")
        try f.backend.enqueue(script: "p \(Self.pattern) <enter> <esc>")
        f.app.drainEvents()
        #expect(f.screen.contains("working out"), "\(f.screen)")
        gate.signal()
        f.app.bulkJobGate = nil
        f.app.drainEvents(settle: true)
        let message = try #require(f.app.message?.text)
        #expect(message == "stopped working out the preview after 500 of 1,200 records; nothing changed", "\(message)")
        #expect(try f.record(1).fields["email"] == "ann1 at example.com")
        #expect(f.screen.contains("Quarantine · 1,200"))
        // Without a stop it ends in the preview.
        try f.send("p \(Self.pattern) <enter>")
        #expect(f.screen.contains("Bulk fix · 1,200 of all 1,200 matching the filter"), "\(f.screen)")
    }

    @Test func bulkActionsAreRefusedBeforeAnythingIsAskedWithoutThePermission() throws {
        let prepared = try ConsoleFixture.makeWorkspace("bulk-access")
        try AccessScreenTests.access.write(to: prepared.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: prepared.root.path)
        _ = try WorkflowRunner(workspace: workspace, environment: ConsoleFixture.clock).run(workspace.workflow())
        let backend = InMemoryBackend(width: 100, height: 30)
        let app = ConsoleApp(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "ana"), theme: .mono, backend: backend)
        try backend.enqueue(script: "2 A p")
        app.drainEvents(settle: true)
        #expect(!backend.screenText().contains("Fix by pattern"))
        #expect(app.message?.text.contains("missing permission remediate_quarantine") == true)
        try backend.enqueue(script: "r")
        app.drainEvents(settle: true)
        #expect(!backend.screenText().contains("Bulk release"))
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).first?.target == "quarantine.bulk.release 6 records")
    }
}

extension BulkActionScreenTests {
    @Test func jAndKMoveThroughTheWorkbenchsRecordsInItsOrder() throws {
        let f = try ConsoleFixture()
        try f.send("2 f email_format <enter> <enter>")
        #expect(f.screen.contains("Record Q1"))
        try f.send("J")
        #expect(f.screen.contains("Record Q2"))
        try f.send("] ]")
        #expect(f.screen.contains("Record Q4"))
        try f.send("K")
        #expect(f.screen.contains("Record Q3"))
        try f.send("K K K")
        #expect(f.screen.contains("Record Q1"))
        #expect(f.app.message?.text == "this is the first record of the workbench")
    }
}

/// A bulk job goes on when the steward leaves its tab: the status bar shows its progress on every tab, and its end is
/// taken there (the message, the undo, the finished preview gone from the workbench's tab).
@Suite struct BulkJobAcrossTabsTests {
    /// The first two records fixed by pattern, then the fixed ones' release previewed (not started).
    static func twoFixedRecordsAboutToBeReleased() throws -> ConsoleFixture {
        let f = try ConsoleFixture()
        try f.send("2 <space> <space> p \(BulkActionScreenTests.pattern) <enter>")
        try f.send("<enter>")
        try f.send("t fixed <enter>")
        try f.send("r")
        return f
    }

    /// Ticks the console, as its own loop does, until no bulk job runs (at most 30 s).
    static func tickUntilNoJobRuns(_ f: ConsoleFixture) {
        let deadline = Date().addingTimeInterval(30)
        while !f.app.runningJobScreens.isEmpty, Date() < deadline {
            f.app.tick()
            usleep(10_000)
        }
    }

    @Test func aBulkReleaseGoesOnOnAnotherTabWithItsProgressInTheStatusBarAndEndsThere() throws {
        let f = try Self.twoFixedRecordsAboutToBeReleased()
        #expect(f.screen.contains("Release on 2 records"), "\(f.screen)")
        // The release is held at its start while the steward goes to Runs.
        let gate = DispatchSemaphore(value: 0)
        f.app.bulkJobGate = { gate.wait() }
        try f.backend.enqueue(script: "<enter> 3")
        f.app.drainEvents()
        #expect(ScreenSnapshotTests.title(f.screen).hasPrefix("╭ Runs"), "\(f.screen)")
        let statusLine = try #require(f.screen.split(separator: "\n").last.map(String.init))
        #expect(statusLine.contains("⟳ releasing 0/2"), "\(statusLine)")
        gate.signal()
        f.app.bulkJobGate = nil
        // Only the console's own ticks, on the Runs tab, take the release's end.
        Self.tickUntilNoJobRuns(f)
        #expect(f.app.runningJobScreens.isEmpty)
        f.app.draw()
        #expect(f.app.message?.text == "released 2 records; u undoes it all", "\(f.app.message?.text ?? "")")
        #expect(ScreenSnapshotTests.title(f.screen).hasPrefix("╭ Runs"))
        #expect(!f.screen.contains("⟳ releasing"))
        #expect(try f.record(1).status == .released && f.record(2).status == .released)
        // Back on the workbench: the list, re-read, not the finished preview (whose Enter would release again).
        try f.send("2")
        #expect(f.app.stacks[ConsoleApp.tabIndex("quarantine")].count == 1)
        #expect(ScreenSnapshotTests.title(f.screen).contains("Quarantine · 0 fixed"), "\(ScreenSnapshotTests.title(f.screen))")
        // One u still takes the whole release back.
        try f.send("u")
        #expect(try f.record(1).status == .fixed && f.record(2).status == .fixed)
    }
}

extension BulkJobAcrossTabsTests {
    /// A drill from the Dashboard replaced the workbench's stack, and with it a running job's screen: its end (the
    /// message, the one undo) was lost though the release went on. Now the drill waits until the job has ended.
    @Test func aDrillFromTheDashboardKeepsARunningJobAndItsUndo() throws {
        let f = try Self.twoFixedRecordsAboutToBeReleased()
        let gate = DispatchSemaphore(value: 0)
        f.app.bulkJobGate = { gate.wait() }
        try f.backend.enqueue(script: "<enter> 1 <enter>")
        f.app.drainEvents()
        #expect(f.app.message?.text.contains("a bulk job is running here") == true, "\(f.app.message?.text ?? "")")
        #expect(f.app.runningJobScreens.count == 1)
        gate.signal()
        f.app.bulkJobGate = nil
        Self.tickUntilNoJobRuns(f)
        f.app.draw()
        #expect(f.app.message?.text == "released 2 records; u undoes it all", "\(f.app.message?.text ?? "")")
        try f.send("u")
        #expect(try f.record(1).status == .fixed && f.record(2).status == .fixed)
    }

    /// Esc on a running release stops it after the batch it is in: what it released stays released (each record its
    /// own transaction and audit entry, one more for the bulk action, marked stopped) and one u takes it all back.
    @Test func escStopsARunningReleaseAfterItsBatchAndOneUndoTakesBackWhatItReleased() throws {
        let rows = (1...600).map { "C\($0),Ann,Lee,ann\($0) at example.com,1980-01-02" }
        let f = try ConsoleFixture(customers: "id,first,last,email,born\n" + rows.joined(separator: "\n") + "\n")
        try f.send("2 p \(BulkActionScreenTests.pattern) <enter>")
        try f.send("<enter>")
        #expect(f.app.message?.text == "fixed 600 records (600 now pass); u undoes it all", "\(f.app.message?.text ?? "")")
        try f.send("t fixed <enter>")
        try f.send("r")
        // The release is held at its start until Esc has been handled: Esc then stops it after its first batch.
        let gate = DispatchSemaphore(value: 0)
        f.app.bulkJobGate = { gate.wait() }
        try f.backend.enqueue(script: "<enter> <esc>")
        f.app.drainEvents()
        #expect(f.screen.contains("Esc stops after the current batch"), "\(f.screen)")
        gate.signal()
        f.app.bulkJobGate = nil
        f.app.drainEvents(settle: true)
        let batch = QuarantineService.bulkBatchSize
        #expect(f.app.message?.text == "released \(batch) records (stopped); u undoes it all", "\(f.app.message?.text ?? "")")
        let released = try f.workspace.reader(for: ConsoleFixture.clock).quarantineIDs(QuarantineFilter(statuses: [.released]))
        #expect(released.count == batch)
        #expect(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.release", limit: 1_000)).count == batch)
        let bulk = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.bulk.release")).first)
        #expect(bulk.after?.contains("\(batch) changed, 0 refused, stopped") == true, "\(bulk.after ?? "")")
        try f.send("u")
        #expect(try f.workspace.reader(for: ConsoleFixture.clock).quarantineIDs(QuarantineFilter(statuses: [.released])).isEmpty)
        #expect(try f.workspace.store.auditChainProblems().isEmpty)
    }
}

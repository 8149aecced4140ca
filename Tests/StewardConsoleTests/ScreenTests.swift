import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

@Suite struct ScreenTests {
    @Test func dashboardShowsCountsRulesTrendAndRuns() throws {
        let f = try ConsoleFixture()
        let screen = try f.send("")
        #expect(screen.contains("bronze 8"))
        #expect(screen.contains("silver 2"))
        #expect(screen.contains("quarantine 6"))
        #expect(screen.contains("email_format"))
        #expect(screen.contains("75.00%"))
        #expect(screen.contains("R1    succeeded"))
        assertTextSnapshot(screen, named: "dashboard")
    }

    @Test func statusBarShowsWorkspaceUserAndLastRun() throws {
        let f = try ConsoleFixture()
        let lines = try f.send("").split(separator: "\n", omittingEmptySubsequences: false)
        let status = String(lines[29])
        #expect(status.contains("Console Test · ann"))
        #expect(status.contains("last run R1 succeeded"))
    }

    @Test func quarantineDetailSnapshot() throws {
        let f = try ConsoleFixture()
        let screen = try f.send("2 <enter>")
        #expect(screen.contains("Record Q1"))
        #expect(screen.contains("✗ email       bob at example.com"))
        #expect(screen.contains("inbox/customers.csv · line 3 · batch B1 · run R1"))
        assertTextSnapshot(screen, named: "quarantine-detail")
    }

    @Test func failingFieldsUseTheErrorStyle() throws {
        let f = try ConsoleFixture(theme: .dark)
        try f.send("2 <enter>")
        let failing = try #require(f.backend.find("bob at example.com"))
        let passing = try #require(f.backend.find("1975-05-06"))
        #expect(f.backend.styledCell(x: failing.x, y: failing.y)?.style == Theme.dark[.error].patched(with: .plain).patched(with: Theme.dark[.text]).patched(with: Theme.dark[.error]) || f.backend.styledCell(x: failing.x, y: failing.y)?.style.fg == Theme.dark[.error].fg)
        #expect(f.backend.styledCell(x: passing.x, y: passing.y)?.style.fg != Theme.dark[.error].fg)
    }

    @Test func resizeBelowMinimumShowsMessageAndBackRedraws() throws {
        let f = try ConsoleFixture()
        try f.send("2")
        let small = try f.send("<resize:70x20>")
        #expect(small.contains("terminal too small (need 80×24, have 70×20)"))
        #expect(!small.contains("Quarantine"))
        // Keys other than q are ignored while too small.
        try f.send("j")
        let back = try f.send("<resize:100x30>")
        #expect(back.contains("Quarantine · 6 open+fixed"))
        #expect(back.split(separator: "\n").count == 30)
        #expect(!f.app.isFinished)
    }

    @Test func wideCharactersKeepTheTableAligned() throws {
        let f = try ConsoleFixture()
        let screen = try f.send("2")
        let rows = screen.split(separator: "\n").map(String.init).filter { $0.range(of: #"^│[▌ ][ ✓] Q\d"#, options: .regularExpression) != nil }
        #expect(rows.count == 6)
        let cjk = try #require(rows.first { $0.contains("山田 太郎") })
        // Display column where the rules column starts must be the same on every row.
        func column(of text: String, in row: String) -> Int? {
            row.range(of: text).map { TextWidth.of(row[..<$0.lowerBound]) }
        }
        let expected = try #require(column(of: "email_format", in: rows[0]))
        #expect(column(of: "email_format", in: cjk) == expected)
        #expect(TextWidth.of(cjk) == TextWidth.of(rows[0]))
    }

    @Test func helpOverlayListsTheCurrentScreensKeys() throws {
        let f = try ConsoleFixture()
        let dashboardHelp = try f.send("?")
        #expect(dashboardHelp.contains("Open the workbench filtered to the chosen count"))
        #expect(!dashboardHelp.contains("Release to silver"))
        try f.send("x")  // any key closes
        let detailHelp = try f.send("2 <enter> ?")
        #expect(detailHelp.contains("Release to silver"))
        #expect(detailHelp.contains("Reject with a reason"))
        #expect(detailHelp.contains("Apply the last fix to like records"))
        #expect(!detailHelp.contains("Open the workbench filtered to the chosen count"))
        let closed = try f.send("<esc>")
        #expect(!closed.contains("Release to silver"))
    }

    @Test func numberKeysFunctionKeysAndBack() throws {
        let f = try ConsoleFixture()
        #expect(try f.send("<f2>").contains("Quarantine · 6"))
        #expect(try f.send("3").contains("Runs · 1"))
        #expect(try f.send("4").contains("Audit log"))
        #expect(try f.send("<f1>").contains("Layers and sources"))
        try f.send("2 <enter>")
        #expect(f.screen.contains("Record Q1"))
        #expect(try f.send("q").contains("Quarantine · 6"))
        #expect(!f.app.isFinished)
        try f.send("q")
        #expect(f.app.isFinished)
    }

    @Test func ctrlCQuitsFromAnywhere() throws {
        let f = try ConsoleFixture()
        try f.send("2 <enter> e <ctrl-c>")
        #expect(f.app.isFinished)
    }

    @Test func slashFiltersTheQuarantineTable() throws {
        let f = try ConsoleFixture()
        let screen = try f.send("2 / n/a <enter>")
        #expect(screen.contains("Quarantine · 3 open+fixed"))
        #expect(screen.contains("Cy Moss"))
        #expect(!screen.contains("Bob Stone"))
        let cleared = try f.send("/ <ctrl-u> <enter>")
        #expect(cleared.contains("Quarantine · 6 open+fixed"))
    }

    @Test func statusRuleFiltersAndSorting() throws {
        let f = try ConsoleFixture()
        try f.send("2 f email_format <enter>")
        #expect(f.screen.contains("rule email_format"))
        #expect(f.screen.contains("Quarantine · 5 open+fixed"))
        try f.send("f born <enter>")
        #expect(f.screen.contains("Quarantine · 1 open+fixed"))
        // Sort by key descending: the first row is the highest key.
        try f.send("f all <enter> o o o o O")
        let rows = f.screen.split(separator: "\n").filter { $0.range(of: #"^│[▌ ][ ✓] Q\d"#, options: .regularExpression) != nil }
        #expect(rows.first?.contains("C7") == true)
        #expect(f.screen.contains("by key ▼"))
    }

    @Test func runsViewShowsTasksAndLog() throws {
        let f = try ConsoleFixture()
        let list = try f.send("3")
        #expect(list.contains("R1"))
        #expect(list.contains("succeeded"))
        let detail = try f.send("<enter>")
        #expect(detail.contains("● ingest"))
        #expect(detail.contains("● scorecard"))
        #expect(detail.contains("run succeeded"))
        let errors = try f.send("e")
        #expect(errors.contains("errors only"))
        #expect(!errors.contains("ingest started"))
    }

    @Test func runsViewFollowsARunStartedElsewhere() throws {
        let f = try ConsoleFixture()
        try f.send("3")
        #expect(f.screen.contains("Runs · 1"))
        // Another process (here: another runner on the same lake) starts a run.
        _ = try WorkflowRunner(workspace: f.workspace, environment: ConsoleFixture.clock).run(f.workspace.workflow())
        // A tick reads the runs again in the background; a frame after the read is in shows them.
        f.app.tick()
        f.app.waitForBackgroundReads()
        f.app.draw()
        #expect(f.screen.contains("Runs · 2"))
        #expect(f.screen.contains("R2"))
    }

    @Test func startRunFromTheConsoleFollowsIt() throws {
        let f = try ConsoleFixture()
        try f.send("R")
        var waited = 0.0
        while waited < 20, !(f.screen.contains("Run R2") && f.screen.contains("run succeeded")) {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
            f.app.tick()
            f.app.draw()
        }
        #expect(f.screen.contains("Run R2"))
        #expect(f.screen.contains("run succeeded"))
        let run = try #require(try f.workspace.store.run(RunID(2)))
        #expect(run.trigger == "console")
    }

    @Test func aRunStartedFromTheConsoleWhileAnotherHoldsTheLakeNamesItAndStartsNothing() throws {
        let f = try ConsoleFixture()
        let holder = RunLock.Holder(run: RunID(9), workflow: "customer_pipeline", actor: "carl", trigger: "cli", startedAt: "2026-12-06T10:00:00Z")
        let held = try RunLock.acquire(in: f.workspace.lakeFolder, for: holder)
        defer { held.release() }
        try f.send("R")
        var waited = 0.0
        while waited < 20, f.app.background.isRunning || f.app.message?.severity != .warning {
            Thread.sleep(forTimeInterval: 0.05)
            waited += 0.05
            f.app.tick()
            f.app.draw()
        }
        // The status line (cut to the room between its segments) starts with who holds the lake.
        #expect(f.app.message?.text == "R9 (customer_pipeline, carl, cli, pid \(getpid())) holds the lake: not started (one run at a time; try again when it ends)")
        #expect(f.screen.contains("R9 (customer_p"))
        #expect(try f.workspace.store.runs().count == 1)
    }

    @Test func themeKeyCyclesThemesLive() throws {
        let f = try ConsoleFixture(theme: .dark)
        try f.send("T")
        #expect(f.app.theme.name == "light")
        try f.send("T T T")
        #expect(f.app.theme.name == "dark")
        #expect(f.backend.styledCell(x: 0, y: 1)?.style.bg == Theme.dark[.background].bg)
    }
}

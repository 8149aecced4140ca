import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// The workbench's reads stay proportional to what is shown: ids once per filter, rows by id per
/// window, free text in memory.
@Suite struct ConsoleSpeedTests {
    @Test func slashFiltersTheTableAsYouTypeAndEscRestores() throws {
        let f = try ConsoleFixture()
        try f.send("2 / n")
        // No Enter yet: typing "/a" after "n" narrows the table to the three "n/a" e-mails at once.
        let typed = try f.send("/ a")
        #expect(typed.contains("Quarantine · 3 open+fixed"))
        #expect(typed.contains("Cy Moss"))
        #expect(!typed.contains("Bob Stone"))
        // Esc puts back the filter the prompt opened with (none).
        let restored = try f.send("<esc>")
        #expect(restored.contains("Quarantine · 6 open+fixed"))
        #expect(restored.contains("Bob Stone"))
        // Enter keeps what was typed.
        let kept = try f.send("/ y a m a d a <enter>")
        #expect(kept.contains("Quarantine · 1 open+fixed"))
        #expect(kept.contains("山田 太郎"))
    }

    @Test func textFilterIsCaseInsensitiveAndNarrowsLikeAFreshSearch() throws {
        let f = try ConsoleFixture()
        let index = try QuarantineSearchIndex(reader: f.workspace.reader(for: ConsoleFixture.clock))
        #expect(index.count == 6)
        let wide = index.positions(matching: "N")
        let narrow = index.positions(matching: "N/A", within: wide)
        #expect(narrow == index.positions(matching: "n/a"))
        #expect(narrow.map { index.ids[Int($0)] } == [3, 4, 5])
        // JSON keys are not searched: every record has a "first_name" field, but no value says so.
        #expect(index.positions(matching: "first_name").isEmpty)
        #expect(index.positions(matching: "FLO@").map { index.ids[Int($0)] } == [6])
        #expect(index.positions(matching: "no such text").isEmpty)
    }

    @Test func pagingAndFilteringReadByIdNotByOffset() throws {
        var csv = "id,first,last,email,born\n"
        for index in 1...500 {
            csv += "K\(index),First\(index),Last,\(index % 5 == 0 ? "gmail" : "bad")\(index) at example.com,1980-01-02\n"
        }
        let f = try ConsoleFixture(customers: csv)
        try f.send("2 G")
        #expect(f.screen.contains("K500"))
        let source = try #require(f.app.quarantineTableSource)
        let before = source.fetches
        try f.send("/ g m a i l <enter>")
        #expect(f.screen.contains("Quarantine · 100 open+fixed"))
        // Typing reads no rows from the store beyond the window shown.
        #expect(source.fetches - before <= 6)
        try f.send("G")
        #expect(f.screen.contains("K500"))
        try f.send("g")
        #expect(f.screen.contains("K5 "))
    }

    @Test func columnsHideMoveAndSortByTheFocusedColumn() throws {
        let f = try ConsoleFixture()
        try f.send("2")
        func header() -> String { f.screen.split(separator: "\n").first { $0.contains("first problem") }.map(String.init) ?? "" }
        #expect(header().contains("rules"))
        // Focus status (second column) and hide it.
        try f.send("] ] -")
        #expect(!header().contains("status"))
        #expect(f.screen.contains("hid status") || !header().contains("status"))
        // Focus moved on to source; move it left of id.
        try f.send("< <")
        let moved = header()
        let sourceAt = try #require(moved.range(of: "source")).lowerBound
        let idAt = try #require(moved.range(of: " id")).lowerBound
        #expect(sourceAt < idAt)
        // Sort by the focused column, then reverse it.
        try f.send("S")
        #expect(f.screen.contains("by source ▲"))
        try f.send("S")
        #expect(f.screen.contains("by source ▼"))
        // = brings every column back in the declared order.
        try f.send("=")
        #expect(header().contains("status"))
        let restored = header()
        #expect(try #require(restored.range(of: " id")).lowerBound < (try #require(restored.range(of: "source")).lowerBound))
    }

    @Test func dashboardRefreshesInTheBackground() throws {
        let f = try ConsoleFixture()
        try f.send("")
        #expect(f.screen.contains("R1"))
        _ = try WorkflowRunner(workspace: f.workspace, environment: ConsoleFixture.clock).run(f.workspace.workflow())
        let dashboard = try #require(f.app.stacks[0].first as? DashboardScreen)
        // Due: the tick starts a read and returns at once; a later tick takes the figures.
        dashboard.forceDue()
        #expect(dashboard.tick(app: f.app) == false)
        dashboard.waitForRefresh()
        #expect(dashboard.tick(app: f.app) == true)
        f.app.draw()
        #expect(f.screen.contains("R2"))
    }
}

extension ConsoleSpeedTests {
    @Test func typingBeforeTheSearchTextIsReadNeverWaits() throws {
        let f = try ConsoleFixture()
        try f.send("2")
        let source = try #require(f.app.quarantineTableSource)
        // Drop the search text as if it were still being read: the filter waits, the keys do not.
        source.reload()
        try f.backend.enqueue(script: "/ n / a")
        f.app.drainEvents()
        if source.isSearching {
            #expect(f.screen.contains("searching"))
        }
        // Once it is read, the next frame shows the matches.
        source.waitForSearch()
        f.app.draw()
        #expect(!source.isSearching)
        #expect(f.screen.contains("Quarantine · 3 open+fixed"))
        #expect(f.screen.contains("3 records match \"n/a\""))
    }
}

extension ConsoleSpeedTests {
    @Test func ruleFilterAndSortByAnotherColumnAreReadInTheBackgroundAndLandOnTheNextFrame() throws {
        let f = try ConsoleFixture()
        try f.send("2 f email_format <enter>")
        let source = try #require(f.app.quarantineTableSource)
        #expect(!source.isLoading)
        #expect(f.screen.contains("Quarantine · 5 open+fixed · rule email_format"))
        // Sorting by key reads in the background; the settled frame shows the new order.
        try f.send("o o o o")
        #expect(f.screen.contains("by key ▲"))
        let rows = f.screen.split(separator: "\n").filter { $0.range(of: #"^│[▌ ][ ✓] Q\d"#, options: .regularExpression) != nil }
        #expect(rows.first?.contains("C2") == true)
        // Going back to what is shown while a read is under way drops that read.
        try f.backend.enqueue(script: "t open <enter>")
        f.app.drainEvents()
        try f.send("t open+fixed <enter>")
        #expect(!source.isLoading)
        #expect(f.screen.contains("Quarantine · 5 open+fixed"))
    }
}

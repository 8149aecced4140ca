import CDPCore
@testable import CDPEngine
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// A text snapshot of every screen, at 100×30 on the fixtures' fixed clock, and `row N of M` in the title of
/// every list. Re-record on purpose with `CDP_RECORD_SNAPSHOTS=1`.
@Suite struct ScreenSnapshotTests {
    /// The title line of a screen (its second line, under the tabs).
    static func title(_ screen: String) -> String {
        screen.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
    }

    @Test func everyListSaysWhichRowIsSelectedOfHowMany() throws {
        let f = try ConsoleFixture()
        #expect(Self.title(try f.send("2 j")).contains("Quarantine · 6 open+fixed · row 2 of 6"))
        assertTextSnapshot(f.screen, named: "quarantine-list")
        #expect(Self.title(try f.send("3")).contains("Runs · 1 · row 1 of 1"))
        // The log is read in the background: a key pressed before it is there has no row to move to.
        try f.send("4")
        let audit = Self.title(try f.send("j"))
        #expect(audit.range(of: #"Audit log · (\d+) of \1 newest · row 2 of \1 · chain intact"#, options: .regularExpression) != nil, "\(audit)")
        let dictionary = Self.title(try f.send("7 j j"))
        #expect(dictionary.range(of: #"Data dictionary · (\d+) of \1 entries · \d+ gaps · row 3 of \1"#, options: .regularExpression) != nil, "\(dictionary)")
        assertTextSnapshot(f.screen, named: "dictionary")
        // The count follows a filter.
        #expect(Self.title(try f.send("2 f born <enter>")).contains("row 1 of 1"))
    }

    @Test func theReviewQueueAndCustomersSayWhichRowIsSelected() throws {
        let f = try ReviewFixture(user: "ann")
        let queue = Self.title(try f.send("8 j"))
        #expect(queue.range(of: #"Merge review · .* · row 2 of \d+"#, options: .regularExpression) != nil, "\(queue)")
        assertTextSnapshot(f.screen, named: "review-queue")
    }

    @Test func customersAnalyticsAndAProfile() throws {
        let f = try ConsoleFixture(customer360: "snapshots", width: 100, height: 30)
        let customers = Self.title(try f.send("5 j"))
        #expect(customers.range(of: #"Customers · \d+ golden · highest lifetime value · row 2 of \d+"#, options: .regularExpression) != nil, "\(customers)")
        assertTextSnapshot(f.screen, named: "customers")
        try f.send("<enter>")
        assertTextSnapshot(f.screen, named: "customer-profile")
        try f.send("6")
        assertTextSnapshot(f.screen, named: "analytics")
    }

    @Test func screensWithoutASnapshotElsewhere() throws {
        let f = try ConsoleFixture()
        try f.send("3 <enter>")
        assertTextSnapshot(f.screen, named: "run-detail")
        try f.send("4")
        assertTextSnapshot(f.screen, named: "audit")
        try f.send("<enter>")
        assertTextSnapshot(f.screen, named: "audit-entry")
        try f.send("7 <enter>")
        assertTextSnapshot(f.screen, named: "dictionary-entry")
        try f.send("q h")
        assertTextSnapshot(f.screen, named: "dictionary-history")
    }

    @Test func reviewScreensWithoutASnapshotElsewhere() throws {
        let f = try ReviewFixture(user: "ann")
        try f.send("8 <enter>")
        assertTextSnapshot(f.screen, named: "review-candidate")
        try f.send("c")
        assertTextSnapshot(f.screen, named: "review-cluster")
    }
}

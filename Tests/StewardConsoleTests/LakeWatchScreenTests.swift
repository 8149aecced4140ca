import CDPCore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import CDPEngine
@testable import StewardConsole

/// Two stewards at one queue: what another session commits shows in the console without a key — a claim in the
/// owner column, a decided record leaving the open list — with the cursor kept on the record it was on; a look that
/// finds nothing re-reads nothing.
@Suite struct LakeWatchScreenTests {
    static let sam = Environment.fixed(at: 1_764_300_000, user: "sam")

    static func row(_ screen: String, _ id: String) -> String? {
        screen.split(separator: "\n").map(String.init).first { $0.contains("│\(id) ") || $0.contains(" \(id) ") }
    }

    @Test func anotherStewardsClaimAndDecisionShowInTheWorkbenchAndTheCursorStays() throws {
        let f = try ConsoleFixture()
        // The cursor on Q3, the third of six held records.
        var screen = try f.send("2 j j")
        #expect(ScreenSnapshotTests.title(screen).contains("row 3 of 6"), "\(ScreenSnapshotTests.title(screen))")
        let workbench = try #require(f.app.current as? QuarantineListScreen)
        let fetches = try #require(workbench.dataSource?.fetches)

        // Nothing changed (ann's own visit is a read): the look re-reads nothing.
        f.app.waitForLakeWatch()
        #expect(f.app.watchLooks >= 1 && f.app.watchChanges == 0)
        #expect(workbench.dataSource?.fetches == fetches)

        // sam, in a session of his own, claims Q3 and rejects Q1.
        let other = try Workspace(at: f.workspace.root.path)
        try WorkAssignments(workspace: other, environment: Self.sam).claim([.quarantine(QuarantineID(3))])
        _ = try QuarantineService(workspace: other, environment: Self.sam).reject(QuarantineID(1), reason: "not a customer of ours")
        f.app.waitForLakeWatch()
        f.app.drainEvents(settle: true)
        screen = f.screen
        #expect(f.app.watchChanges == 1)
        #expect(Self.row(screen, "Q1") == nil, "\(screen)")
        #expect(Self.row(screen, "Q3")?.contains("sam*") == true, "\(screen)")
        // Still on Q3, now the second of five.
        #expect(
            ScreenSnapshotTests.title(screen).contains("5 open+fixed") && ScreenSnapshotTests.title(screen).contains("row 2 of 5"),
            "\(ScreenSnapshotTests.title(screen))")
        #expect(workbench.selectedRecord?.id == QuarantineID(3))
    }

    /// Within the half second before the console looks, a record another steward decided may still show: acting
    /// on it is refused by the engine, which reads the record's status again (the existing check), and the other's
    /// decision stands.
    @Test func aDecisionOnARecordAnotherStewardDecidedMeanwhileIsRefusedAndTheirsStands() throws {
        let f = try ConsoleFixture()
        _ = try f.send("2 <enter>")
        let other = try Workspace(at: f.workspace.root.path)
        _ = try QuarantineService(workspace: other, environment: Self.sam).reject(QuarantineID(1), reason: "not a customer of ours")
        _ = try f.send("x duplicate <enter>")
        #expect(f.app.message?.text == "Q1 is rejected; only open or fixed records can be rejected", "\(String(describing: f.app.message))")
        #expect(try f.record(1).resolution == "not a customer of ours")
    }

    /// `cdp bench watch` measures changes the console showed: each of another session's claims and let-gos reaches a
    /// frame (the delays are printed, never judged here), and it leaves no claim behind.
    @Test func theSecondStewardBenchmarkTimesEachChangeToItsFrame() throws {
        let f = try ConsoleFixture()
        let result = try ConsoleBenchmark(workspace: f.workspace, environment: ConsoleFixture.clock).runSecondSteward(rounds: 2)
        #expect(result.delaysMilliseconds.count == 2 && result.missed == 0, "\(result.report)")
        #expect(result.idleLookMilliseconds.count == 2)
        #expect(result.report.contains("another steward's change → frame"))
        #expect(try WorkAssignments(workspace: f.workspace, environment: ConsoleFixture.clock).holds(.quarantine).isEmpty)
    }

    /// Review's queue follows too: a pair another steward rejected leaves it, and the cursor stays on its pair.
    @Test func aPairAnotherStewardDecidedLeavesReviewsQueueAndTheCursorStays() throws {
        let f = try ReviewFixture(user: "sam")
        var screen = try f.send("8 j j")
        let lines = screen.split(separator: "\n").map(String.init)
        // A pair's row starts with its id, after the selection's ▌ on the selected row.
        func row(of id: CandidateID, in lines: [String]) -> Int? { lines.firstIndex { $0.contains("│ \(id) ") || $0.contains("▌\(id) ") } }
        let open = try f.review.candidates(status: .open, limit: 100).map(\.id)
        let shown = open.compactMap { id in row(of: id, in: lines).map { (id, $0) } }.sorted { $0.1 < $1.1 }.map(\.0)
        #expect(shown.count == 4)
        let first = try #require(shown.first)
        let chosen = shown[2]
        #expect(lines.contains { $0.contains("▌\(chosen) ") }, "\(screen)")

        let other = try Workspace(at: f.workspace.root.path)
        try MatchReview(workspace: other, environment: .fixed(at: 1_764_300_000, user: "ann")).reject(first, reason: "not the same person")
        f.app.waitForLakeWatch()
        f.app.drainEvents(settle: true)
        screen = f.screen
        #expect(!screen.contains("│ \(first) "), "\(screen)")
        #expect(screen.contains("▌\(chosen) ") && screen.contains("row 2 of 3"), "\(screen)")
    }

    /// The Dashboard's counts follow as well: read again at its next tick, not two seconds later.
    @Test func theDashboardCountsWhatAnotherStewardDecidedAtItsNextTick() throws {
        let f = try ConsoleFixture()
        /// The crm source's open, fixed and rejected counts.
        func crmCounts() -> [String] {
            let row = f.screen.split(separator: "\n").first { $0.contains("│ crm ") }
            return row.map { Array($0.split(separator: " ").map(String.init).dropFirst(5).prefix(3)) } ?? []
        }
        try f.send("")
        #expect(crmCounts() == ["6", "0", "0"], "\(f.screen)")
        let other = try Workspace(at: f.workspace.root.path)
        _ = try QuarantineService(workspace: other, environment: Self.sam).reject(QuarantineID(1), reason: "not a customer of ours")
        f.app.waitForLakeWatch()
        f.app.tick()
        f.app.drainEvents(settle: true)
        #expect(crmCounts() == ["5", "0", "1"], "\(f.screen)")
    }
}

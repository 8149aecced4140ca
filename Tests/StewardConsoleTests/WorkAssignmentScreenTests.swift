import CDPCore
@testable import CDPEngine
import CDPRepositories
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// Dividing the work in the console: `m` claims, `a` assigns, `M` lets go, `w` shows mine, unassigned or everyone's,
/// in the workbench and Review's queue; an item someone else holds is acted on only after a confirmation; quitting
/// releases the steward's claims. Everything goes through the engine and is audited.
@Suite struct WorkAssignmentScreenTests {
    static func rows(_ screen: String) -> [String] {
        screen.split(separator: "\n").map(String.init).filter { $0.contains(" open ") }
    }

    static func audit(_ workspace: Workspace, _ action: String) throws -> [AuditEntry] {
        try workspace.store.auditEntries(LakeStore.AuditFilter(action: action))
    }

    @Test func aStewardClaimsAssignsAndFiltersTheWorkbenchByOwner() throws {
        let f = try ConsoleFixture()
        var screen = try f.send("2")
        // The owner column shows once anyone holds a record.
        #expect(!screen.contains(" owner "))
        // m claims the selected row (Q1) for ann.
        screen = try f.send("m")
        #expect(f.app.message?.text == "claimed Q1 for 30 minutes")
        #expect(screen.contains(" owner ") && Self.rows(screen).first?.contains("ann*") == true, "\(Self.rows(screen))")
        let claim = try #require(try Self.audit(f.workspace, "work.claim").first)
        #expect(claim.actor == "ann" && claim.target == "Q1")

        // Space marks Q2 and Q3; a asks whom, and assigns both.
        _ = try f.send("j <space> <space> a")
        assertTextSnapshot(f.screen, named: "assign-dialog")
        screen = try f.send("sam <enter>")
        #expect(f.app.message?.text == "assigned 2 items to sam")
        let assigned = try Self.audit(f.workspace, "work.assign")
        #expect(Set(assigned.map(\.target)) == ["Q2", "Q3"] && assigned.allSatisfy { $0.after == "assigned to sam" })
        #expect(Self.rows(screen).filter { $0.contains(" sam ") }.count == 2)
        assertTextSnapshot(f.screen, named: "workbench-owners")

        // w picks whose records: mine is Q1 only; unassigned the other three; everyone's all six.
        _ = try f.send("w")
        assertTextSnapshot(f.screen, named: "owner-picker")
        screen = try f.send("mine <enter>")
        #expect(ScreenSnapshotTests.title(screen).contains("Quarantine · 1 open+fixed · mine"), "\(ScreenSnapshotTests.title(screen))")
        #expect(Self.rows(screen).count == 1 && Self.rows(screen)[0].contains("ann*"))
        screen = try f.send(": owner <space> unassigned <enter>")
        #expect(ScreenSnapshotTests.title(screen).contains("3 open+fixed · unassigned"), "\(ScreenSnapshotTests.title(screen))")
        #expect(Self.rows(screen).count == 3 && Self.rows(screen).allSatisfy { !$0.contains("ann*") && !$0.contains(" sam ") }, "\(screen)")
        screen = try f.send(": owner <space> everyone <enter>")
        #expect(Self.rows(screen).count == 6)

        // M lets go of ann's own claim.
        screen = try f.send("g M")
        #expect(f.app.message?.text == "unassigned Q1")
        #expect(try WorkAssignments(workspace: f.workspace, environment: ConsoleFixture.clock).hold(on: .quarantine(QuarantineID(1))) == nil)
    }

    @Test func aRecordSomeoneElseHoldsIsTakenOverOnlyAfterAConfirmation() throws {
        let f = try ConsoleFixture()
        try WorkAssignments(workspace: f.workspace, environment: .fixed(at: 1_764_300_000, user: "sam")).claim([.quarantine(QuarantineID(1))])
        var screen = try f.send("2")
        #expect(Self.rows(screen).first?.contains("sam*") == true)
        // Claiming it asks first; Esc leaves it with sam.
        _ = try f.send("m")
        assertTextSnapshot(f.screen, named: "take-over-confirm")
        #expect(f.screen.contains("Q1 is claimed by sam until"))
        _ = try f.send("<esc>")
        #expect(try WorkAssignments(workspace: f.workspace, environment: ConsoleFixture.clock).hold(on: .quarantine(QuarantineID(1)))?.owner == "sam")
        // Confirmed, ann takes it over, audited as such.
        screen = try f.send("m y")
        #expect(f.app.message?.text == "claimed Q1 for 30 minutes (taken over from sam)")
        #expect(Self.rows(screen).first?.contains("ann*") == true)
        #expect(try Self.audit(f.workspace, "work.take_over").first?.reason?.contains("work.claim taken over from sam") == true)

        // A reject of a record sam holds asks too, and is audited as a take-over once confirmed.
        try WorkAssignments(workspace: f.workspace, environment: .fixed(at: 1_764_300_000, user: "sam")).claim([.quarantine(QuarantineID(2))])
        _ = try f.send("<ctrl-r> j <enter> x not <space> a <space> customer <enter>")
        #expect(f.screen.contains("Q2 is claimed by sam"))
        _ = try f.send("y")
        #expect(try f.record(2).status == .rejected)
        #expect(try Self.audit(f.workspace, "work.take_over").first?.target == "Q2")
    }

    @Test func quittingReleasesTheStewardsClaimsButKeepsAssignments() throws {
        let f = try ConsoleFixture()
        _ = try f.send("2 m j a sam <enter>")
        let service = WorkAssignments(workspace: f.workspace, environment: ConsoleFixture.clock)
        #expect(try service.hold(on: .quarantine(QuarantineID(1)))?.owner == "ann")
        f.app.quit()
        #expect(f.app.isFinished)
        #expect(try service.hold(on: .quarantine(QuarantineID(1))) == nil)
        #expect(try service.hold(on: .quarantine(QuarantineID(2)))?.owner == "sam")
        #expect(try Self.audit(f.workspace, "work.release").map(\.target) == ["Q1"])
    }

    @Test func withoutAssignWorkTheAssignDialogIsRefusedBeforeItOpens() throws {
        let f = try ReviewFixture(user: "sam")
        _ = try f.send("2 a")
        #expect(f.app.modal == nil)
        #expect(f.app.message?.text.contains("missing permission assign_work") == true, "\(f.app.message?.text ?? "")")
    }

    @Test func reviewsQueueShowsOwnersClaimsPairsAndFiltersMine() throws {
        let f = try ReviewFixture(user: "ann")
        var screen = try f.send("8")
        #expect(!screen.contains(" owner "))
        screen = try f.send("m")
        let message = try #require(f.app.message?.text)
        let pair = try #require(message.split(separator: " ").dropFirst().first.map(String.init), "\(message)")
        #expect(message == "claimed \(pair) for 30 minutes" && pair.hasPrefix("P"))
        #expect(try Self.audit(f.workspace, "work.claim").first?.target == pair)
        screen = try f.send(": owner <space> mine <enter>")
        let pairs = screen.split(separator: "\n").filter { $0.contains(pair) && $0.contains("ann*") }
        #expect(pairs.count == 1 && ScreenSnapshotTests.title(screen).contains("mine"), "\(screen)")
        assertTextSnapshot(f.screen, named: "review-queue-mine")
        screen = try f.send(": owner <space> unassigned <enter>")
        #expect(!screen.contains("ann*"))
    }
}

extension WorkAssignmentScreenTests {
    @Test func aCommentJoinsTheRecordsThreadInItsHistoryPane() throws {
        let f = try ConsoleFixture()
        _ = try f.send("2 <enter> n")
        assertTextSnapshot(f.screen, named: "comment-dialog")
        _ = try f.send("called <space> the <space> customer <enter>")
        #expect(f.app.message?.text == "commented on Q1")
        _ = try f.send(": comment <space> new <space> e-mail <space> Monday <enter>")
        let screen = f.screen
        #expect(screen.contains("Comments"))
        #expect(screen.contains("ann called the customer") && screen.contains("ann new e-mail Monday"), "\(screen)")
        assertTextSnapshot(screen, named: "record-comments")
        #expect(try Self.audit(f.workspace, "work.comment").count == 2)
    }

    @Test func aPairsCommentsShowUnderItsRecords() throws {
        let f = try ReviewFixture(user: "sam")
        _ = try f.send("8 <enter> n not <space> the <space> same <space> Bob <enter>")
        #expect(f.app.message?.text.hasPrefix("commented on P") == true, "\(f.app.message?.text ?? "")")
        #expect(f.screen.contains("sam not the same Bob"), "\(f.screen)")
    }
}

extension WorkAssignmentScreenTests {
    /// Assigning many marked rows runs in the background with a progress bar, as a bulk release does: the keys never
    /// wait for the lake, and Esc stops it before anything is written. Left to run, every row is assigned in one
    /// transaction with its audit rows, and the chain stays verifiable.
    @Test func aLargeAssignmentRunsInTheBackgroundAndEscStopsItBeforeItWrites() throws {
        let rows = (1...1_200).map { "C\($0),Ann,Lee,ann\($0) at example.com,1980-01-02" }
        let f = try ConsoleFixture(customers: "id,first,last,email,born\n" + rows.joined(separator: "\n") + "\n")
        // The job is held at its start until Esc has been handled: Esc then stops it after its first batch of checks.
        let gate = DispatchSemaphore(value: 0)
        f.app.bulkJobGate = { gate.wait() }
        try f.send("2 A")
        try f.backend.enqueue(script: "a sam <enter> <esc>")
        f.app.drainEvents()
        #expect(f.screen.contains("Assigning 1,200 items to sam"), "\(f.screen)")
        assertTextSnapshot(f.screen, named: "work-job-progress")
        gate.signal()
        f.app.bulkJobGate = nil
        f.app.drainEvents(settle: true)
        #expect(f.app.message?.text == "stopped assigning 1,200 items to sam after checking 500 of 1,200; nothing changed", "\(f.app.message?.text ?? "")")
        let service = WorkAssignments(workspace: f.workspace, environment: ConsoleFixture.clock)
        #expect(try service.holds(.quarantine).isEmpty)
        #expect(try Self.audit(f.workspace, "work.assign").isEmpty)

        // The marks stay after a stop; left to run, it ends on the workbench with every row assigned and the marks cleared.
        try f.send("a sam <enter>")
        #expect(f.app.message?.text == "assigned 1,200 items to sam", "\(f.app.message?.text ?? "")")
        #expect(try service.holds(.quarantine).count == 1_200)
        #expect(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "work.assign", limit: 2_000)).count == 1_200)
        #expect(try f.workspace.store.auditChainProblems().isEmpty)
        #expect(f.screen.contains("Quarantine · 1,200"), "\(f.screen)")
        #expect((f.app.current as? QuarantineListScreen)?.dataSource?.markedCount == 0)
    }
}

import CDPCore
import CDPRepositories
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Dividing the work: claims that lapse and are released on quitting, assignments by a user allowed to assign,
/// holds respected by every action (taken over only when asked, audited), on records and candidate pairs.
@Suite struct WorkAssignmentsTests {
    static let start: Double = 1_764_300_000

    static func environment(_ user: String, at seconds: Double = start) -> Environment { .fixed(at: seconds, user: user) }

    /// A workspace holding two records (C2's and C3's bad e-mails), the first returned, with lee a lead
    /// (assign_work), sam and tom stewards, and ana an analyst.
    static func workspace(_ name: String) throws -> (Workspace, QuarantineID) {
        let header = QuarantineReopenTests.header
        let plain = try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules,
            files: [
                "customers1.csv":
                    "\(header)\nC1,Ann,Lee,ann@example.com,1980-01-02\nC2,Bob,Stone,bob at example.com,1975-05-06\nC3,Cy,Hill,cy at example.com,1971-01-01\n"
            ])
        try EngineFixture.run(plain)
        let workspace = try EngineFixture.withAccess(
            plain, roles: ["steward": ["view_pii", "remediate_quarantine", "decide_merges"], "analyst": ["run_workflows"], "lead": ["assign_work"]],
            users: ["sam": "steward", "tom": "steward", "ana": "analyst", "lee": "lead"])
        let held = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(statuses: [.open])).min { $0.id < $1.id })
        return (workspace, held.id)
    }

    static func audit(_ workspace: Workspace, _ action: String) throws -> [AuditEntry] {
        try workspace.store.auditEntries(LakeStore.AuditFilter(action: action))
    }

    @Test func aClaimIsTheClaimantsUntilItLapsesAndOthersAreRefusedUnlessTheyTakeItOver() throws {
        let (workspace, id) = try Self.workspace("claim")
        let item = WorkItem.quarantine(id)
        let sam = WorkAssignments(workspace: workspace, environment: Self.environment("sam"))
        let outcome = try sam.claim([item])
        #expect(outcome.changed == [item])
        let hold = try #require(try sam.hold(on: item))
        #expect(hold.owner == "sam" && hold.hold == .claim && hold.by == "sam")
        #expect(hold.expiresAt == ISOTime.timestamp(Self.start + WorkAssignments.claimLifetime))
        #expect(try sam.holds(.quarantine)[id.rawValue]?.owner == "sam")
        #expect(try sam.holds(.candidate).isEmpty)
        let claimed = try #require(try Self.audit(workspace, "work.claim").first)
        #expect(claimed.actor == "sam" && claimed.target == id.description && claimed.before == nil)

        // Ten minutes on, tom is refused, naming sam.
        let tom = WorkAssignments(workspace: workspace, environment: Self.environment("tom", at: Self.start + 600))
        let refusal = #expect(throws: EngineError.self) { try tom.claim([item]) }
        #expect(refusal?.code == .held)
        #expect(refusal?.message.contains("\(id) is claimed by sam until") == true)
        #expect(try tom.hold(on: item)?.owner == "sam")

        // Taking over is allowed, and says from whom.
        let taken = try tom.claim([item], takingOver: true)
        #expect(taken.takenOver.map(\.owner) == ["sam"])
        #expect(try tom.hold(on: item)?.owner == "tom")
        let takeOver = try #require(try Self.audit(workspace, "work.take_over").first)
        #expect(takeOver.actor == "tom" && takeOver.reason?.contains("work.claim taken over from sam") == true)
        #expect(takeOver.after?.hasPrefix("claimed by tom") == true)
        #expect(takeOver.before?.hasPrefix("claimed by sam") == true)

        // Past its lifetime the claim no longer holds: sam claims without taking anything over.
        let later = WorkAssignments(workspace: workspace, environment: Self.environment("sam", at: Self.start + 600 + WorkAssignments.claimLifetime + 1))
        #expect(try later.hold(on: item) == nil)
        #expect(try later.claim([item]).takenOver.isEmpty)
    }

    @Test func onlyAUserAllowedToAssignAssignsAndOnlyToSomeoneWhoMayActOnTheItem() throws {
        let (workspace, id) = try Self.workspace("assign")
        let item = WorkItem.quarantine(id)
        let sam = WorkAssignments(workspace: workspace, environment: Self.environment("sam"))
        let forbidden = #expect(throws: EngineError.self) { try sam.assign([item], to: "tom") }
        #expect(forbidden?.code == .forbidden && forbidden?.message.contains("assign_work") == true)
        #expect(try Self.audit(workspace, "access.refused").first?.target == "work.assign \(id) to tom")

        let lee = WorkAssignments(workspace: workspace, environment: Self.environment("lee"))
        let toAnalyst = #expect(throws: EngineError.self) { try lee.assign([item], to: "ana") }
        #expect(toAnalyst?.code == .refused && toAnalyst?.message.contains("ana (analyst) may not remediate quarantine") == true)

        try lee.assign([item], to: "tom")
        let hold = try #require(try lee.hold(on: item))
        #expect(hold.owner == "tom" && hold.hold == .assignment && hold.by == "lee" && hold.expiresAt == nil)
        let assigned = try #require(try Self.audit(workspace, "work.assign").first)
        #expect(assigned.actor == "lee" && assigned.after == "assigned to tom")
        // An assignment does not lapse.
        let muchLater = WorkAssignments(workspace: workspace, environment: Self.environment("lee", at: Self.start + 86_400 * 30))
        #expect(try muchLater.hold(on: item)?.owner == "tom")
        // Assigning again to the same steward changes nothing.
        #expect(try lee.assign([item], to: "tom").unchanged == [item])

        // sam may not take tom's assignment away; lee may.
        let refused = #expect(throws: EngineError.self) { try sam.unassign([item]) }
        #expect(refused?.code == .forbidden)
        try lee.unassign([item])
        #expect(try lee.hold(on: item) == nil)
        #expect(try Self.audit(workspace, "work.unassign").first?.before == "assigned to tom by lee")
    }

    @Test func quittingReleasesTheStewardsClaimsButNotTheirAssignments() throws {
        let (workspace, id) = try Self.workspace("release")
        let other = try #require(
            try workspace.store.quarantineRecords(LakeStore.QuarantineFilter()).first { $0.id != id }?.id,
            "the fixture holds a second record")
        let sam = WorkAssignments(workspace: workspace, environment: Self.environment("sam"))
        try sam.claim([.quarantine(id)])
        try WorkAssignments(workspace: workspace, environment: Self.environment("lee")).assign([.quarantine(other)], to: "sam")
        #expect(try sam.releaseClaims() == 1)
        #expect(try sam.hold(on: .quarantine(id)) == nil)
        #expect(try sam.hold(on: .quarantine(other))?.owner == "sam")
        let released = try #require(try Self.audit(workspace, "work.release").first)
        #expect(released.actor == "sam" && released.target == id.description && released.reason == "left the console")
    }

    @Test func anActionOnARecordSomeoneElseHoldsIsRefusedUnlessTakenOverAndTheTakeOverIsAudited() throws {
        let (workspace, id) = try Self.workspace("respect")
        try WorkAssignments(workspace: workspace, environment: Self.environment("sam")).claim([.quarantine(id)])
        let tom = QuarantineService(workspace: workspace, environment: Self.environment("tom"))
        let refusal = #expect(throws: EngineError.self) { try tom.reject(id, reason: "duplicate") }
        #expect(refusal?.code == .held && refusal?.message.contains("claimed by sam") == true)
        #expect(try tom.record(id).status == .open)
        // sam's own claim does not stand in sam's way.
        try QuarantineService(workspace: workspace, environment: Self.environment("sam")).fix(id, edits: ["email": "bob.stone@example.com"])

        let takingOver = QuarantineService(workspace: workspace, environment: Self.environment("tom"), takingOverHolds: true)
        try takingOver.reject(id, reason: "duplicate")
        #expect(try tom.record(id).status == .rejected)
        let audit = try #require(try Self.audit(workspace, "work.take_over").first)
        #expect(audit.actor == "tom" && audit.target == id.description && audit.after == "quarantine.reject by tom")
        #expect(audit.before?.hasPrefix("claimed by sam") == true)
    }

    @Test func aBulkActionLeavesRecordsSomeoneElseHoldsAndReportsThem() throws {
        let (workspace, id) = try Self.workspace("bulk")
        try WorkAssignments(workspace: workspace, environment: Self.environment("sam")).claim([.quarantine(id)])
        let tom = QuarantineService(workspace: workspace, environment: Self.environment("tom"))
        let plan = try tom.plan(.reject(reason: "test rows"), ids: [id])
        let outcome = try tom.apply(plan)
        #expect(outcome.applied.isEmpty)
        #expect(outcome.refused[id]?.contains("claimed by sam") == true)
        #expect(try tom.record(id).status == .open)
    }

    @Test func pairsAreClaimedAndRespectedAsRecordsAre() throws {
        let (plain, review, _, open) = try MatchReviewBulkTests.matched("claim-pairs")
        _ = review
        let workspace = try EngineFixture.withAccess(
            plain, roles: ["steward": ["view_pii", "remediate_quarantine", "decide_merges"]], users: ["sam": "steward", "tom": "steward"])
        let pair = try #require(open.first).id
        try WorkAssignments(workspace: workspace, environment: Self.environment("sam")).claim([.candidate(pair)])
        let tom = MatchReview(workspace: workspace, environment: Self.environment("tom"))
        let refusal = #expect(throws: EngineError.self) { try tom.reject(pair, reason: "different people") }
        #expect(refusal?.code == .held && refusal?.message.contains("\(pair) is claimed by sam") == true)
        try MatchReview(workspace: workspace, environment: Self.environment("tom"), takingOverHolds: true).reject(pair, reason: "different people")
        #expect(try Self.audit(workspace, "work.take_over").first?.target == pair.description)
        let missing = #expect(throws: EngineError.self) {
            try WorkAssignments(workspace: workspace, environment: Self.environment("sam")).claim([.candidate(CandidateID(999_999))])
        }
        #expect(missing?.code == .notFound && missing?.message.contains("P999999") == true)
    }

    /// Undoing a fix and reopening a decision change the record as a fix does: a record someone else holds now is
    /// refused (`.held`) unless taken over, and a bulk undo reports it rather than stopping.
    @Test func undoAndReopenRespectAHoldTakenSince() throws {
        let (workspace, id) = try Self.workspace("undo-held")
        let samFixes = QuarantineService(workspace: workspace, environment: Self.environment("sam"))
        let before = try samFixes.snapshot(id, fields: ["email"])
        _ = try samFixes.fix(id, edits: ["email": "bob.stone@example.com"])
        _ = try WorkAssignments(workspace: workspace, environment: Self.environment("tom")).claim([.quarantine(id)])

        let undo = #expect(throws: EngineError.self) { try samFixes.restore(before) }
        #expect(undo?.code == .held)
        #expect(try workspace.store.quarantineRecord(id)?.fields["email"] == "bob.stone@example.com")

        _ = try QuarantineService(workspace: workspace, environment: Self.environment("tom")).release(id)
        // The release ended tom's claim; tom claims the released record again, and that hold is respected.
        _ = try WorkAssignments(workspace: workspace, environment: Self.environment("tom")).claim([.quarantine(id)])
        let reopen = #expect(throws: EngineError.self) { try samFixes.reopen(id, reason: "released by mistake") }
        #expect(reopen?.code == .held)
        var takingOver = samFixes
        takingOver.takingOverHolds = true
        #expect(try takingOver.reopen(id, reason: "released by mistake").status != .released)
    }

    /// A large assignment reports its progress while it checks the items, and a stop before the write leaves
    /// everything as it was: nothing assigned, nothing audited.
    @Test func anAssignmentReportsProgressAndAStopBeforeTheWriteChangesNothing() throws {
        let (workspace, id) = try Self.workspace("assign-progress")
        let other = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter()).first { $0.id != id }?.id)
        let items: [WorkItem] = [.quarantine(id), .quarantine(other)]
        let lee = WorkAssignments(workspace: workspace, environment: Self.environment("lee"))
        let stopped = #expect(throws: EngineError.self) { try lee.assign(items, to: "sam", batchSize: 1) { _ in false } }
        #expect(stopped?.code == .cancelled && stopped?.message.contains("after checking 1; nothing changed") == true)
        #expect(try lee.holds(.quarantine).isEmpty)
        #expect(try Self.audit(workspace, "work.assign").isEmpty)

        var reports: [BulkProgress] = []
        let outcome = try lee.assign(items, to: "sam", batchSize: 1) { reports.append($0); return true }
        #expect(outcome.changed == items)
        #expect(reports == [BulkProgress(done: 1, total: 2), BulkProgress(done: 2, total: 2), BulkProgress(done: 2, total: 2)])
        #expect(try lee.holds(.quarantine).values.map(\.owner) == ["sam", "sam"])
        #expect(try Self.audit(workspace, "work.assign").count == 2)
        #expect(try workspace.store.auditChainProblems().isEmpty)
    }

    /// A decision ends the work on a record: released or rejected, it leaves its holder's list (audited as
    /// `work.release`, saying why, in the decision's transaction), and a reopen finds it unheld instead of giving it
    /// back to its old holder unseen. A fix keeps the hold: the record still waits for its release.
    @Test func aDecisionEndsTheHoldOnARecordAndAReopenFindsItUnheld() throws {
        let (workspace, id) = try Self.workspace("decided")
        let other = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter()).first { $0.id != id }?.id)
        let lee = WorkAssignments(workspace: workspace, environment: Self.environment("lee"))
        try lee.assign([.quarantine(id), .quarantine(other)], to: "sam")
        let sam = QuarantineService(workspace: workspace, environment: Self.environment("sam"))
        _ = try sam.fix(id, edits: ["email": "bob.stone@example.com"])
        #expect(try lee.hold(on: .quarantine(id))?.owner == "sam")
        _ = try sam.release(id)
        _ = try sam.reject(other, reason: "a test row")
        #expect(try lee.holds(.quarantine).isEmpty)
        let ended = try Self.audit(workspace, "work.release")
        #expect(ended.map(\.target).sorted() == [id.description, other.description].sorted())
        #expect(ended.allSatisfy { $0.actor == "sam" && $0.before == "assigned to sam by lee" })
        #expect(ended.first { $0.target == id.description }?.reason == "\(id) was released: a decision ends the work on it")
        #expect(ended.first { $0.target == other.description }?.reason == "\(other) was rejected: a decision ends the work on it")

        _ = try sam.reopen(id, reason: "released by mistake")
        #expect(try lee.hold(on: .quarantine(id)) == nil)
        #expect(try Self.audit(workspace, "work.release").count == 2)
        #expect(try workspace.store.auditChainProblems().isEmpty)
    }

    /// Approving or rejecting a pair ends the hold on it, as a record's decision does; undoing the decision reopens
    /// the pair unheld.
    @Test func aPairDecisionEndsTheHoldOnThePair() throws {
        let (plain, _, _, open) = try MatchReviewBulkTests.matched("decided-pairs")
        let workspace = try EngineFixture.withAccess(
            plain, roles: ["steward": ["view_pii", "remediate_quarantine", "decide_merges"], "lead": ["assign_work"]],
            users: ["sam": "steward", "lee": "lead"])
        let pair = try #require(open.first).id
        let lee = WorkAssignments(workspace: workspace, environment: Self.environment("lee"))
        try lee.assign([.candidate(pair)], to: "sam")
        try MatchReview(workspace: workspace, environment: Self.environment("sam")).reject(pair, reason: "different people")
        #expect(try lee.hold(on: .candidate(pair)) == nil)
        let ended = try #require(try Self.audit(workspace, "work.release").first)
        #expect(ended.target == pair.description && ended.actor == "sam" && ended.reason == "\(pair) was rejected: a decision ends the work on it")
        try MatchReview(workspace: workspace, environment: Self.environment("sam")).undo(pair)
        #expect(try lee.hold(on: .candidate(pair)) == nil)
        #expect(try lee.holds(.candidate).isEmpty)
    }
}

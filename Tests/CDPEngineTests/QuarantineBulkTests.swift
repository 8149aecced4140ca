import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Bulk changes: planned on the real values and previewed without writing, applied record by record in
/// batches (each audited, plus one entry for the whole), refused records counted, and undone whole.
@Suite struct QuarantineBulkTests {
    static let customers = """
        id,first,last,email,born
        C1,Ann,Lee,ann at example.com,1980-01-02
        C2,Bob,Stone,bob at example.com,1975-05-06
        C3,Cy,Moss,cy@@example.com,1970-01-01
        C4,Di,Ray,n/a,1971-01-01
        C5,Ed,Fox,ed at example.com,1999-99-99

        """

    static func workspace(_ name: String) throws -> (Workspace, QuarantineService) {
        let workspace = try EngineFixture.customerWorkspace(name, rules: EngineFixture.standardRules, files: ["customers.csv": customers])
        try EngineFixture.run(workspace)
        return (workspace, QuarantineService(workspace: workspace, environment: EngineFixture.clock))
    }

    static func all(_ workspace: Workspace) throws -> [QuarantineRecord] {
        try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(limit: 100))
    }

    @Test func aPatternFixIsPreviewedOnTheRealValuesThenAppliedAndUndoneWhole() throws {
        let (workspace, service) = try Self.workspace("bulk-pattern")
        let ids = try Self.all(workspace).map(\.id)
        #expect(ids.count == 5)
        let plan = try service.plan(.replace(field: "email", pattern: "( at |@@)", replacement: "@"), ids: ids)
        // C4's n/a does not match; the others do.
        #expect(plan.ids.map(\.rawValue) == [1, 2, 3, 5])
        #expect(plan.skipped.count == 1 && plan.skipped.values.first == "email does not match")
        #expect(plan.examples.first == BulkChangePreview(id: QuarantineID(1), before: "ann at example.com", after: "ann@example.com"))
        // Nothing written by the plan.
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.fields["email"] == "ann at example.com")

        var reports: [BulkProgress] = []
        let outcome = try service.apply(plan) { reports.append($0); return true }
        #expect(outcome.applied.count == 4)
        #expect(outcome.nowPassing == 3)  // C5 still fails born_valid
        #expect(reports.last == BulkProgress(done: 4, total: 4))
        #expect(try workspace.store.quarantineRecord(QuarantineID(3))?.fields["email"] == "cy@example.com")
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.status == .fixed)
        let fixes = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.fix"))
        #expect(fixes.count == 4)
        let bulk = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.bulk.fix")).first)
        #expect(bulk.target == "4 records (Q1…Q5)")
        #expect(bulk.after?.contains("4 changed, 0 refused") == true)

        let undone = try service.undo(outcome)
        #expect(undone.applied.count == 4)
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.fields["email"] == "ann at example.com")
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.status == .open)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.fix.undo")).count == 4)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.bulk.undo")).count == 1)
    }

    /// Which records a pattern matches would read back what the mask hides, and the audit log is read by every
    /// role: a bulk fix of a personal field needs view_pii, and its audit entry never holds the typed value.
    @Test func aBulkFixOfAPersonalFieldNeedsViewPIIAndItsAuditEntryIsMasked() throws {
        let (seeded, _) = try Self.workspace("bulk-masked")
        let workspace = try EngineFixture.withAccess(seeded, roles: ["fixer": ["remediate_quarantine"]], users: ["rita": "fixer"])
        let rita = QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "rita"))
        let ids = try Self.all(workspace).map(\.id)
        let personal: [BulkChange] = [
            .replace(field: "email", pattern: "^a", replacement: "a"), .set(field: "email", value: "ann at example.com"),
            .set(field: "born", value: "1980-01-02"),
        ]
        for change in personal {
            let refused = try #require(throws: EngineError.self) { try rita.plan(change, ids: ids) }
            #expect(refused.code == .forbidden, "\(change)")
        }
        let refusals = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused"))
        #expect(refusals.filter { $0.actor == "rita" && $0.target.hasPrefix("quarantine.bulk.fix") }.count == personal.count)
        // A release reads no personal value.
        #expect(try rita.plan(.release, ids: ids).asked == ids.count)

        let administrator = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        let typed = "secret.person@example.com"
        let outcome = try administrator.apply(try administrator.plan(.set(field: "email", value: typed), ids: [QuarantineID(1)]))
        _ = try administrator.undo(outcome)
        for action in ["quarantine.bulk.fix", "quarantine.bulk.undo"] {
            let bulk = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: action)).first)
            #expect(bulk.after?.contains(typed) == false, "\(action): \(bulk.after ?? "")")
            #expect(bulk.after?.contains("s***@e******.com") == true, "\(action): \(bulk.after ?? "")")
        }
    }

    @Test func aBulkReleaseLeavesFailingRecordsAloneAndIsUndoneWhole() throws {
        let (workspace, service) = try Self.workspace("bulk-release")
        let ids = try Self.all(workspace).map(\.id)
        _ = try service.apply(try service.plan(.set(field: "email", value: "fixed@example.com"), ids: [QuarantineID(1), QuarantineID(2)]))
        let plan = try service.plan(.release, filter: LakeStore.QuarantineFilter(statuses: [.open, .fixed]))
        #expect(plan.ids.map(\.rawValue) == [1, 2])
        #expect(plan.skipped[QuarantineID(3)] == "still fails email_format")
        #expect(plan.asked == ids.count)
        let outcome = try service.apply(plan)
        #expect(outcome.applied.count == 2)
        #expect(try workspace.store.query("SELECT COUNT(*) FROM silver_customer WHERE email = 'fixed@example.com'").rows.first?.first == "2")
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.release")).count == 2)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.bulk.release")).count == 1)
        _ = try service.undo(outcome)
        #expect(try workspace.store.query("SELECT COUNT(*) FROM silver_customer WHERE email = 'fixed@example.com'").rows.first?.first == "0")
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.release.undo")).count == 2)
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    @Test func aRecordDecidedMeanwhileIsRefusedNotOverwritten() throws {
        let (workspace, service) = try Self.workspace("bulk-decided")
        let plan = try service.plan(.reject(reason: "test rows"), ids: try Self.all(workspace).map(\.id))
        // Changed by someone else after the preview: refused, not overwritten.
        try service.reject(QuarantineID(2), reason: "mine")
        let outcome = try service.apply(plan)
        #expect(outcome.applied.count == 4)
        #expect(outcome.refused[QuarantineID(2)]?.contains("rejected") == true)
        #expect(try workspace.store.quarantineRecord(QuarantineID(2))?.resolution == "mine")
    }

    /// A stop asked for mid-way ends after the batch it is in: the records of earlier batches are changed, the rest
    /// are not, and the undo takes back exactly the changed ones.
    @Test func aStopMidWayLeavesTheRestAloneAndTheUndoCoversExactlyTheAppliedPart() throws {
        let (workspace, service) = try Self.workspace("bulk-stop")
        let plan = try service.plan(.set(field: "email", value: "fixed@example.com"), ids: try Self.all(workspace).map(\.id))
        #expect(plan.ids.map(\.rawValue) == [1, 2, 3, 4, 5])
        var reports: [BulkProgress] = []
        // Batches of two: stop when the first batch reports.
        let outcome = try service.apply(plan, batchSize: 2) { reports.append($0); return false }
        #expect(outcome.stopped)
        #expect(reports == [BulkProgress(done: 2, total: 5)])
        #expect(outcome.applied.map(\.rawValue) == [1, 2])
        let emails = try Self.all(workspace).sorted { $0.id.rawValue < $1.id.rawValue }.map { $0.fields["email"] ?? "" }
        #expect(emails == ["fixed@example.com", "fixed@example.com", "cy@@example.com", "n/a", "ed at example.com"])
        let bulk = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.bulk.fix")).first)
        #expect(bulk.after?.contains("2 changed, 0 refused, stopped") == true, "\(bulk.after ?? "")")

        // Someone fixes Q3 by hand afterwards; the undo must not touch it.
        try service.fix(QuarantineID(3), edits: ["email": "cy@example.com"])
        var undoReports: [BulkProgress] = []
        let undone = try service.undo(outcome, batchSize: 1) { undoReports.append($0); return true }
        #expect(undone.applied.map(\.rawValue) == [1, 2])
        #expect(undoReports.map(\.done) == [1, 2])
        let after = try Self.all(workspace).sorted { $0.id.rawValue < $1.id.rawValue }.map { $0.fields["email"] ?? "" }
        #expect(after == ["ann at example.com", "bob at example.com", "cy@example.com", "n/a", "ed at example.com"])
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.fix.undo")).map(\.target).sorted() == ["Q1", "Q2"])
    }

    /// An undo puts back only records that still hold what the bulk wrote: one a steward edited after the bulk is
    /// reported and keeps the steward's edit.
    @Test func anUndoLeavesARecordEditedAfterTheBulkAlone() throws {
        let (workspace, service) = try Self.workspace("bulk-undo-after-edit")
        let plan = try service.plan(.set(field: "email", value: "bulk@example.com"), ids: [QuarantineID(1), QuarantineID(2)])
        let outcome = try service.apply(plan)
        #expect(outcome.applied.map(\.rawValue) == [1, 2])
        let other = QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_100, user: "other"))
        try other.fix(QuarantineID(1), edits: ["email": "ann@right.example.com"])

        let undone = try service.undo(outcome)
        #expect(undone.applied.map(\.rawValue) == [2])
        #expect(undone.refused[QuarantineID(1)]?.contains("edited meanwhile") == true, "\(undone.refused)")
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.fields["email"] == "ann@right.example.com")
        #expect(try workspace.store.quarantineRecord(QuarantineID(2))?.fields["email"] == "bob at example.com")
    }

    /// A fix by value (as a fix by pattern) is made from the values the preview read: a record edited by someone else
    /// after the preview is refused and reported, never overwritten, and a record released meanwhile is refused too.
    @Test func aSetFixRefusesARecordEditedOrReleasedAfterThePreview() throws {
        let (workspace, service) = try Self.workspace("bulk-set-meanwhile")
        let plan = try service.plan(.set(field: "email", value: "bulk@example.com"), ids: [QuarantineID(1), QuarantineID(2), QuarantineID(3)])
        #expect(plan.ids.map(\.rawValue) == [1, 2, 3])
        let other = QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_100, user: "other"))
        try other.fix(QuarantineID(1), edits: ["email": "ann.lee@example.com"])
        try other.fix(QuarantineID(2), edits: ["email": "bob@example.com"])
        try other.release(QuarantineID(2))

        let outcome = try service.apply(plan)
        #expect(outcome.applied.map(\.rawValue) == [3])
        #expect(outcome.refused[QuarantineID(1)]?.contains("edited meanwhile") == true, "\(outcome.refused)")
        #expect(outcome.refused[QuarantineID(2)]?.contains("released") == true, "\(outcome.refused)")
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.fields["email"] == "ann.lee@example.com")
        #expect(try workspace.store.quarantineRecord(QuarantineID(2))?.status == .released)
        #expect(try workspace.store.quarantineRecord(QuarantineID(3))?.fields["email"] == "bulk@example.com")
        let bulk = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "quarantine.bulk.fix")).first)
        #expect(bulk.after?.contains("1 changed, 2 refused") == true, "\(bulk.after ?? "")")
        // The undo puts back what the preview read for the one record it changed.
        let undone = try service.undo(outcome)
        #expect(undone.applied.map(\.rawValue) == [3])
        #expect(try workspace.store.quarantineRecord(QuarantineID(3))?.fields["email"] == "cy@@example.com")
        #expect(try workspace.store.quarantineRecord(QuarantineID(1))?.fields["email"] == "ann.lee@example.com")
    }

    /// A plan reads the records in batches and reports after each; a stop ends it without a plan.
    @Test func aPlanReportsProgressAndCanBeStopped() throws {
        let (workspace, service) = try Self.workspace("bulk-plan-progress")
        let ids = try Self.all(workspace).map(\.id)
        var reports: [BulkProgress] = []
        _ = try service.plan(.release, ids: ids) { reports.append($0); return true }
        #expect(reports == [BulkProgress(done: 5, total: 5)])
        let many = (1...1_200).map { QuarantineID(Int64($0)) }
        reports = []
        let stopped = #expect(throws: EngineError.self) { try service.plan(.release, ids: many) { reports.append($0); return false } }
        #expect(stopped?.code == .cancelled)
        #expect(reports == [BulkProgress(done: QuarantineService.bulkPlanBatchSize, total: 1_200)])
    }

    @Test func badInputIsRefusedBeforeAnythingIsPlanned() throws {
        let (workspace, service) = try Self.workspace("bulk-refused")
        let ids = try Self.all(workspace).map(\.id)
        let pattern = #expect(throws: EngineError.self) { try service.plan(.replace(field: "email", pattern: "(", replacement: ""), ids: ids) }
        #expect(pattern?.message.contains("is not a valid regular expression") == true)
        let field = #expect(throws: EngineError.self) { try service.plan(.set(field: "shoe_size", value: "9"), ids: ids) }
        #expect(field?.message.contains("unknown field shoe_size") == true)
        let reason = #expect(throws: EngineError.self) { try service.plan(.reject(reason: " "), ids: ids) }
        #expect(reason?.message.contains("needs a reason") == true)
    }
}

extension QuarantineBulkTests {
    /// After a fix by pattern the records fail nothing, yet "release every record of email_format" must find them:
    /// a record that is no longer open keeps the rules it was held for; an open one matches only what it fails now.
    @Test func aRuleSelectsTheRecordsFixedFromItNotTheOnesStillOpenForAnother() throws {
        let (workspace, service) = try Self.workspace("bulk-held-for")
        let emails = LakeStore.QuarantineFilter(rule: "email_format", statuses: [.open, .fixed])
        _ = try service.apply(try service.plan(.replace(field: "email", pattern: "( at |@@)", replacement: "@"), filter: emails))
        // Q1–Q3 are fixed; Q5 is open for born_valid only; Q4 (n/a) still fails email_format.
        let plan = try service.plan(.release, filter: emails)
        #expect(plan.ids.map(\.rawValue) == [1, 2, 3])
        #expect(plan.skipped.keys.map(\.rawValue) == [4])
        let born = try service.plan(.release, filter: LakeStore.QuarantineFilter(rule: "born_valid", statuses: [.open, .fixed]))
        #expect(born.asked == 1 && born.skipped[QuarantineID(5)] == "still fails born_valid")
        _ = try service.apply(plan)
        // Released records keep it too: the rule's history stays findable.
        let released = try workspace.store.quarantineRecords(LakeStore.QuarantineFilter(rule: "email_format", statuses: [.released]))
        #expect(released.map(\.id.rawValue) == [1, 2, 3])
    }
}

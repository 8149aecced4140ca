import CDPCore
import CDPRepositories
import Foundation
import Testing

@testable import CDPStore

/// Claims and assignments as the store keeps them: live until they lapse, one hold per item, a change refused
/// when the item changed hands since it was read, and every change written with its audit row.
@Suite struct WorkClaimStoreTests {
    static let now = "2026-01-01T10:00:00Z"

    static func change(_ item: WorkItem, from expected: String?, to owner: String?, hold: WorkClaim.Hold = .claim, expires: String? = nil)
        -> WorkClaimChange
    {
        WorkClaimChange(
            item: item, expectedOwner: expected,
            claim: owner.map { WorkClaim(item: item, owner: $0, hold: hold, by: $0, since: now, expiresAt: expires) },
            audit: AuditDraft(actor: owner ?? "lee", action: owner == nil ? "work.unassign" : "work.claim", target: item.description))
    }

    @Test(arguments: StoreKind.allCases) func holdsAreLiveUntilTheyLapseAndKeptPerKind(kind: StoreKind) throws {
        let store = try kind.make()
        let record = WorkItem.quarantine(QuarantineID(3)), pair = WorkItem.candidate(CandidateID(3))
        try store.applyWorkClaimChanges(
            [
                Self.change(record, from: nil, to: "sam", expires: "2026-01-01T10:30:00Z"),
                Self.change(pair, from: nil, to: "tom", hold: .assignment),
            ], at: Self.now)
        #expect(try store.workClaims(.quarantine, at: Self.now).map(\.owner) == ["sam"])
        #expect(try store.workClaims(.candidate, at: Self.now).map(\.owner) == ["tom"])
        #expect(try store.workClaims([pair, record], at: Self.now).map(\.item) == [pair, record])
        // At its expiry the claim no longer holds; the assignment has none.
        #expect(try store.workClaims(.quarantine, at: "2026-01-01T10:30:00Z").isEmpty)
        #expect(try store.workClaims([pair], at: "2027-01-01T00:00:00Z").first?.hold == .assignment)
        #expect(try store.auditEntries(AuditFilter(action: "work.claim")).map(\.target).sorted() == ["P3", "Q3"])
    }

    @Test(arguments: StoreKind.allCases) func aChangeIsRefusedWhenTheItemChangedHandsSinceItWasReadAndNothingIsWritten(kind: StoreKind) throws {
        let store = try kind.make()
        let first = WorkItem.quarantine(QuarantineID(1)), second = WorkItem.quarantine(QuarantineID(2))
        try store.applyWorkClaimChanges([Self.change(second, from: nil, to: "sam", expires: "2026-01-01T10:30:00Z")], at: Self.now)
        let audited = try store.auditEntries(AuditFilter()).count
        // tom read both as free; second was claimed by sam meanwhile: the whole change is refused.
        let error = #expect(throws: StoreError.self) {
            try store.applyWorkClaimChanges([Self.change(first, from: nil, to: "tom"), Self.change(second, from: nil, to: "tom")], at: Self.now)
        }
        #expect(error?.code == .conflict && error?.message.contains("Q2 changed hands meanwhile: sam holds it now") == true)
        #expect(try store.workClaims([first], at: Self.now).isEmpty)
        #expect(try store.auditEntries(AuditFilter()).count == audited)
        // A lapsed claim counts as nobody's.
        try store.applyWorkClaimChanges([Self.change(second, from: nil, to: "tom")], at: "2026-01-02T00:00:00Z")
        #expect(try store.workClaims([second], at: "2026-01-02T00:00:00Z").first?.owner == "tom")
        // Taking the hold off removes it.
        try store.applyWorkClaimChanges([Self.change(second, from: "tom", to: nil)], at: "2026-01-02T00:00:00Z")
        #expect(try store.workClaims(.quarantine, at: "2026-01-02T00:00:00Z").isEmpty)
    }

    /// A bulk assignment is one transaction whose audit rows are written in one go: a row per item, chained, and one
    /// `audit.anchor` line for the whole action (it wrote a line, and a commit hook, per row: 5,000 items took a minute).
    @Test func aBulkChangeWritesARowPerItemAndOneAnchorLine() throws {
        let store = try StoreKind.onDisk.make()
        let path = try #require(store.path)
        let anchor = AuditAnchor.file(besideDatabase: path)
        try store.appendAudit(AuditDraft(actor: "lee", action: "test.start", target: "T1"), at: Self.now)
        let linesBefore = try String(contentsOfFile: anchor, encoding: .utf8).split(separator: "\n").count
        let items = (1...1_200).map { WorkItem.quarantine(QuarantineID(Int64($0))) }
        try store.applyWorkClaimChanges(items.map { Self.change($0, from: nil, to: "sam", hold: .assignment) }, at: Self.now)
        #expect(try store.workClaims(.quarantine, at: Self.now).count == 1_200)
        let claims = try store.auditEntries(AuditFilter(action: "work.claim", limit: 5_000))
        #expect(claims.count == 1_200)
        // In the changes' order, right after the row before them.
        #expect(claims.map(\.target).reversed() == items.map(\.description))
        #expect(claims.last?.id == AuditEntryID(2))
        let lines = try String(contentsOfFile: anchor, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == linesBefore + 1)
        #expect(lines.last?.hasPrefix("1201 \(claims[0].hash) ") == true)
        #expect(try store.auditChainProblems().isEmpty)
    }
}

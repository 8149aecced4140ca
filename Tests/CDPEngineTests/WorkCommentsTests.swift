import CDPCore
import CDPRepositories
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// A record's or pair's comment thread: author, time and text, each an audit row; withheld from a reader without
/// `view_pii` as every free text is; refused without the permission to act on the item.
@Suite struct WorkCommentsTests {
    static func workspace(_ name: String) throws -> (Workspace, QuarantineID) {
        let (plain, id) = try WorkAssignmentsTests.workspace(name)
        return (plain, id)
    }

    @Test func commentsMakeAThreadInOrderEachAnAuditRowAndOnlyTheirOwnItems() throws {
        let (workspace, id) = try Self.workspace("comments")
        let sam = WorkComments(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "sam"))
        let tom = WorkComments(workspace: workspace, environment: .fixed(at: 1_764_300_060, user: "tom"))
        try sam.comment(on: .quarantine(id), text: "  called the branch: the customer moved  ")
        try tom.comment(on: .quarantine(id), text: "new address comes Monday")
        let thread = try tom.thread(of: .quarantine(id))
        #expect(thread.map(\.author) == ["sam", "tom"])
        #expect(thread.map(\.text) == ["called the branch: the customer moved", "new address comes Monday"])
        #expect(thread.map(\.at) == [ISOTime.timestamp(1_764_300_000), ISOTime.timestamp(1_764_300_060)])
        let audit = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "work.comment"))
        #expect(audit.count == 2 && audit.allSatisfy { $0.target == id.description })
        // The record's detail carries the thread.
        #expect(try QuarantineService(workspace: workspace, environment: .fixed(at: 0, user: "sam")).detail(id).comments.count == 2)

        let empty = #expect(throws: EngineError.self) { try sam.comment(on: .quarantine(id), text: "   ") }
        #expect(empty?.code == .refused)
        let long = #expect(throws: EngineError.self) {
            try sam.comment(on: .quarantine(id), text: String(repeating: "x", count: WorkComments.maximumLength + 1))
        }
        #expect(long?.code == .refused && long?.message.contains("at most 500 characters") == true)
        let missing = #expect(throws: EngineError.self) { try sam.comment(on: .quarantine(QuarantineID(999)), text: "hello") }
        #expect(missing?.code == .notFound)
    }

    @Test func aReaderWithoutViewPIISeesWhoCommentedWhenButNotTheText() throws {
        let (workspace, id) = try Self.workspace("comments-masked")
        try WorkComments(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "sam"))
            .comment(on: .quarantine(id), text: "customer Pilar González asked, phone 669443380")
        let analyst = WorkComments(workspace: workspace, environment: .fixed(at: 1_764_300_000, user: "ana"))
        let thread = try analyst.thread(of: .quarantine(id))
        #expect(thread.map(\.author) == ["sam"])
        #expect(thread.map(\.text) == [PIIMasker.withheldText])
        // An analyst may not comment: commenting is acting on the record.
        let refused = #expect(throws: EngineError.self) { try analyst.comment(on: .quarantine(id), text: "hello") }
        #expect(refused?.code == .forbidden)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).first?.target == "work.comment \(id)")
    }
}

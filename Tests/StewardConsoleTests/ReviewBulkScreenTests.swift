import CDPCore
@testable import CDPEngine
import CDPStore
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// Review's bulk decisions: every open pair with the selected pair's explanation key above a probability,
/// previewed, decided in the background, and undone whole with one `u`.
@Suite struct ReviewBulkScreenTests {
    /// The pair the queue selects first (most uncertain) and the open pairs sharing its key.
    static func firstAndSameKey(_ f: ReviewFixture) throws -> (LakeStore.CandidateRow, [LakeStore.CandidateRow]) {
        let open = try f.review.candidates(status: .open, limit: 100)
        let first = try #require(open.first)
        return (first, open.filter { $0.key == first.key })
    }

    @Test func everyPairOfTheSelectedKeyIsApprovedAfterAPreviewAndUndoneWhole() throws {
        let f = try ReviewFixture()
        let (first, sameKey) = try Self.firstAndSameKey(f)
        try f.send("8 A")
        #expect(f.screen.contains("Approve every open pair with key \(first.key)"))
        try f.send("<ctrl-u> 1.5 <enter>")
        #expect(f.screen.contains("write a probability from 0 up to (not including) 1"))
        try f.send("<ctrl-u> 0 <enter>")
        #expect(f.screen.contains("Bulk approve · \(sameKey.count) open pair"))
        assertTextSnapshot(f.screen, named: "pair-bulk-preview")
        for pair in sameKey { #expect(f.screen.contains(pair.id.description)) }
        #expect((try f.review.counts()[.approved] ?? 0) == 0)  // a preview decides nothing
        try f.send("<enter>")
        #expect(Set(try f.review.candidates(status: .approved, limit: 100).map(\.id)) == Set(sameKey.map(\.id)))
        #expect(f.app.message?.text == "approved \(sameKey.count) pair\(sameKey.count == 1 ? "" : "s"); u undoes it all")
        #expect(f.screen.contains("Merge review"))
        let bulk = try #require(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.bulk.approve")).first)
        #expect(bulk.actor == "sam" && bulk.after?.contains("key \(first.key) above 0") == true)

        try f.send("u")
        #expect(try f.review.candidates(status: .approved, limit: 100).isEmpty)
        #expect(f.app.message?.text.hasPrefix("undid the bulk approve: \(sameKey.count) pair") == true)
        #expect(try f.workspace.store.auditEntries(LakeStore.AuditFilter(action: "match.bulk.undo")).count == 1)
    }

    @Test func aPreviewCanBeCancelledAndBlindModeAndViewersAreRefusedBeforeAsking() throws {
        let f = try ReviewFixture()
        try f.send("8 X <enter>")
        #expect(f.screen.contains("Bulk reject"))
        try f.send("n")
        #expect(f.app.message?.text == "cancelled; nothing changed")
        #expect((try f.review.counts()[.rejected] ?? 0) == 0)
        try f.send("b X")
        #expect(f.app.message?.text.contains("blind mode hides the keys") == true)

        let viewer = try ReviewFixture(user: "vic", name: "bulk-viewer")
        try viewer.send("8 A")
        #expect(!viewer.screen.contains("Above which probability"))
        #expect(viewer.app.message?.text.contains("decide_merges") == true)
        let refused = try viewer.workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused"))
        #expect(refused.contains { $0.target.hasPrefix("match.bulk.approve") })
    }
}

extension ReviewBulkScreenTests {
    static func shows(_ id: CandidateID, on screen: String) -> Bool {
        screen.contains("│ \(id) ") || screen.contains("│▌\(id) ")
    }

    @Test func theQueueShowsBothPeopleMaskedPerRoleAndFiltersByKeyAndSources() throws {
        let f = try ReviewFixture()
        var screen = try f.send("8")
        #expect(screen.contains("person a") && screen.contains("person b"))
        #expect(screen.contains("Robert Smith") && screen.contains("Rob Smyth"))
        let open = try f.review.candidates(status: .open, limit: 100)
        let counts = Dictionary(grouping: open, by: \.key).mapValues(\.count)
        let commonest = try #require(counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key)

        // The key picker: "all keys" first, then the keys by how many pairs hold them.
        try f.send("f")
        #expect(f.screen.contains("key · type to search"))
        screen = try f.send("<down> <enter>")
        #expect(f.app.message?.text == "key: \(commonest)")
        for pair in open { #expect(Self.shows(pair.id, on: screen) == (pair.key == commonest), "\(pair.id) \(pair.key)") }

        screen = try f.send(": key <space> all <enter> : sources <space> crm+crm <enter>")
        #expect(screen.contains("sources crm+crm"))
        #expect(open.allSatisfy { Self.shows($0.id, on: screen) })
        screen = try f.send(": sources <space> crm+web <enter>")
        #expect(screen.contains("no open pair matches the filters"))

        // A viewer reads the people masked.
        let viewer = try ReviewFixture(user: "vic", name: "queue-viewer")
        screen = try viewer.send("8")
        #expect(screen.contains("R*** S***"))
        #expect(!screen.contains("Robert") && !screen.contains("Smith"))
    }
}

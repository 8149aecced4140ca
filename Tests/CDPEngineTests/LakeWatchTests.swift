import CDPCore
import CDPRepositories
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Two stewards at one embedded lake, each in a process of their own (here: two workspaces opened on one folder,
/// each with its own connections): what one commits, the other's watch names by area at its next look, and a look
/// when nothing changed names nothing.
@Suite struct LakeWatchTests {
    @Test func aWatchNamesWhatAnotherSessionChangedAndNothingWhenNothingDid() throws {
        let (first, id) = try WorkAssignmentsTests.workspace("watch")
        let other = try Workspace(at: first.root.path)
        let watch = LakeWatch(workspace: first)
        let start = try watch.changes(after: nil)
        #expect(start.areas.isEmpty)
        // Nothing changed: the same mark, nothing named.
        #expect(try watch.changes(after: start.mark) == start)

        // Another session's visit is a read: the mark moves, no area changed.
        try StewardVisits(workspace: other, environment: WorkAssignmentsTests.environment("tom")).visit(.quarantine)
        let visited = try watch.changes(after: start.mark)
        #expect(visited.mark.rawValue == start.mark.rawValue + 1 && visited.areas.isEmpty)

        // sam claims a record: records and pairs may be held now.
        try WorkAssignments(workspace: other, environment: WorkAssignmentsTests.environment("sam")).claim([.quarantine(id)])
        let claimed = try watch.changes(after: visited.mark)
        #expect(claimed.areas == [.quarantine, .review])

        // tom rejects another record: the workbench changed, Review did not.
        let otherRecord = try #require(
            try other.store.quarantineRecords(LakeStore.QuarantineFilter(statuses: [.open])).first { $0.id != id })
        _ = try QuarantineService(workspace: other, environment: WorkAssignmentsTests.environment("tom")).reject(
            otherRecord.id, reason: "a test")
        let rejected = try watch.changes(after: claimed.mark)
        #expect(rejected.areas == [.quarantine])
        #expect(try watch.changes(after: rejected.mark).areas.isEmpty)
    }

    @Test(arguments: [
        ("quarantine.release", [LakeWatch.Area.quarantine]), ("quarantine.export", []), ("work.claim", [.quarantine, .review]),
        ("match.approve", [.review]), ("golden.unmerge", [.review]), ("dictionary.edit", [.dictionary]), ("run.start", [.runs]),
        ("console.visit", []), ("access.refused", []), ("customer.lookup", []), ("view.save", []),
    ])
    func eachAuditedActionTouchesWhatItChanges(action: String, areas: [LakeWatch.Area]) {
        #expect(LakeWatch.areas(touchedBy: action) == areas)
    }
}

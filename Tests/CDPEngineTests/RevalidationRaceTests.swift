import CDPCore
import Foundation
import Testing

@testable import CDPEngine
@testable import CDPStore

/// Revalidation meets stewards working meanwhile: what they decide is theirs, and the run goes on.
struct RevalidationRaceTests {
    /// Four customers held for a bad email; with the email rule then dropped, all four pass revalidation.
    static func heldWorkspace(_ name: String) throws -> Workspace {
        let rows = ["C1,Ann,Lee,bad-1,1980-01-02", "C2,Bo,Ng,bad-2,1980-01-02", "C3,Cy,Oz,bad-3,1980-01-02", "C4,Di,Po,bad-4,1980-01-02"]
        let workspace = try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules,
            files: ["customers.csv": (["id,first,last,email,born"] + rows).joined(separator: "\n") + "\n"])
        try EngineFixture.run(workspace)
        try EngineFixture.standardRules.replacingOccurrences(of: "name = \"email_format\"", with: "name = \"email_format\"\nseverity = \"warn\"")
            .write(to: workspace.rulesFile, atomically: true, encoding: .utf8)
        return try Workspace(at: workspace.root.path)
    }

    @Test func revalidationSkipsRecordsAStewardDecidedMeanwhile() throws {
        let workspace = try Self.heldWorkspace("revalidate")
        let held = try workspace.store.quarantineRecords(.init(statuses: [.open], limit: 10)).sorted { $0.id.rawValue < $1.id.rawValue }
        try #require(held.count == 4)
        let steward = QuarantineService(workspace: workspace, environment: .fixed(at: 1_764_300_500, user: "ann"))
        let checks = LockedBox(0)
        // Revalidation has read the open records; before it decides the first, a steward rejects the second,
        // releases the third and edits the fourth (which, edited, still passes but is theirs).
        let counts = try QuarantineService(workspace: workspace, environment: EngineFixture.clock.acting(as: "pipeline"))
            .revalidateHeld(run: nil, shouldStop: {
                checks.value += 1
                if checks.value == 1 {
                    do {
                        try steward.reject(held[1].id, reason: "not a customer")
                        try steward.release(held[2].id)
                        try steward.fix(held[3].id, edits: ["email": "di@example.com"])
                    } catch {
                        Issue.record("a steward's action failed: \(error)")
                    }
                }
                return nil
            })
        #expect(counts == ["records_checked": 4, "records_skipped": 0, "now_passing": 1, "decided_meanwhile": 3])
        #expect(try workspace.store.quarantineRecord(held[0].id)?.status == .fixed)
        let rejected = try #require(try workspace.store.quarantineRecord(held[1].id))
        #expect(rejected.status == .rejected)
        #expect(rejected.resolution == "not a customer")
        #expect(try workspace.store.quarantineRecord(held[2].id)?.status == .released)
        let edited = try #require(try workspace.store.quarantineRecord(held[3].id))
        #expect(edited.fields["email"] == "di@example.com")
        #expect(try workspace.store.quarantineHistory(held[3].id).map(\.action).last == "fix")
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
    }

    @Test func theRevalidateTaskSaysHowManyRecordsStewardsDecided() {
        #expect(WorkflowRunner.note(.revalidate, ["decided_meanwhile": 2]) == "; 2 records were decided by a steward while this ran, and left as decided")
        #expect(WorkflowRunner.note(.revalidate, ["decided_meanwhile": 1]).contains("1 record was decided"))
        #expect(WorkflowRunner.note(.revalidate, ["decided_meanwhile": 0]) == "")
    }
}

import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// A campaign's reach is the distinct contacts it was sent to, so it never exceeds what was sent, and its
/// rates count only contacts it reached: an open with no send (a send lost or held in quarantine) is an event,
/// not reach.
struct CampaignReachTests {
    @Test func engagementWithoutASendCountsNeitherInReachNorInRates() throws {
        let folder = EngineFixture.temporaryFolder("reach")
        try WorkspaceInitializer.initialize(
            at: folder.path, from: EngineFixture.repositoryRoot.appendingPathComponent("Tests/Fixtures/customer360").path,
            administrator: "ann")
        // M1 (a known contact) opens CMP2, which was never sent to M1.
        let events = folder.appendingPathComponent("inbox/marketing/campaign_events.csv")
        let text = try String(contentsOf: events, encoding: .utf8) + "E10,M1,CMP2,open,2024-03-02T09:00:00Z,\n"
        try text.write(to: events, atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: folder.path)
        try EngineFixture.run(workspace)
        let rows = try workspace.query(
            "SELECT campaign_id, sent, unique_reached, opens, open_rate FROM campaign_performance ORDER BY campaign_id", limit: 10,
            as: EngineFixture.clock
        ).rows.map { $0.map(\.text) }
        // CMP2: sent to M2 and M3; opened by M2 and by M1 (never sent to): 2 opens, reach 2, open rate 1/2.
        #expect(
            rows == [
                ["CMP1", "2", "2", "1", "0.5"],
                ["CMP2", "2", "2", "2", "0.5"],
            ])
        let all = try workspace.query(
            "SELECT COUNT(*) FROM campaign_performance WHERE unique_reached > sent", limit: 1, as: EngineFixture.clock)
        #expect(all.rows.map { $0.map(\.text) } == [["0"]])
    }
}

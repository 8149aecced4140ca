import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPEngine
@testable import CDPStore

/// A pipeline run matches incrementally: it scores only the pairs touching new or changed records, with the model the
/// last training left, and ends with what a whole match with that model makes (golden records, links, review queue,
/// and what it leaves for the next run), after new records, changed records and steward decisions; `--full`, a
/// changed configuration and too many changes since the training train again, and the run's log says which.
@Suite struct IncrementalMatchTests {
    /// What the match leaves in the lake: golden records, current links, every candidate (but the run that wrote it),
    /// and the state for the next run.
    struct MatchTables: Equatable {
        var golden: [String]
        var links: [String]
        var candidates: [String]
        var state: [UInt8]
    }

    static func tables(_ workspace: Workspace) throws -> MatchTables {
        try workspace.store.writer.read { db in
            func rows(_ sql: String) throws -> [String] {
                try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map(\.description).joined(separator: " | ") }
            }
            return MatchTables(
                golden: try rows("SELECT id, attributes, member_count, retired_run IS NULL FROM golden_record ORDER BY id"),
                links: try rows("SELECT source, source_key, golden_id FROM golden_xref WHERE valid_to_run IS NULL ORDER BY source, source_key"),
                candidates: try rows(
                    "SELECT record_a, record_b, probability, match_key, explanation, status FROM match_candidate ORDER BY record_a, record_b"),
                state: try Data.fetchOne(db, sql: "SELECT state FROM match_state").map { [UInt8]($0) } ?? [])
        }
    }

    /// A whole match with the pinned model, run on what the incremental run left, changes nothing.
    static func expectSameAsAWholePinnedMatch(_ workspace: Workspace, after step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let incremental = try tables(workspace)
        let report = try MatchService(workspace: workspace, environment: EngineFixture.clock.acting(as: "pipeline")).runAuthorized(scope: .pinnedWhole)
        #expect(report.wholeBecause == nil && report.modelRun != nil && report.rescoredPairs == nil, sourceLocation: sourceLocation)
        let written = try #require(report.written, sourceLocation: sourceLocation)
        #expect(
            written.goldenCreated == 0 && written.goldenUpdated == 0 && written.goldenRetired == 0 && written.linksChanged == 0,
            "after \(step): \(written)", sourceLocation: sourceLocation)
        let whole = try tables(workspace)
        for (name, mine, theirs) in [
            ("golden records", incremental.golden, whole.golden), ("links", incremental.links, whole.links),
            ("candidates", incremental.candidates, whole.candidates),
        ] where mine != theirs {
            let extra = Set(mine).subtracting(theirs), missing = Set(theirs).subtracting(mine)
            let difference =
                "after \(step), \(name) differ from a whole match with the pinned model: \(extra.count) only incremental "
                + "(\(extra.sorted().prefix(2))), \(missing.count) only whole (\(missing.sorted().prefix(2)))"
            Issue.record(Comment(rawValue: difference), sourceLocation: sourceLocation)
        }
        #expect(incremental.state == whole.state, "after \(step): the state left for the next run", sourceLocation: sourceLocation)
    }

    static func matchLog(_ workspace: Workspace, _ run: RunSummary) throws -> [String] {
        try workspace.store.events(of: run.id).filter { $0.task?.rawValue == "match_customers" && $0.kind == .log }.map(\.message)
    }

    static func write(_ text: String, _ path: String, in workspace: Workspace) throws {
        try Data(text.utf8).write(to: workspace.root.appendingPathComponent(path))
    }

    static let header = "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in"

    @Test func anIncrementalMatchEndsWhereAWholeMatchWithThePinnedModelEnds() throws {
        let workspace = try EngineFixture.sampleWorkspace("incremental-match")
        let first = try EngineFixture.run(workspace)
        #expect(try Self.matchLog(workspace, first) == ["matched every record and trained the model: no earlier match run left its scored pairs"])
        let records = try #require(first.tasks.first { $0.key == "match_customers" }?.counts["records_matched"])

        // New records (one the same person as a customer with a changed address, one new person) and changed records.
        try Self.write(
            """
            \(Self.header)
            C0000002,Pilar,González,pilar.gonzalez53@yahoo.es,669 443 380,1953-01-16,"Avenida Diagonal, 101",Barcelona,08025,ES,2025-05-28 11:21:02,2026-11-02 14:28:37,gold,Y,N
            C0000003,Marta,Quintero,marta.quintero@example.es,611 222 333,1966-04-12,Calle Mayor 3,Madrid,28013,ES,2025-05-28 11:21:02,2026-11-02 14:28:37,silver,Y,N
            C9000001,Quentin,Deltaworth,quentin.deltaworth@example.com,07700 900111,1981-02-03,5 New Road,Leeds,LS2 2AA,GB,2026-11-01 10:00:00,2026-11-01 10:00:00,silver,Y,Y
            C9000002,Pilar,González,pilar.gonzalez53@yahoo.es,669 443 380,1953-01-16,"Avenida Diagonal, 99",Barcelona,08025,ES,2026-11-01 10:00:00,2026-11-01 10:00:00,bronze,N,N

            """, "inbox/crm/customers_delta.csv", in: workspace)
        try Self.write(
            """
            {"contact_id":"M0000001","full_name":"MANON GUÉRIN","email":"mguerin61@sfr.fr","phone":"+33639327799","country":"France","birthday":"04/10/1961","crm_customer_id":null,"signup_source":"web","subscribed":false,"created":"2025-01-07T07:00:31Z"}
            {"contact_id":"M9000001","full_name":"Quentin Deltaworth","email":"q.deltaworth@example.com","phone":null,"country":"GB","birthday":"03/02/1981","crm_customer_id":null,"signup_source":"web","subscribed":true,"created":"2026-11-01T00:00:00Z"}

            """, "inbox/marketing/contacts_delta.jsonl", in: workspace)
        let delta = try EngineFixture.run(workspace)
        #expect(delta.state == .succeeded)
        let log = try Self.matchLog(workspace, delta)
        #expect(log.count == 1 && log[0].hasPrefix("scored the ") && log[0].contains("touching the 6 new or changed records"), "\(log)")
        #expect(log.first?.hasSuffix("with the model match run MR1 trained; the other pairs kept their scores") == true, "\(log)")
        let service = Customer360Service(workspace: workspace, environment: EngineFixture.clock)
        #expect(try service.find("crm_customers:C9000002") == service.find("crm_customers:C0000002"))
        try Self.expectSameAsAWholePinnedMatch(workspace, after: "new and changed records")

        // Steward decisions: the first pair waiting for review approved, the next rejected; then a run with nothing new.
        let review = MatchReview(workspace: workspace, environment: EngineFixture.clock)
        let open = try review.candidates(status: .open, limit: 2)
        try #require(open.count == 2)
        _ = try review.approve(open[0].id, reason: "the same person")
        try review.reject(open[1].id, reason: "different people")
        let decided = try EngineFixture.run(workspace)
        #expect(try Self.matchLog(workspace, decided).first?.contains("touching the 0 new or changed records") == true)
        try Self.expectSameAsAWholePinnedMatch(workspace, after: "an approval and a rejection")

        // An unmerge holds in the next run.
        let pilar = try service.find("crm_customers:C0000002")
        let apart = try review.unmerge(pilar, record: SourceRecordID(source: "crm_customers", key: "C9000002"), reason: "different people")
        try EngineFixture.run(workspace)
        #expect(try service.find("crm_customers:C9000002") == apart)
        #expect(try service.find("crm_customers:C0000002") != apart)
        try Self.expectSameAsAWholePinnedMatch(workspace, after: "an unmerge")

        // More changes on top of what incremental runs left.
        try Self.write(
            """
            \(Self.header)
            C9000001,Quentin,Deltaworth,quentin.deltaworth@example.com,07700 900111,1981-02-03,7 Old Road,Leeds,LS2 2AB,GB,2026-11-01 10:00:00,2026-11-05 10:00:00,silver,Y,Y
            C9000003,Marta,Quintero,marta.q@example.es,611 222 333,1966-04-12,Calle Mayor 3,Madrid,28013,ES,2026-11-05 10:00:00,2026-11-05 10:00:00,bronze,N,N

            """, "inbox/crm/customers_delta2.csv", in: workspace)
        try EngineFixture.run(workspace)
        try Self.expectSameAsAWholePinnedMatch(workspace, after: "a second delta")

        // `cdp run --full` trains again.
        var runner = WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
        runner.full = true
        let full = try runner.run(workspace.workflow())
        #expect(try Self.matchLog(workspace, full) == ["matched every record and trained the model: a full run (--full)"])
        #expect(records > 1000)
    }

    /// Past the share of changed records since the training, and after `matching.toml` changes, a run trains again.
    @Test func aRunTrainsAgainWhenTooMuchOrTheConfigurationChanged() throws {
        let workspace = try EngineFixture.sampleWorkspace("incremental-match-retrain")
        try EngineFixture.run(workspace)
        try Self.write(
            """
            \(Self.header)
            C9000001,Quentin,Deltaworth,quentin.deltaworth@example.com,07700 900111,1981-02-03,5 New Road,Leeds,LS2 2AA,GB,2026-11-01 10:00:00,2026-11-01 10:00:00,silver,Y,Y

            """, "inbox/crm/customers_delta.csv", in: workspace)
        _ = try SourceIngestor(workspace: workspace, source: try workspace.source("crm_customers"), environment: EngineFixture.clock, run: nil).ingest()

        var service = MatchService(workspace: workspace, environment: EngineFixture.clock.acting(as: "pipeline"))
        service.retrainShare = 0.0001
        let retrained = try service.runAuthorized(scope: .incremental)
        let because = try #require(retrained.wholeBecause)
        #expect(because.hasPrefix("1 of ") && because.hasSuffix("records are new or changed since match run MR1 trained the model, more than 0.01%"), "\(because)")

        service.retrainShare = MatchService.defaultRetrainShare
        let quiet = try service.runAuthorized(scope: .incremental)
        #expect(quiet.wholeBecause == nil && quiet.changedRecords == 0 && quiet.modelRun == retrained.run)

        let file = workspace.root.appendingPathComponent(MatchingConfigurationLoader.path)
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "review = 0.80", with: "review = 0.81").write(to: file, atomically: true, encoding: .utf8)
        let changed = try service.runAuthorized(scope: .incremental)
        #expect(changed.wholeBecause == "governance/matching.toml changed since match run \(try #require(retrained.run)) trained the model")
    }

    /// The state holds hashes of names with their counts: a query reads it withheld, whoever asks.
    @Test func theMatchStateIsWithheldFromQueries() {
        let treatment = Workspace.maskedColumn(
            dataset: "match_state", column: "state", personalData: PersonalDataMap(entries: [], defaults: [:]), masker: PIIMasker(columns: [:]))
        #expect(treatment == .withhold)
    }
}

import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// `revalidate_quarantine` checks only the held records whose rules' inputs changed since the last one, and
/// ends where a full check of every held record ends: the same records held, the same ones passing.
@Suite struct IncrementalRevalidationTests {
    static let clock = EngineFixture.clock.acting(as: "pipeline")

    /// The sample workspace with every source ingested and revalidated once (which leaves the first mark).
    static func landedSample(_ name: String) throws -> Workspace {
        let workspace = try EngineFixture.sampleWorkspace(name)
        try ingestAll(workspace)
        _ = try QuarantineService(workspace: workspace, environment: clock).revalidateHeld(run: nil)
        return workspace
    }

    static func ingestAll(_ workspace: Workspace) throws {
        for source in workspace.configuration.sources {
            _ = try SourceIngestor(workspace: workspace, source: source, environment: clock, run: nil).ingest()
        }
    }

    /// A copy of the workspace, lake included, to run the full check on.
    static func twin(of workspace: Workspace) throws -> Workspace {
        let folder = EngineFixture.temporaryFolder("twin")
        try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: workspace.root, to: folder)
        return try Workspace(at: folder.path)
    }

    static func quarantine(_ workspace: Workspace) throws -> [QuarantineRecord] {
        try workspace.store.quarantineRecords(QuarantineFilter(limit: Int.max))
    }

    /// Revalidates `workspace` incrementally and a twin of it in full; both lakes must end alike.
    static func incrementalMatchesFull(_ workspace: Workspace) throws -> (incremental: [String: Int], full: [String: Int]) {
        let twin = try twin(of: workspace)
        let incremental = try QuarantineService(workspace: workspace, environment: clock).revalidateHeld(run: nil)
        let full = try QuarantineService(workspace: twin, environment: clock).revalidateHeld(run: nil, full: true)
        let mine = try quarantine(workspace)
        let theirs = try quarantine(twin)
        // The same records held, passing and released, with the same failures and history.
        #expect(mine.count == theirs.count)
        for status in [QuarantineStatus.open, .fixed, .released] {
            let ours = Set(mine.filter { $0.status == status }.map(\.id))
            let full = Set(theirs.filter { $0.status == status }.map(\.id))
            #expect(ours == full, "\(status): only incremental \(ours.subtracting(full).sorted().prefix(5)), only full \(full.subtracting(ours).sorted().prefix(5))")
        }
        let differing = Set(mine).symmetricDifference(Set(theirs)).map(\.id)
        #expect(differing.isEmpty, "records that differ: \(Set(differing).sorted().prefix(5))")
        #expect(incremental["now_passing"] == full["now_passing"])
        try? FileManager.default.removeItem(at: twin.root)
        return (incremental, full)
    }

    @Test func aRunWithNothingNewChecksNoHeldRecord() throws {
        let workspace = try Self.landedSample("revalidate-quiet")
        let held = try workspace.store.quarantineCount(QuarantineFilter(statuses: [.open]))
        try #require(held > 10)
        let counts = try Self.incrementalMatchesFull(workspace)
        #expect(counts.incremental["records_checked"] == 0 && counts.incremental["records_skipped"] == held)
        #expect(counts.full["records_checked"] == held && counts.full["records_skipped"] == 0)
    }

    /// A customer key arrives that held orders name, a steward edits a held record and it still fails, and a
    /// new file brings new held records (one a duplicate key of its own file): only the orders failing the
    /// reference rule, the new records and the customers failing the key rule are checked.
    @Test func arrivedKeysEditsAndNewRecordsEndAsAFullCheckEnds() throws {
        let workspace = try Self.landedSample("revalidate-delta")
        let open = try workspace.store.quarantineRecords(QuarantineFilter(statuses: [.open], limit: Int.max))
        let orphans = open.filter { $0.source == "crm_orders" && $0.failures.contains { $0.rule == "order_customer_exists" } }
        let missing = try #require(orphans.first?.failures.first { $0.rule == "order_customer_exists" }?.value)
        let waiting = orphans.filter { $0.failures.contains { $0.rule == "order_customer_exists" && $0.value == missing } }

        // The missing customer arrives, with a new customer held for a bad e-mail and a key twice in the file.
        let header = "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in"
        let rest = "082 492 2965,1959-09-01,62 Main Street,Galway,H91 X6N6,IE,2017-08-11 15:55:52,2024-02-11 09:27:34,bronze,Y,N"
        let rows = [
            "\(missing),Ada,Byrne,ada.byrne@example.ie,\(rest)",
            "C9900001,Bea,Cole,bea at example.ie,\(rest)",
            "C9900002,Cal,Dunn,cal at example.ie,\(rest)",
            "C9900002,Cal,Dunn,cal.dunn@example.ie,\(rest)",
        ]
        try ([header] + rows).joined(separator: "\n").appending("\n")
            .write(to: workspace.root.appendingPathComponent("inbox/crm/customers_2.csv"), atomically: true, encoding: .utf8)
        // A steward edits a held customer; it still fails.
        let customer = try #require(open.first { $0.source == "crm_customers" && $0.failures.contains { $0.rule == "email_format" } })
        let edited = try QuarantineService(workspace: workspace, environment: EngineFixture.clock).fix(customer.id, edits: ["last_name": "Edited"])
        #expect(edited.status == .open)
        try Self.ingestAll(workspace)

        let counts = try Self.incrementalMatchesFull(workspace)
        let fixed = try workspace.store.quarantineRecords(QuarantineFilter(statuses: [.fixed], limit: Int.max)).map(\.id)
        #expect(!waiting.isEmpty && waiting.allSatisfy { fixed.contains($0.id) == ($0.failures.filter { $0.severity >= .error }.count == 1) })
        #expect(fixed.count >= 1)
        #expect((counts.incremental["records_checked"] ?? 0) < (counts.full["records_checked"] ?? 0) / 2, "\(counts)")
        #expect((counts.incremental["records_checked"] ?? 0) + (counts.incremental["records_skipped"] ?? 0) == counts.full["records_checked"])
    }

    /// A customer released and another reopened between two runs leave as many released records as before, but
    /// silver changed: the orders waiting for the released customer's key are checked, as a full check would.
    @Test func aReleaseAndAReopenBetweenRunsAreSeen() throws {
        let workspace = try Self.landedSample("revalidate-release-reopen")
        let steward = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        let open = try workspace.store.quarantineRecords(QuarantineFilter(statuses: [.open], limit: Int.max))
        let orphan = try #require(open.first { $0.source == "crm_orders" && $0.failures.contains { $0.rule == "order_customer_exists" } })
        let missing = try #require(orphan.failures.first { $0.rule == "order_customer_exists" }?.value)
        // The missing customer arrives with a malformed e-mail: held, so its orders still wait.
        let header = "customer_id,first_name,last_name,email,phone,birth_date,street,city,postcode,country,created_at,updated_at,loyalty_tier,email_opt_in,sms_opt_in"
        let rest = "082 492 2965,1959-09-01,62 Main Street,Galway,H91 X6N6,IE,2017-08-11 15:55:52,2024-02-11 09:27:34,bronze,Y,N"
        try "\(header)\n\(missing),Ada,Byrne,ada at example.ie,\(rest)\n"
            .write(to: workspace.root.appendingPathComponent("inbox/crm/customers_2.csv"), atomically: true, encoding: .utf8)
        try Self.ingestAll(workspace)
        // Another held customer is fixed and released before the mark.
        // (The first held for its e-mail alone, found by fixing: some fail a rule on today's date as well.)
        var passing: QuarantineRecord?
        for candidate in open where candidate.source == "crm_customers" && candidate.failures.contains(where: { $0.rule == "email_format" }) {
            let fixed = try steward.fix(candidate.id, edits: ["email": "earlier.customer\(candidate.id.rawValue)@example.ie"])
            if fixed.status == .fixed {
                passing = fixed
                break
            }
        }
        let earlier = try #require(passing)
        #expect(try steward.release(earlier.id).status == .released)
        _ = try QuarantineService(workspace: workspace, environment: Self.clock).revalidateHeld(run: nil)
        #expect(try steward.record(orphan.id).status == .open)

        // Between runs: the arrived customer is fixed and released, the earlier one reopened.
        let arrived = try #require(
            try workspace.store.quarantineRecords(QuarantineFilter(source: "crm_customers", statuses: [.open], limit: Int.max))
                .filter { $0.sourceKey == missing }.max { $0.id.rawValue < $1.id.rawValue })  // the sample may hold one more
        _ = try steward.fix(arrived.id, edits: ["email": "ada.byrne@example.ie"])
        #expect(try steward.release(arrived.id).status == .released)
        // Its edit passes every rule, so it is held as fixed.
        #expect(try steward.reopen(earlier.id, reason: "released by mistake").status == .fixed)

        let counts = try Self.incrementalMatchesFull(workspace)
        #expect((counts.incremental["records_checked"] ?? 0) > 0)
        #expect(try steward.record(orphan.id).status == (orphan.failures.filter { $0.severity >= .error }.count == 1 ? .fixed : .open))
    }

    /// A mark left by a `cdp` whose checks were an earlier revision (or that recorded none) checks everything once.
    @Test func aMarkFromEarlierChecksChecksEverythingOnce() throws {
        let workspace = try Self.landedSample("revalidate-revision")
        var mark = try #require(RevalidationMark.read(workspace.lakeFolder))
        #expect(mark.revision == RevalidationMark.checksRevision)
        mark.revision = RevalidationMark.checksRevision - 1
        try mark.write(workspace.lakeFolder)
        var logged: [String] = []
        let held = try workspace.store.quarantineCount(QuarantineFilter(statuses: [.open]))
        let counts = try QuarantineService(workspace: workspace, environment: Self.clock).revalidateHeld(run: nil, log: { logged.append($0) })
        #expect(counts["records_checked"] == held)
        #expect(logged.contains { $0.contains("the engine's checks changed") })
        let again = try QuarantineService(workspace: workspace, environment: Self.clock).revalidateHeld(run: nil)
        #expect(again["records_checked"] == 0)

        // A mark written before revisions were recorded reads as revision 1.
        let file = workspace.lakeFolder.appendingPathComponent(RevalidationMark.fileName)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        json.removeValue(forKey: "revision")
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        #expect(RevalidationMark.read(workspace.lakeFolder)?.revision == 1)
    }

    /// A held record whose value another row of its own file holds (a unique rule on a field other than the key)
    /// still fails when checked again, until its value is edited; a full check and an incremental one agree.
    @Test func aDuplicateValueOfItsFileStaysHeldUntilEdited() throws {
        let rules = EngineFixture.standardRules + """

            [[rules]]
            name = "email_unique"
            dataset = "crm"
            check = "unique"
            field = "email"
            """
        let workspace = try EngineFixture.customerWorkspace(
            "revalidate-unique-value", rules: rules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,ann@example.com,1980-01-02\nC2,Ann,Lee,ann@example.com,1980-01-02\n"])
        _ = try EngineFixture.run(workspace)
        let held = try #require(try workspace.store.quarantineRecords(QuarantineFilter(statuses: [.open], limit: Int.max)).first)
        #expect(held.failures.map(\.rule) == ["email_unique"])
        var runner = WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
        runner.full = true
        _ = try runner.run(workspace.workflow())
        #expect(try workspace.store.quarantineRecord(held.id)?.status == .open)

        let steward = QuarantineService(workspace: workspace, environment: EngineFixture.clock)
        #expect(try steward.fix(held.id, edits: ["last_name": "Lee-Ng"]).status == .open)
        #expect(try steward.fix(held.id, edits: ["email": "ann.lee@example.com"]).status == .fixed)
    }

    /// Changed rules check every held record again: a rule made a warning releases what it alone held.
    @Test func changedRulesCheckEveryHeldRecord() throws {
        let workspace = try Self.landedSample("revalidate-rules")
        let rules = workspace.rulesFile
        let text = try String(contentsOf: rules, encoding: .utf8)
        try text.replacingOccurrences(of: "name = \"email_format\"", with: "name = \"email_format\"\nseverity = \"warn\"")
            .write(to: rules, atomically: true, encoding: .utf8)
        let reread = try Workspace(at: workspace.root.path)
        let held = try reread.store.quarantineCount(QuarantineFilter(statuses: [.open]))
        let counts = try Self.incrementalMatchesFull(reread)
        #expect(counts.incremental["records_checked"] == held && counts.incremental["records_skipped"] == 0)
        #expect((counts.incremental["now_passing"] ?? 0) > 0)
    }

    /// `cdp run --full` (the runner's `full`) checks every held record; a plain run only what changed, and
    /// says why when it checks everything.
    @Test func theRunnerChecksEverythingOnlyWhenAskedOrNeeded() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "revalidate-runner", rules: EngineFixture.standardRules,
            files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,bad,1980-01-02\nC2,Bo,Ng,bo@example.com,1980-01-02\n"])
        let first = try EngineFixture.run(workspace)
        let events = try workspace.store.events(of: first.id)
        #expect(events.contains { $0.message == "checking every held record: no earlier revalidation to start from" })
        let revalidate = { (run: RunSummary) in run.tasks.first { $0.key == "revalidate" }?.counts ?? [:] }
        #expect(revalidate(first)["records_checked"] == 1)
        let second = try EngineFixture.run(workspace)
        #expect(revalidate(second)["records_checked"] == 0 && revalidate(second)["records_skipped"] == 1)
        var runner = WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
        runner.full = true
        let third = try runner.run(workspace.workflow())
        #expect(revalidate(third)["records_checked"] == 1)
        #expect(try workspace.store.events(of: third.id).contains { $0.message == "checking every held record: a full run (--full)" })
    }
}

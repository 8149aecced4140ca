import CDPCore
import Foundation
import GRDB
import Testing

@testable import CDPEngine
@testable import CDPStore

/// A run on a lake that fills up: the first error is reported, and the run is marked failed (by the next
/// run, when even that cannot be written).
struct DiskFullRunTests {
    static let fullDisk = "database or disk is full"

    /// The lake, failing every write of run records once `full` is set (a disk with no room left).
    struct FullDiskRuns: RunRepository {
        let store: LakeStore
        let full: LockedBox<Bool>

        func startRun(
            workflow: String, tasks: [LakeStore.TaskOutline], actor: String, trigger: String, parameters: [String: String], pid: Int32?, at: String,
            cause: String?
        ) throws(StoreError) -> RunID {
            try store.startRun(
                workflow: workflow, tasks: tasks, actor: actor, trigger: trigger, parameters: parameters, pid: pid, at: at, cause: cause)
        }
        func updateTask(_ run: RunID, _ record: TaskRunRecord, event: RunEvent?) throws(StoreError) {
            if full.value { throw StoreError(.database, "update task \(record.key) failed: \(DiskFullRunTests.fullDisk)") }
            try store.updateTask(run, record, event: event)
        }
        func finishRun(_ run: RunID, state: RunState, error: String?, at: String) throws(StoreError) {
            if full.value { throw StoreError(.database, "finish run \(run) failed: \(DiskFullRunTests.fullDisk)") }
            try store.finishRun(run, state: state, error: error, at: at)
        }
        func abandonStaleRuns(failures: [RunID: String], at: String) throws(StoreError) -> [RunID] {
            try store.abandonStaleRuns(failures: failures, at: at)
        }
        func run(_ id: RunID) throws(StoreError) -> RunSummary? { try store.run(id) }
        func runs(limit: Int) throws(StoreError) -> [RunSummary] { try store.runs(limit: limit) }
        func events(of run: RunID, after afterEventID: Int64, limit: Int) throws(StoreError) -> [RunEvent] {
            try store.events(of: run, after: afterEventID, limit: limit)
        }
        func reopenRun(_ run: RunID, tasks: [TaskKey], actor: String, parameters: [String: String], pid: Int32?, at: String) throws(StoreError) {
            try store.reopenRun(run, tasks: tasks, actor: actor, parameters: parameters, pid: pid, at: at)
        }
    }

    /// Lets the lake's file grow no further from the start of the ingest task on: its writer fails there.
    static func fillTheDiskAtTheIngest(_ store: LakeStore, also: @escaping @Sendable () -> Void = {}) -> @Sendable (RunEvent) -> Void {
        { event in
            guard event.kind == .taskStarted, event.task == "ingest" else { return }
            _ = try? store.write("fill the disk") { db in
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                try db.execute(sql: "PRAGMA max_page_count = \(pages)")
            }
            also()
        }
    }

    static func ingestWorkspace(_ name: String) throws -> Workspace {
        let rows = (1...3_000).map { "C\($0),Ann\($0),Lee,ann\($0)@example.com,1980-01-02" }
        let workspace = try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules, files: ["customers.csv": (["id,first,last,email,born"] + rows).joined(separator: "\n") + "\n"])
        // Room for the run's own records on the free list (as a disk that fills with the rows would leave).
        try workspace.store.write("make free pages") { db in
            try db.execute(sql: "CREATE TABLE pad (x BLOB); INSERT INTO pad VALUES (zeroblob(400000)); DROP TABLE pad")
        }
        return workspace
    }

    @Test
    func aFullDiskFailsTheRunWithTheWritersErrorAndMarksItFailed() throws {
        let workspace = try Self.ingestWorkspace("full-recorded")
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock)
            .run(workspace.workflow(), observer: Self.fillTheDiskAtTheIngest(workspace.store))
        #expect(run.state == .failed)
        let ingest = try #require(run.tasks.first)
        #expect(ingest.state == .failed)
        #expect(ingest.error?.contains("write rows of batch") == true)
        #expect(ingest.error?.contains(Self.fullDisk) == true)
        #expect(run.tasks.dropFirst().allSatisfy { $0.state == .skipped })
    }

    @Test
    func aFullDiskThatCannotRecordTheFailureReportsTheFirstErrorAndTheNextRunMarksIt() throws {
        let workspace = try Self.ingestWorkspace("full-unrecorded")
        let full = LockedBox(false)
        let runner = WorkflowRunner(
            workspace: workspace, environment: EngineFixture.clock, trigger: "cli", waiting: nil,
            runs: FullDiskRuns(store: workspace.store, full: full))
        var thrown: EngineError?
        do {
            try runner.run(workspace.workflow(), observer: Self.fillTheDiskAtTheIngest(workspace.store) { full.value = true })
        } catch {
            thrown = error
        }
        let error = try #require(thrown)
        // The writer's error is the one reported, first; that recording it failed too comes after.
        #expect(error.code == .store)
        #expect(error.message.hasPrefix("run R1 failed: task ingest failed: write rows of batch"))
        #expect(error.message.contains(Self.fullDisk))
        #expect(error.details.contains { $0.contains("recording that failure failed too: update task ingest failed") })
        #expect(error.details.contains { $0.contains("the next run marks it failed") })
        #expect(try workspace.store.run(RunID(1))?.state == .running)
        // Its process (this one) is alive, but it holds no lock: verify does not excuse its unfinished batch.
        #expect(try LakeVerifier(workspace: workspace).verify().problems.contains { $0.contains("left half-ingested") })

        // Room again: the next run (a new process) marks the first failed, naming why, and runs.
        let reopened = try Workspace(at: workspace.root.path)
        let next = try EngineFixture.run(reopened)
        #expect(next.state == .succeeded, "\(next.error ?? "")")
        let first = try #require(try reopened.store.run(RunID(1)))
        #expect(first.state == .failed)
        #expect(first.error?.hasPrefix("the run failed and could not record it in the lake: task ingest failed: write rows of batch") == true)
        #expect(first.error?.contains(Self.fullDisk) == true)
        #expect(first.tasks.first?.state == .failed)
        #expect(first.tasks.dropFirst().allSatisfy { $0.state == .skipped })
        #expect(try LakeVerifier(workspace: reopened).verify().problems == [])
        #expect(try EngineFixture.status(reopened).silverCurrent == 3_000)
    }
}

import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Tasks whose dependencies have ended run at the same time, up to `max_concurrent_tasks`, and a run ends as it
/// would one task at a time: the same rows in silver and quarantine, the same task states.
@Suite struct ParallelTasksTests {
    /// The sample workspace with its pipeline's `max_concurrent_tasks` set (nil: left out).
    static func sample(_ name: String, concurrent: Int?) throws -> Workspace {
        let workspace = try EngineFixture.sampleWorkspace(name)
        if let concurrent {
            let file = workspace.root.appendingPathComponent("workflows/customer_pipeline.json")
            let text = try String(contentsOf: file, encoding: .utf8)
            let brace = try #require(text.firstIndex(of: "{"))
            try text.replacingCharacters(in: brace...brace, with: "{\n  \"max_concurrent_tasks\": \(concurrent),")
                .write(to: file, atomically: true, encoding: .utf8)
        }
        return workspace
    }

    /// Which tasks started while `held` was held back at its start, waiting up to `patience` for `awaited`.
    final class StartWatcher: @unchecked Sendable {
        let held: TaskKey
        let awaited: TaskKey
        let patience: TimeInterval
        private let condition = NSCondition()
        private var started: [TaskKey] = []
        private(set) var startedWhileHeld: Set<TaskKey> = []

        init(holding held: TaskKey, until awaited: TaskKey, patience: TimeInterval) {
            self.held = held
            self.awaited = awaited
            self.patience = patience
        }

        func see(_ event: RunEvent) {
            guard event.kind == .taskStarted, let task = event.task else { return }
            condition.lock()
            started.append(task)
            condition.broadcast()
            if task == held {
                let deadline = Date().addingTimeInterval(patience)
                while !started.contains(awaited) && condition.wait(until: deadline) {}
                startedWhileHeld = Set(started)
            }
            condition.unlock()
        }
    }

    /// The scorecard and matching both wait for revalidation only: they run together.
    @Test func independentTasksRunAtTheSameTime() throws {
        let workspace = try Self.sample("parallel-two", concurrent: 2)
        let watcher = StartWatcher(holding: "quality_scorecard", until: "match_customers", patience: 60)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow()) { watcher.see($0) }
        #expect(run.state == .succeeded)
        #expect(watcher.startedWhileHeld.contains("match_customers"))
        #expect(!watcher.startedWhileHeld.contains("build_gold"))
    }

    /// Ingest tasks number the lake's rows as they write them: they take turns in the plan's order, whatever
    /// else runs beside them, so a run's ids are those of a run one task at a time.
    @Test func ingestTasksTakeTurnsInThePlansOrder() throws {
        let workspace = try Self.sample("parallel-ingest", concurrent: 4)
        let watcher = StartWatcher(holding: "ingest_crm_customers", until: "ingest_marketing_contacts", patience: 2)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow()) { watcher.see($0) }
        #expect(run.state == .succeeded)
        #expect(watcher.startedWhileHeld == ["ingest_crm_customers"])
        let plan = try workspace.workflow()
        let ingests = plan.orderedTasks.filter { $0.step?.step == .ingest }.map(\.taskKey)
        let started = try workspace.store.events(of: run.id).filter { $0.kind == .taskStarted }.compactMap(\.task)
        #expect(started.filter { ingests.contains($0) } == ingests)
    }

    @Test func oneAtATimeWhenTheWorkflowSaysSo() throws {
        let workspace = try Self.sample("parallel-one", concurrent: 1)
        let watcher = StartWatcher(holding: "quality_scorecard", until: "match_customers", patience: 2)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(workspace.workflow()) { watcher.see($0) }
        #expect(run.state == .succeeded)
        #expect(!watcher.startedWhileHeld.contains("match_customers"))
        // One at a time is the plan's order.
        let plan = try workspace.workflow()
        let started = try workspace.store.events(of: run.id).filter { $0.kind == .taskStarted }.compactMap(\.task)
        #expect(started == plan.orderedTasks.map(\.taskKey))
    }

    /// A task starts only once everything it depends on has ended, however many run at once.
    @Test func aTaskWaitsForAllItDependsOn() throws {
        let workspace = try Self.sample("parallel-order", concurrent: 4)
        let plan = try workspace.workflow()
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(plan)
        #expect(run.state == .succeeded)
        let events = try workspace.store.events(of: run.id)
        func index(_ kind: RunEventKind, _ task: TaskKey) -> Int? { events.firstIndex { $0.kind == kind && $0.task == task } }
        for task in plan.orderedTasks {
            let start = try #require(index(.taskStarted, task.taskKey))
            for dependency in task.dependsOn {
                let end = try #require(index(.taskFinished, dependency.taskKey))
                #expect(end < start, "\(task.taskKey) started before \(dependency.taskKey) finished")
            }
        }
    }

    /// The same lake, ids included, whether tasks ran together or one at a time.
    @Test func aParallelRunEndsAsASequentialOne() throws {
        let parallel = try Self.sample("parallel-lake", concurrent: 3)
        let sequential = try Self.sample("sequential-lake", concurrent: 1)
        let ran = try WorkflowRunner(workspace: parallel, environment: EngineFixture.clock).run(parallel.workflow())
        let reference = try WorkflowRunner(workspace: sequential, environment: EngineFixture.clock).run(sequential.workflow())
        #expect(ran.state == .succeeded && reference.state == .succeeded)
        #expect(Dictionary(uniqueKeysWithValues: ran.tasks.map { ($0.key, $0.state) }) == Dictionary(uniqueKeysWithValues: reference.tasks.map { ($0.key, $0.state) }))
        #expect(Dictionary(uniqueKeysWithValues: ran.tasks.map { ($0.key, $0.counts) }) == Dictionary(uniqueKeysWithValues: reference.tasks.map { ($0.key, $0.counts) }))
        func held(_ workspace: Workspace) throws -> [String] {
            try workspace.store.quarantineRecords(QuarantineFilter(limit: Int.max))
                .map { "\($0.id) \($0.source) \($0.line) \($0.sourceKey) \($0.status) \($0.failures.map(\.rule).sorted())" }
        }
        #expect(try held(parallel) == held(sequential))
        let sources = parallel.configuration.sources.map { ($0.name, $0.entity) }
        #expect(try parallel.store.sourceStatuses(sources) == sequential.store.sourceStatuses(sources))
        let lineage = "SELECT b.id, b.source, b.line, s.id FROM bronze_row b LEFT JOIN silver_customer s ON s.bronze_id = b.id ORDER BY b.id"
        #expect(try parallel.store.query(lineage, limit: .max).rows == sequential.store.query(lineage, limit: .max).rows)
        let golden = "SELECT golden_id, source, source_key FROM golden_xref WHERE valid_to_run IS NULL ORDER BY golden_id, source, source_key"
        #expect(try parallel.store.query(golden, limit: .max).rows == sequential.store.query(golden, limit: .max).rows)
    }

    /// A workflow that leaves the order unsaid (no `depends_on` at all) still never runs a step beside one of
    /// another stage: nothing reads silver while an ingest writes it, and the lake ends as one task at a time.
    @Test func stepsOfDifferentStagesNeverOverlapEvenWithoutDependencies() throws {
        let workspace = try Self.sample("parallel-unordered", concurrent: 4)
        let file = workspace.root.appendingPathComponent("workflows/customer_pipeline.json")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacing(/,\s*"depends_on":\s*\[[^\]]*\]/, with: "").write(to: file, atomically: true, encoding: .utf8)
        let plan = try workspace.workflow()
        #expect(plan.orderedTasks.allSatisfy { $0.dependsOn.isEmpty })
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(plan)
        #expect(run.state == .succeeded)
        let events = try workspace.store.events(of: run.id)
        var spans: [(stage: Int, start: Int, end: Int)] = []
        for task in plan.orderedTasks {
            let start = try #require(events.firstIndex { $0.kind == .taskStarted && $0.task == task.taskKey })
            let end = try #require(events.firstIndex { $0.kind == .taskFinished && $0.task == task.taskKey })
            spans.append((WorkflowRunner.stage(of: try #require(task.step?.step)), start, end))
        }
        for a in spans {
            for b in spans where a.stage != b.stage {
                #expect(a.end < b.start || b.end < a.start, "stages \(a.stage) and \(b.stage) overlapped")
            }
        }
    }

    @Test func theLimitIsCheckedWhereItIsWritten() throws {
        for (written, expected) in [("0", "max_concurrent_tasks"), ("\"two\"", "max_concurrent_tasks")] {
            let workspace = try EngineFixture.sampleWorkspace("parallel-limit")
            let file = workspace.root.appendingPathComponent("workflows/customer_pipeline.json")
            let text = try String(contentsOf: file, encoding: .utf8)
            try text.replacingOccurrences(of: "\"timeout_seconds\"", with: "\"max_concurrent_tasks\": \(written),\n  \"timeout_seconds\"")
                .write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: EngineError.self) { try workspace.workflow() }
            #expect(error?.description.contains("customer_pipeline.json") == true, "\(error?.description ?? "")")
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
            try? FileManager.default.removeItem(at: workspace.root)
        }
        let plan = try Self.sample("parallel-default", concurrent: nil).workflow()
        #expect(plan.concurrentTasks == ProcessInfo.processInfo.activeProcessorCount)
    }

    /// A task's thread lets go of the task (and the workspace and lake it holds) while it still runs. Let go in the
    /// thread's exit destructors, after libdispatch's own, the last reference to a lake freed GRDB's dispatch queues
    /// there and corrupted the heap (the whole suite died one run in three).
    @Test(arguments: [false, true])
    func aTaskThreadLetsGoOfItsWorkBeforeItEnds(ingestThread: Bool) {
        final class Held: Sendable {
            let onRelease: @Sendable () -> Void
            init(onRelease: @escaping @Sendable () -> Void) { self.onRelease = onRelease }
            deinit { onRelease() }
        }
        /// The thread the work ran on (a `Thread` is not Sendable; it is only asked whether it still runs).
        final class SeenThread: @unchecked Sendable {
            private let lock = NSLock()
            private var thread: Thread?
            func see(_ current: Thread) { lock.withLock { thread = current } }
            func takeIsExecuting() -> Bool? {
                lock.withLock {
                    defer { thread = nil }
                    return thread?.isExecuting
                }
            }
        }
        let thread = SeenThread()
        let stillRunning = LockedBox<Bool?>(nil)
        let go = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        do {
            let held = Held {
                stillRunning.value = thread.takeIsExecuting()
                released.signal()
            }
            let work: @Sendable () -> Void = {
                thread.see(Thread.current)
                go.wait()
                withExtendedLifetime(held) {}
            }
            if ingestThread {
                SourceIngestor.startThread(signalling: done, work)
            } else {
                WorkflowRunner.startTaskThread(work)
            }
        }
        go.signal()
        #expect(released.wait(timeout: .now() + 20) == .success)
        #expect(stillRunning.value == true)
        if ingestThread { done.wait() }
    }
}

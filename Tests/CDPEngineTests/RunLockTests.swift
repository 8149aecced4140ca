import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// One run at a time per workspace: a second run started while the first is inside an ingest refuses,
/// naming the first, or waits for it; the lake stays sound either way.
struct RunLockTests {
    static let rows = (1...3_000).map { "C\($0),Ann\($0),Lee,ann\($0)@example.com,1980-01-02" }

    static func workspace(_ name: String) throws -> Workspace {
        try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules,
            files: ["customers.csv": (["id,first,last,email,born"] + rows).joined(separator: "\n") + "\n"])
    }

    /// Calls `body` once, on the first progress event of the ingest task: rows of its batch are written
    /// and the batch is not finished, so the run is inside an ingest.
    static func insideTheIngest(_ body: @escaping @Sendable () -> Void) -> @Sendable (RunEvent) -> Void {
        let done = LockedBox(false)
        return { event in
            guard event.kind == .progress, event.task == "ingest", !done.value else { return }
            done.value = true
            body()
        }
    }

    @Test
    func aSecondRunRefusesWhileTheFirstIngestsNamingIt() throws {
        let workspace = try Self.workspace("refuse")
        // The second run opens the workspace on its own, as a second process would.
        let second = try Workspace(at: workspace.root.path)
        let refusal = LockedBox<EngineError?>(nil)
        let batchState = LockedBox<BatchState?>(nil)
        let verifiedMeanwhile = LockedBox<[String]?>(nil)
        let first = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(
            workspace.workflow(),
            observer: Self.insideTheIngest {
                batchState.value = try? second.store.batches(source: "crm").first?.state
                verifiedMeanwhile.value = try? LakeVerifier(workspace: second).verify().problems
                do throws(EngineError) {
                    try WorkflowRunner(workspace: second, environment: .fixed(at: 1_764_300_100, user: "bob")).run(second.workflow())
                } catch {
                    refusal.value = error
                }
            })
        #expect(batchState.value == .ingesting)
        // The batch being written belongs to the run holding the lock: verify excuses it.
        #expect(verifiedMeanwhile.value == [])
        #expect(first.state == .succeeded, "\(first.error ?? "")")
        let error = try #require(refusal.value)
        #expect(error.code == .busy)
        #expect(error.message.contains("run \(first.id) of p, started \(first.startedAt) by ann (cli, pid \(getpid()))"))
        #expect(error.message.contains("cdp run --wait"))
        // The refused run wrote nothing: one run recorded, and the lake is sound.
        #expect(try workspace.store.runs().map(\.id) == [first.id])
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
        #expect(try EngineFixture.status(workspace).silverCurrent == 3_000)
    }

    @Test
    func aWaitingRunRunsOnceTheFirstFinishes() throws {
        let workspace = try Self.workspace("wait")
        let second = try Workspace(at: workspace.root.path)
        let waitingFor = LockedBox<RunLock.Holder?>(nil)
        let secondOutcome = LockedBox<Result<RunSummary, EngineError>?>(nil)
        let isWaiting = DispatchSemaphore(value: 0)
        let secondDone = DispatchSemaphore(value: 0)
        let first = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(
            workspace.workflow(),
            observer: Self.insideTheIngest {
                let thread = Thread {
                    let runner = WorkflowRunner(
                        workspace: second, environment: .fixed(at: 1_764_300_100, user: "bob"),
                        waiting: RunLock.Waiting(timeoutSeconds: 60) { holder in
                            waitingFor.value = holder
                            isWaiting.signal()
                        })
                    do throws(EngineError) {
                        secondOutcome.value = .success(try runner.run(try second.workflow()))
                    } catch {
                        secondOutcome.value = .failure(error)
                    }
                    secondDone.signal()
                }
                thread.start()
                // The first run goes on only once the second is waiting for the lake.
                _ = isWaiting.wait(timeout: .now() + 60)
            })
        #expect(secondDone.wait(timeout: .now() + 60) == .success)
        #expect(first.state == .succeeded)
        #expect(waitingFor.value?.run == first.id)
        let later = try #require(try secondOutcome.value?.get())
        #expect(later.state == .succeeded, "\(later.error ?? "")")
        #expect(later.id.rawValue > first.id.rawValue)
        #expect(later.actor == "bob")
        // It ran after the first: the file was already landed, nothing redone.
        #expect(later.tasks.first?.counts["files_already_landed"] == 1)
        #expect(later.tasks.first?.counts["rows_read"] == 0)
        #expect(try workspace.store.runs().map(\.state) == [.succeeded, .succeeded])
        #expect(try LakeVerifier(workspace: workspace).verify().problems == [])
        #expect(try EngineFixture.status(workspace).silverCurrent == 3_000)
    }

    @Test func waitingGivesUpAtItsTimeoutNamingTheHolder() throws {
        let workspace = try Self.workspace("timeout")
        let holder = RunLock.Holder(run: RunID(7), workflow: "p", actor: "carl", trigger: "console", startedAt: "2026-12-06T10:00:00Z")
        let held = try RunLock.acquire(in: workspace.lakeFolder, for: holder)
        let told = LockedBox(0)
        let started = Date()
        #expect {
            try WorkflowRunner(
                workspace: workspace, environment: EngineFixture.clock,
                waiting: RunLock.Waiting(timeoutSeconds: 0.3) { _ in told.value += 1 }
            ).run(workspace.workflow())
        } throws: { error in
            let error = error as? EngineError
            return error?.code == .busy && error?.message.contains("waited 0.3 s") == true
                && error?.message.contains("run R7 of p, started 2026-12-06T10:00:00Z by carl (console, pid \(getpid()))") == true
        }
        #expect(Date().timeIntervalSince(started) >= 0.3)
        #expect(told.value == 1)
        #expect(RunLock.state(in: workspace.lakeFolder).held)
        held.release()
        #expect(!RunLock.state(in: workspace.lakeFolder).held)
        #expect(try EngineFixture.run(workspace).state == .succeeded)
        #expect(try workspace.store.runs().count == 1)
    }

    /// A run left `running` is stale once the lock is free, even when its PID now names a live process
    /// (PIDs are reused); while the lock is held, nothing is taken as stale.
    @Test func aRunLeftRunningIsAbandonedWhenTheLockIsFreeWhateverItsPID() throws {
        let workspace = try Self.workspace("stale")
        let leftOver = try workspace.store.startRun(
            workflow: "p", tasks: [.init(key: "ingest", step: "ingest", dependsOn: [])], actor: "ann", trigger: "cli",
            pid: getpid(), at: "2026-12-06T09:00:00Z")
        let run = try EngineFixture.run(workspace)
        #expect(run.state == .succeeded)
        let abandoned = try #require(try workspace.store.run(leftOver))
        #expect(abandoned.state == .abandoned)
        #expect(abandoned.tasks.first?.state == .skipped)
    }

    /// `cdp match run` writes golden records from silver: during a run it would write them from silver as it was
    /// before the run's ingest. It refuses while a run holds the lake; a match that records nothing does not wait.
    @Test func aMatchThatRecordsRefusesWhileARunHoldsTheLake() throws {
        let workspace = try Self.workspace("match-lock")
        let second = try Workspace(at: workspace.root.path)
        let refusal = LockedBox<EngineError?>(nil)
        let dryRun = LockedBox<Int?>(nil)
        let run = try WorkflowRunner(workspace: workspace, environment: EngineFixture.clock).run(
            workspace.workflow(),
            observer: Self.insideTheIngest {
                let matcher = MatchService(workspace: second, environment: EngineFixture.clock)
                do throws(EngineError) {
                    _ = try matcher.run()
                } catch {
                    refusal.value = error
                }
                dryRun.value = try? matcher.run(persist: false).statistics.records
            })
        #expect(run.state == .succeeded)
        let error = try #require(refusal.value)
        #expect(error.code == .busy && error.message.contains("run \(run.id)"), "\(error.message)")
        #expect(dryRun.value != nil)
        // With the lake free again, it records, and holds the lock while it does.
        let holder = LockedBox<Bool?>(nil)
        _ = try MatchService(workspace: second, environment: EngineFixture.clock).run(clock: {
            if holder.value == nil {
                holder.value = (try? RunLock.acquire(in: workspace.lakeFolder, for: RunLock.Holder(workflow: "probe", actor: "t", trigger: "t", startedAt: "")))
                    == nil
            }
            return MatchService.monotonicSeconds()
        })
        #expect(holder.value == true)
    }

    @Test func aLockIsReleasedWhenItsHolderGoes() throws {
        let folder = EngineFixture.temporaryFolder("lock")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let holder = RunLock.Holder(workflow: "w", actor: "ann", trigger: "cli", startedAt: "2026-12-06T10:00:00Z")
        var lock: RunLock? = try RunLock.acquire(in: folder, for: holder)
        // Another open file description of the same file is refused, even in this process (flock, not fcntl).
        #expect { try RunLock.acquire(in: folder, for: holder) } throws: { ($0 as? EngineError)?.code == .busy }
        #expect(RunLock.state(in: folder).holder == holder)
        _ = lock
        lock = nil
        let again = try RunLock.acquire(in: folder, for: holder)
        #expect(again.previous == holder)
    }

    @Test(arguments: [(nil, true), (1, true), (2, false), (0, false)] as [(Int?, Bool)])
    func maxConcurrentRunsAcceptsOnlyOne(value: Int?, accepted: Bool) throws {
        let workflow = WorkflowDefinition(
            name: "w", tasks: [WorkflowTask(taskKey: "s", step: StepInvocation(step: .scorecard))], maxConcurrentRuns: value)
        do throws(WorkflowPlanError) {
            _ = try WorkflowPlan(workflow, sources: [])
            #expect(accepted)
        } catch {
            #expect(!accepted)
            #expect(error.problems.contains { $0.contains("max_concurrent_runs: must be 1 (found \(value ?? 0))") && $0.contains("one workflow at a time") })
        }
    }

    @Test func maxConcurrentRunsIsReadFromTheWorkflowJSON() throws {
        let workspace = try Self.workspace("json")
        try """
            {"name": "p", "max_concurrent_runs": 4, "tasks": [{"task_key": "s", "cdp_task": {"step": "scorecard"}}]}
            """.write(to: workspace.root.appendingPathComponent("workflows/customer_pipeline.json"), atomically: true, encoding: .utf8)
        #expect { try workspace.workflow() } throws: { error in
            (error as? EngineError)?.description.contains("max_concurrent_runs: must be 1 (found 4)") == true
        }
    }
}

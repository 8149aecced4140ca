import CDPCore
import CDPRepositories
import Foundation

/// `cdp bench arrival`: how long a file dropped into a watched inbox takes to reach `customer_360`, on the sample
/// workspace. The workspace is built and run once whole (not timed); then the scheduler's own loop
/// (``Scheduler/serve(poll:observer:looked:shouldStop:)``) watches `inbox/marketing/` for a workflow that ingests the
/// marketing contacts, revalidates, matches and builds gold, and each repetition moves a new contacts file (one new
/// contact) into the folder and waits until a reader of another connection finds that contact's email in the
/// customer search index. The time is split by phase from the run's own events.
public struct ArrivalBenchmark: Sendable {
    /// The sample data a workspace is made from (`cdp init --from`).
    public var sampleData: URL
    /// Where the workspace goes; one already there is reused.
    public var scratch: URL
    public var repetitions: Int
    /// The trigger's `wait_after_last_change_seconds`.
    public var settleSeconds: Int

    public init(sampleData: URL, scratch: URL, repetitions: Int = 5, settleSeconds: Int = 1) {
        self.sampleData = sampleData
        self.scratch = scratch
        self.repetitions = repetitions
        self.settleSeconds = settleSeconds
    }

    /// One file's way to `customer_360`, in seconds.
    public struct Arrival: Sendable, Codable, Equatable {
        /// From the file's arrival to its run's start: the scheduler noticing it and the trigger's settling wait.
        public var trigger: Double
        public var ingest: Double
        public var revalidate: Double
        public var match: Double
        public var gold: Double
        /// From the file's arrival until a reader finds its customer in `customer_360`.
        public var visible: Double
    }

    public struct Result: Sendable, Codable {
        public var settleSeconds: Int
        public var arrivals: [Arrival]
        /// Each figure's median over the repetitions.
        public var median: Arrival
        /// Golden customers in `customer_360` after the last arrival.
        public var goldenCustomers: Int
    }

    static let workflow = "arrival_bench"
    static var tasks: [(key: String, phase: WritableKeyPath<Arrival, Double>)] {
        [
            ("ingest_marketing_contacts", \.ingest), ("revalidate_quarantine", \.revalidate), ("match_customers", \.match), ("build_gold", \.gold),
        ]
    }

    /// - Throws: when the workspace cannot be made or run, or a file never reaches `customer_360` (within 10 minutes).
    public func run(log: (String) -> Void) throws(EngineError) -> Result {
        let workspace = try prepare(log: log)
        let reader = try Workspace(at: workspace.root.path, mode: .readOnly)
        let environment = Environment.live(user: "bench")
        let scheduler = Scheduler(workspace: workspace, environment: environment)
        let marks = LockedBox<[String: Double]>([:])
        let finishedRuns = LockedBox<Int>(0)
        let looks = LockedBox<Int>(0)
        let stop = LockedBox<Bool>(false)
        let failure = LockedBox<EngineError?>(nil)
        let ended = DispatchSemaphore(value: 0)
        Thread.start(name: "cdp bench scheduler") {
            defer { ended.signal() }
            do throws(EngineError) {
                try scheduler.serve(
                    poll: 1,
                    observer: { event in
                        let now = Self.seconds()
                        switch event.kind {
                        case .runStarted: marks.value["run"] = now
                        case .taskStarted: marks.value["start:\(event.task?.rawValue ?? "")"] = now
                        case .taskFinished: marks.value["end:\(event.task?.rawValue ?? "")"] = now
                        case .runFinished: finishedRuns.value += 1
                        default: break
                        }
                    },
                    looked: { events in
                        looks.value += 1
                        for event in events where event.kind == .failed { failure.value = EngineError(.input, event.message) }
                    },
                    shouldStop: { stop.value || failure.value != nil })
            } catch {
                failure.value = error
            }
        }
        defer {
            stop.value = true
            ended.wait()
        }
        // The first look only starts watching; files arriving before it would be old news to the trigger.
        try wait(until: { looks.value > 0 }, failure)

        var arrivals: [Arrival] = []
        let inbox = workspace.root.appendingPathComponent("inbox/marketing")
        let tag = "\(getpid())-\(Int(Date().timeIntervalSince1970))"
        for repetition in 1...max(repetitions, 1) {
            let email = "arrival.\(tag).\(repetition)@bench.example.com"
            let contact = #"{"contact_id":"ARRIVAL-\#(tag)-\#(repetition)","full_name":"Quentin Arrivalbench","email":"\#(email)","# + #""phone":null,"country":"GB","birthday":null,"crm_customer_id":null,"signup_source":"web","subscribed":true,"created":"2026-12-07T20:00:00Z"}"#
            // Written aside under a dot name (left out by the trigger), then moved in whole, as an upload tool does.
            let partial = inbox.appendingPathComponent(".arrival-\(repetition).part")
            let file = inbox.appendingPathComponent("contacts_arrival_\(tag)_\(repetition).jsonl")
            do {
                try Data((contact + "\n").utf8).write(to: partial)
            } catch {
                throw EngineError(.input, "cannot write the arriving file \(partial.path): \(error)")
            }
            marks.value = [:]
            let runsBefore = finishedRuns.value
            let dropped = Self.seconds()
            guard rename(partial.path, file.path) == 0 else {
                throw EngineError(.input, "cannot move \(partial.lastPathComponent) into \(inbox.path): \(String(cString: strerror(errno)))")
            }
            let key = CustomerSearchKeys.fold(email)
            try wait(until: { !((try? reader.repositories.customer360.customersHolding(keys: [key], among: nil, limit: 1)) ?? []).isEmpty }, failure)
            let visible = Self.seconds() - dropped
            try wait(until: { finishedRuns.value > runsBefore }, failure)
            let times = marks.value
            var arrival = Arrival(trigger: (times["run"] ?? dropped) - dropped, ingest: 0, revalidate: 0, match: 0, gold: 0, visible: visible)
            for (task, phase) in Self.tasks {
                if let start = times["start:\(task)"], let end = times["end:\(task)"] { arrival[keyPath: phase] = end - start }
            }
            log(String(
                format: "arrival %d: in customer_360 after %.2f s (trigger %.2f · ingest %.2f · revalidate %.2f · match %.2f · gold %.2f)",
                repetition, arrival.visible, arrival.trigger, arrival.ingest, arrival.revalidate, arrival.match, arrival.gold))
            arrivals.append(arrival)
        }
        func median(_ phase: KeyPath<Arrival, Double>) -> Double {
            let sorted = arrivals.map { $0[keyPath: phase] }.sorted()
            return sorted[sorted.count / 2]
        }
        let summary = Arrival(
            trigger: median(\.trigger), ingest: median(\.ingest), revalidate: median(\.revalidate), match: median(\.match), gold: median(\.gold),
            visible: median(\.visible))
        let customers = try storeCall { () throws(StoreError) in try reader.repositories.customer360.customer360Count() }
        return Result(settleSeconds: settleSeconds, arrivals: arrivals, median: summary, goldenCustomers: customers)
    }

    /// The sample workspace, run once whole, with the watched workflow written in; reused when already there.
    func prepare(log: (String) -> Void) throws(EngineError) -> Workspace {
        let folder = scratch.appendingPathComponent("workspace")
        let workspace: Workspace
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("lake/lake.sqlite").path) {
            try BenchmarkScratch.requireOwnWorkspace(folder)
            log("reusing \(folder.path)")
            workspace = try Workspace(at: folder.path)
        } else {
            try WorkspaceInitializer.initialize(at: folder.path, from: sampleData.path, administrator: "bench")
            workspace = try Workspace(at: folder.path)
            log("running the sample pipeline once (not timed)…")
            try WorkflowRunner(workspace: workspace, environment: .live(user: "bench")).run(try workspace.workflow())
        }
        let tasks = Self.tasks.map(\.key)
        let steps = [#"{"step": "ingest", "source": "marketing_contacts"}"#, #"{"step": "revalidate"}"#, #"{"step": "match"}"#, #"{"step": "gold"}"#]
        let entries = zip(tasks, steps).enumerated().map { index, task in
            let dependency = index == 0 ? "" : #", "depends_on": [{"task_key": "\#(tasks[index - 1])"}]"#
            return #"{"task_key": "\#(task.0)"\#(dependency), "cdp_task": \#(task.1)}"#
        }
        let text = """
            {"name": "\(Self.workflow)",
             "trigger": {"file_arrival": {"url": "inbox/marketing/", "min_time_between_triggers_seconds": 0, "wait_after_last_change_seconds": \(settleSeconds)}},
             "tasks": [\(entries.joined(separator: ",\n  "))]}
            """
        let file = try workspace.workflowFile(Self.workflow)
        do {
            try text.write(to: file, atomically: true, encoding: .utf8)
        } catch {
            throw EngineError(.input, "cannot write the benchmark's workflow \(file.path): \(error)")
        }
        return workspace
    }

    /// Waits (polling every 10 ms) until `condition` holds; throws what stopped the scheduler, or after 10 minutes.
    private func wait(until condition: () -> Bool, _ failure: LockedBox<EngineError?>) throws(EngineError) {
        let deadline = Self.seconds() + 600
        while !condition() {
            if let error = failure.value { throw error }
            if Self.seconds() > deadline { throw EngineError(.input, "the arriving file did not reach customer_360 within 10 minutes") }
            usleep(10_000)
        }
    }

    /// Monotonic seconds.
    static func seconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}

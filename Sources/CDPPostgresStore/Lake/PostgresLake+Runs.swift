import CDPCore
import CDPRepositories
import Foundation

/// Workflow runs, their tasks and their event stream, as the embedded lake keeps them (`LakeStore+Runs`).
extension PostgresLake: RunRepository {
    public func startRun(
        workflow: String, tasks: [TaskOutline], actor: String, trigger: String, parameters: [String: String], pid: Int32?, at: String,
        cause: String?
    ) throws(StoreError) -> RunID {
        let stored = try Self.parametersText(parameters)
        let taskRows = tasks.enumerated().map { position, task in
            [task.key.rawValue, String(position), task.step, task.dependsOn.map(\.rawValue).joined(separator: ",")]
        }
        let id = try runLockTransaction("start a run") { session async throws(PostgresStoreError) -> String? in
            let id = try await session.value(
                """
                INSERT INTO cdp.workflow_run (workflow, state, actor, trigger, pid, started_at, parameters)
                VALUES ($1, 'running', $2, $3, $4::bigint, $5, $6) RETURNING id::text
                """, [workflow, actor, trigger, pid.map { String($0) }, at, stored])
            for row in taskRows {
                try await session.execute(
                    """
                    INSERT INTO cdp.task_run (run_id, task_key, position, step, depends_on, state)
                    VALUES ($1::bigint, $2, $3::bigint, $4, $5, 'pending')
                    """, [id] + row)
            }
            try await Self.insertEvent(
                session, run: id, task: nil, at: at, kind: RunEventKind.runStarted.rawValue, processed: nil, total: nil,
                message: "run of \(workflow) started by \(actor)")
            try await session.execute(
                "SELECT cdp.append_own_audit('run.start', 'R' || $1, NULL, $2, $3)", [id, workflow, cause])
            return id
        }
        return RunID(try integer(id, "a new run's id"))
    }

    public func reopenRun(_ run: RunID, tasks: [TaskKey], actor: String, parameters: [String: String], pid: Int32?, at: String)
        throws(StoreError)
    {
        let stored = try Self.parametersText(parameters)
        let id = String(run.rawValue)
        let keys = tasks.map(\.rawValue)
        // What stood in the way, or nil when the run was reopened.
        let refusal = try runLockTransaction("reopen run \(run)") { session async throws(PostgresStoreError) -> StoreError.Code? in
            guard let state = try await session.value("SELECT state FROM cdp.workflow_run WHERE id = $1::bigint FOR UPDATE", [id]) else {
                return .notFound
            }
            guard state != RunState.running.rawValue else { return .conflict }
            try await session.execute(
                "UPDATE cdp.workflow_run SET state = 'running', finished_at = NULL, error = NULL, pid = $1::bigint, parameters = $2 WHERE id = $3::bigint",
                [pid.map { String($0) }, stored, id])
            for key in keys {
                try await session.execute(
                    """
                    UPDATE cdp.task_run SET state = 'pending', started_at = NULL, finished_at = NULL, duration_ms = NULL, processed = 0,
                        total = NULL, counts = NULL, error = NULL
                    WHERE run_id = $1::bigint AND task_key = $2
                    """, [id, key])
            }
            try await Self.insertEvent(
                session, run: id, task: nil, at: at, kind: RunEventKind.runStarted.rawValue, processed: nil, total: nil,
                message: "run \(run) repaired by \(actor): rerunning \(keys.joined(separator: ", "))")
            return nil
        }
        switch refusal {
        case nil: return
        case .conflict?: throw StoreError(.conflict, "run \(run) is still running")
        default: throw StoreError(.notFound, "no run \(run)")
        }
    }

    public func updateTask(_ run: RunID, _ record: TaskRunRecord, event: RunEvent?) throws(StoreError) {
        let counts: String
        do {
            counts = String(decoding: try Self.sortedJSON.encode(record.counts), as: UTF8.self)
        } catch {
            throw StoreError(.io, "cannot encode the counts of task \(record.key)", underlying: error)
        }
        let arguments: [String?] = [
            record.state.rawValue, String(record.attempt), record.startedAt, record.finishedAt, record.durationMilliseconds.map { String($0) },
            String(record.processed), record.total.map { String($0) }, counts, record.error, String(run.rawValue), record.key.rawValue,
        ]
        try transaction("update task \(record.key)") { session async throws(PostgresStoreError) in
            try await session.execute(
                """
                UPDATE cdp.task_run SET state = $1, attempt = $2::bigint, started_at = $3, finished_at = $4, duration_ms = $5::bigint,
                    processed = $6::bigint, total = $7::bigint, counts = $8, error = $9
                WHERE run_id = $10::bigint AND task_key = $11
                """, arguments)
            if let event { try await Self.insertEvent(session, event) }
        }
    }

    public func appendEvent(_ event: RunEvent) throws(StoreError) {
        try work("append a run event") { session async throws(PostgresStoreError) in try await Self.insertEvent(session, event) }
    }

    public func finishRun(_ run: RunID, state: RunState, error: String?, at: String) throws(StoreError) {
        let id = String(run.rawValue)
        try transaction("finish run \(run)") { session async throws(PostgresStoreError) in
            try await session.execute(
                "UPDATE cdp.workflow_run SET state = $1, finished_at = $2, error = $3 WHERE id = $4::bigint", [state.rawValue, at, error, id])
            // The audit chain's length and head as the run ends are recorded by the store itself (its trigger
            // `run_row_moves_on`): no login role writes them.
            if state != .succeeded { try await Self.closeTasks(session, run: id, error: error ?? "the run \(state.rawValue)", at: at) }
            try await Self.insertEvent(
                session, run: id, task: nil, at: at, kind: RunEventKind.runFinished.rawValue, processed: nil, total: nil,
                message: error.map { "run \(state.rawValue): \($0)" } ?? "run \(state.rawValue)")
        }
    }

    public func abandonStaleRuns(failures: [RunID: String], at: String) throws(StoreError) -> [RunID] {
        let failed = failures.map { (String($0.key.rawValue), $0.value) }
        let ids = try transaction("abandon stale runs") { session async throws(PostgresStoreError) -> [String?] in
            let runs = try await session.rows("SELECT id::text FROM cdp.workflow_run WHERE state = 'running' ORDER BY workflow_run.id FOR UPDATE").map { $0[0] }
            for case let id? in runs {
                let failure = failed.first { $0.0 == id }?.1
                let state = failure == nil ? RunState.abandoned : .failed
                let message =
                    failure.map { "the run failed and could not record it in the lake: \($0)" }
                    ?? "the process running it ended without finishing (killed or crashed)"
                try await session.execute(
                    "UPDATE cdp.workflow_run SET state = $1, finished_at = $2, error = $3 WHERE id = $4::bigint", [state.rawValue, at, message, id])
                try await Self.closeTasks(session, run: id, error: message, at: at)
                try await Self.insertEvent(
                    session, run: id, task: nil, at: at, kind: RunEventKind.runFinished.rawValue, processed: nil, total: nil,
                    message: "run \(state.rawValue): \(message)")
            }
            return runs
        }
        var runs: [RunID] = []
        for id in ids { runs.append(RunID(try integer(id, "a run's id"))) }
        return runs
    }

    public func run(_ id: RunID) throws(StoreError) -> RunSummary? {
        try summaries("read run \(id)", where: "WHERE id = $1::bigint", [String(id.rawValue)]).first
    }

    public func runs(limit: Int) throws(StoreError) -> [RunSummary] {
        try summaries("list runs", where: "", [], limit: limit)
    }

    public func events(of run: RunID, after afterEventID: Int64, limit: Int) throws(StoreError) -> [RunEvent] {
        let eventTable = relation("run_event")
        let rows = try work("read events of \(run)") { session async throws(PostgresStoreError) in
            try await session.rows(
                """
                SELECT id::text, task_key, at, kind, processed::text, total::text, message FROM \(eventTable)
                WHERE run_id = $1::bigint AND run_event.id > $2::bigint ORDER BY run_event.id LIMIT $3::bigint
                """, [String(run.rawValue), String(afterEventID), String(limit)])
        }
        var events: [RunEvent] = []
        for row in rows {
            guard let kind = row[3].flatMap(RunEventKind.init(rawValue:)) else {
                throw StoreError(.database, "run \(run) has an event of unknown kind \(row[3] ?? "NULL")")
            }
            events.append(
                RunEvent(
                    id: try integer(row[0], "an event's id"), run: run, task: row[1].map { TaskKey($0) }, at: row[2] ?? "", kind: kind,
                    processed: try optionalInteger(row[4], "an event's count").map { Int($0) },
                    total: try optionalInteger(row[5], "an event's total").map { Int($0) }, message: row[6] ?? ""))
        }
        return events
    }

    /// Takes the store's advisory run lock on a session of its own, kept open until released: the lock is the
    /// session's, so a run whose process dies lets go at once.
    public func takeStoreRunLock() throws(StoreError) {
        try runLock.withLock { held throws(StoreError) in
            guard held == nil else { return }
            let settings = self.settings
            let environment = self.environment
            do throws(PostgresStoreError) {
                held = try PostgresBlocking.wait { () async throws(PostgresStoreError) -> PostgresSession in
                    let session = try await PostgresSession.connect(settings, environment: environment, applicationName: "cdp run")
                    do throws(PostgresStoreError) {
                        try await PostgresTeamStore.takeRunLock(session)
                        return session
                    } catch {
                        await session.close()
                        throw error
                    }
                }
            } catch {
                throw Self.storeError(error, doing: "take the run lock")
            }
        }
    }

    /// Runs `body` in one transaction on the session holding the store's run lock, when this process holds it
    /// (``takeStoreRunLock()``), else on the lake's session: the store records a run as running only from the session
    /// holding the lock (`pg-a-run-is-recorded-by-the-run-lock-holder`), not from any session of the same login. The
    /// lock's mutex is held for the whole transaction, so ``releaseStoreRunLock()`` cannot close the session under it
    /// (it waits for the transaction, then lets go).
    func runLockTransaction<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresSession) async throws(PostgresStoreError) -> T
    ) throws(StoreError) -> T {
        let onTheLocksSession: T?
        do {
            // nil when this process holds no lock; a T (itself perhaps nil) when the body ran on the lock's session.
            onTheLocksSession = try runLock.withLock { held throws(PostgresStoreError) -> T? in
                guard let session = held else { return nil }
                return .some(try PostgresBlocking.wait { () async throws(PostgresStoreError) -> T in try await session.transaction(body) })
            }
        } catch {
            throw Self.storeError(error, doing: operation)
        }
        if let onTheLocksSession { return onTheLocksSession }
        return try transaction(operation, body)
    }

    public func releaseStoreRunLock() {
        guard let session = runLock.withLock({ held -> PostgresSession? in
            defer { held = nil }
            return held
        }) else { return }
        _ = try? PostgresBlocking.wait { () async throws(PostgresStoreError) in
            try? await PostgresTeamStore.releaseRunLock(session)
            await session.close()
        }
    }

    private func summaries(_ operation: String, where clause: String, _ arguments: [String?], limit: Int = 1) throws(StoreError)
        -> [RunSummary]
    {
        let from = readable
        let (runs, tasks) = try work(operation) { session async throws(PostgresStoreError) in
            let runs = try await session.rows(
                """
                SELECT id::text, workflow, state, actor, trigger, pid::text, started_at, finished_at, error, parameters
                FROM \(from("workflow_run")) \(clause) ORDER BY workflow_run.id DESC LIMIT \(limit)
                """, arguments)
            let ids = runs.compactMap { $0[0] }
            let tasks = try await session.rows(
                """
                SELECT run_id::text, task_key, position::text, step, depends_on, state, attempt::text, started_at, finished_at,
                    duration_ms::text, processed::text, total::text, counts, error
                FROM \(from("task_run")) WHERE run_id = ANY($1::bigint[]) ORDER BY task_run.run_id, task_run.position
                """, ["{" + ids.joined(separator: ",") + "}"])
            return (runs, tasks)
        }
        var byRun: [String: [TaskRunRecord]] = [:]
        for task in tasks {
            guard let state = task[5].flatMap(TaskState.init(rawValue:)) else {
                throw StoreError(.database, "task \(task[1] ?? "?") of run \(task[0] ?? "?") has an unknown state \(task[5] ?? "NULL")")
            }
            var counts: [String: Int] = [:]
            if let text = task[12] {
                do { counts = try JSONDecoder().decode([String: Int].self, from: Data(text.utf8)) } catch {
                    throw StoreError(.database, "task \(task[1] ?? "?") of run \(task[0] ?? "?") has counts that are not JSON: \(text)", underlying: error)
                }
            }
            byRun[task[0] ?? "", default: []].append(
                TaskRunRecord(
                    key: TaskKey(task[1] ?? ""), position: Int(try integer(task[2], "a task's position")), step: task[3] ?? "",
                    dependsOn: (task[4] ?? "").split(separator: ",").map { TaskKey(String($0)) }, state: state,
                    attempt: Int(try integer(task[6], "a task's attempt")), startedAt: task[7], finishedAt: task[8],
                    durationMilliseconds: try optionalInteger(task[9], "a task's duration").map { Int($0) },
                    processed: Int(try integer(task[10], "a task's processed rows")),
                    total: try optionalInteger(task[11], "a task's total").map { Int($0) }, counts: counts, error: task[13]))
        }
        var summaries: [RunSummary] = []
        for row in runs {
            let id = try integer(row[0], "a run's id")
            guard let state = row[2].flatMap(RunState.init(rawValue:)) else {
                throw StoreError(.database, "run \(id) has an unknown state \(row[2] ?? "NULL")")
            }
            var parameters: [String: String] = [:]
            if let text = row[9] {
                do { parameters = try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) } catch {
                    throw StoreError(.database, "run \(id) has parameters that are not a JSON object of text values: \(text)", underlying: error)
                }
            }
            summaries.append(
                RunSummary(
                    id: RunID(id), workflow: row[1] ?? "", state: state, actor: row[3] ?? "", trigger: row[4] ?? "",
                    pid: try optionalInteger(row[5], "a run's pid").map { Int32(truncatingIfNeeded: $0) }, startedAt: row[6] ?? "",
                    finishedAt: row[7], error: row[8], tasks: byRun[row[0] ?? ""] ?? [], parameters: parameters))
        }
        return summaries
    }

    static func insertEvent(_ session: PostgresSession, _ event: RunEvent) async throws(PostgresStoreError) {
        try await insertEvent(
            session, run: String(event.run.rawValue), task: event.task?.rawValue, at: event.at, kind: event.kind.rawValue,
            processed: event.processed.map { String($0) }, total: event.total.map { String($0) }, message: event.message)
    }

    static func insertEvent(
        _ session: PostgresSession, run: String?, task: String?, at: String, kind: String, processed: String?, total: String?, message: String
    ) async throws(PostgresStoreError) {
        try await session.execute(
            """
            INSERT INTO cdp.run_event (run_id, task_key, at, kind, processed, total, message)
            VALUES ($1::bigint, $2, $3, $4, $5::bigint, $6::bigint, $7)
            """, [run, task, at, kind, processed, total, message])
    }

    private static func closeTasks(_ session: PostgresSession, run: String, error: String, at: String) async throws(PostgresStoreError) {
        try await session.execute(
            "UPDATE cdp.task_run SET state = 'failed', finished_at = $1, error = coalesce(error, $2) WHERE run_id = $3::bigint AND state = 'running'",
            [at, error, run])
        try await session.execute("UPDATE cdp.task_run SET state = 'skipped' WHERE run_id = $1::bigint AND state = 'pending'", [run])
    }

    static var sortedJSON: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Parameters as stored: sorted JSON, NULL when there are none.
    static func parametersText(_ parameters: [String: String]) throws(StoreError) -> String? {
        guard !parameters.isEmpty else { return nil }
        do {
            return String(decoding: try sortedJSON.encode(parameters), as: UTF8.self)
        } catch {
            throw StoreError(.io, "cannot encode the run's parameters", underlying: error)
        }
    }
}

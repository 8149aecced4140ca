import CDPCore
import CDPRepositories
import Foundation
import GRDB

extension LakeStore: RunRepository {}

/// Workflow runs, their tasks and their event stream.
extension LakeStore {
    /// Records a new run with every task pending, the job parameters it runs with, its `run_started` event and, in the
    /// same transaction, its `run.start` audit row (`cause` as the reason).
    public func startRun(
        workflow: String, tasks: [TaskOutline], actor: String, trigger: String, parameters: [String: String] = [:], pid: Int32?,
        at: String, cause: String? = nil
    ) throws(StoreError) -> RunID {
        let stored = try Self.parametersText(parameters)
        return try write("start a run") { db in
            try db.execute(
                sql: "INSERT INTO workflow_run (workflow, state, actor, trigger, pid, started_at, parameters) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [workflow, RunState.running.rawValue, actor, trigger, pid.map { Int64($0) }, at, stored])
            let run = RunID(db.lastInsertedRowID)
            for (position, task) in tasks.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO task_run (run_id, task_key, position, step, depends_on, state)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run.rawValue, task.key.rawValue, position, task.step,
                        task.dependsOn.map(\.rawValue).joined(separator: ","), TaskState.pending.rawValue,
                    ])
            }
            try Self.insertEvent(
                RunEvent(run: run, task: nil, at: at, kind: .runStarted, message: "run of \(workflow) started by \(actor)"),
                db)
            try Self.appendAudit(
                AuditDraft(actor: actor, action: "run.start", target: run.description, after: workflow, reason: cause), at: at, db)
            return run
        }
    }

    /// Reopens a finished run to repair it (Databricks' repair run): the run is `running` again under the
    /// repairing process, and `tasks` are `pending` with their last attempt's state, counts and error
    /// cleared; every other task keeps how it ended. The run's event log says who repaired it and which tasks
    /// rerun.
    /// - Parameter parameters: the job parameters the repair runs with, which the run keeps from then on.
    /// - Throws: `.notFound` for an unknown run; `.conflict` when the run is still running.
    public func reopenRun(
        _ run: RunID, tasks: [TaskKey], actor: String, parameters: [String: String] = [:], pid: Int32?, at: String
    ) throws(StoreError) {
        let stored = try Self.parametersText(parameters)
        try write("reopen run \(run)") { db in
            guard let state = try String.fetchOne(db, sql: "SELECT state FROM workflow_run WHERE id = ?", arguments: [run.rawValue]) else {
                throw StoreError(.notFound, "no run \(run)")
            }
            guard state != RunState.running.rawValue else { throw StoreError(.conflict, "run \(run) is still running") }
            try db.execute(
                sql: "UPDATE workflow_run SET state = ?, finished_at = NULL, error = NULL, pid = ?, parameters = ? WHERE id = ?",
                arguments: [RunState.running.rawValue, pid.map { Int64($0) }, stored, run.rawValue])
            for task in tasks {
                try db.execute(
                    sql: """
                        UPDATE task_run SET state = ?, started_at = NULL, finished_at = NULL, duration_ms = NULL, processed = 0,
                            total = NULL, counts = NULL, error = NULL
                        WHERE run_id = ? AND task_key = ?
                        """,
                    arguments: [TaskState.pending.rawValue, run.rawValue, task.rawValue])
            }
            try Self.insertEvent(
                RunEvent(
                    run: run, task: nil, at: at, kind: .runStarted,
                    message: "run \(run) repaired by \(actor): rerunning \(tasks.map(\.rawValue).joined(separator: ", "))"),
                db)
        }
    }

    /// Updates a task's state and counters, and appends an event in the same transaction.
    public func updateTask(_ run: RunID, _ record: TaskRunRecord, event: RunEvent?) throws(StoreError) {
        try write("update task \(record.key)") { db in
            let counts = try String(decoding: JSONEncoder.sorted.encode(record.counts), as: UTF8.self)
            try db.execute(
                sql: """
                    UPDATE task_run SET state = ?, attempt = ?, started_at = ?, finished_at = ?, duration_ms = ?,
                        processed = ?, total = ?, counts = ?, error = ?
                    WHERE run_id = ? AND task_key = ?
                    """,
                arguments: [
                    record.state.rawValue, record.attempt, record.startedAt, record.finishedAt,
                    record.durationMilliseconds, record.processed, record.total, counts, record.error,
                    run.rawValue, record.key.rawValue,
                ])
            if let event { try Self.insertEvent(event, db) }
        }
    }

    public func appendEvent(_ event: RunEvent) throws(StoreError) {
        try write("append a run event") { db in try Self.insertEvent(event, db) }
    }

    static func insertEvent(_ event: RunEvent, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO run_event (run_id, task_key, at, kind, processed, total, message) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                event.run.rawValue, event.task?.rawValue, event.at, event.kind.rawValue, event.processed,
                event.total, event.message,
            ])
    }

    /// Ends a run. A failed run's tasks still `running` fail with its error and its `pending` ones are skipped,
    /// so no task of a finished run reads as still going.
    public func finishRun(_ run: RunID, state: RunState, error: String?, at: String) throws(StoreError) {
        try write("finish run \(run)") { db in
            try db.execute(
                sql: "UPDATE workflow_run SET state = ?, finished_at = ?, error = ? WHERE id = ?",
                arguments: [state.rawValue, at, error, run.rawValue])
            // The audit chain's length and head as the run ends: an anchor `verify` checks the chain against.
            try db.execute(
                sql: """
                    UPDATE workflow_run SET (audit_rows, audit_head) = (SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1)
                    WHERE id = ? AND EXISTS (SELECT 1 FROM audit_log)
                    """,
                arguments: [run.rawValue])
            if state != .succeeded {
                try Self.closeTasks(of: run, error: error ?? "the run \(state.rawValue)", at: at, db)
            }
            try Self.insertEvent(
                RunEvent(run: run, task: nil, at: at, kind: .runFinished, message: error.map { "run \(state.rawValue): \($0)" } ?? "run \(state.rawValue)"),
                db)
        }
    }

    private static func closeTasks(of run: RunID, error: String, at: String, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE task_run SET state = 'failed', finished_at = ?, error = COALESCE(error, ?) WHERE run_id = ? AND state = 'running'",
            arguments: [at, error, run.rawValue])
        try db.execute(sql: "UPDATE task_run SET state = 'skipped' WHERE run_id = ? AND state = 'pending'", arguments: [run.rawValue])
    }

    /// Closes every run still `running`: their process is gone. Call only while holding the lake's run lock
    /// (the engine's `RunLock`): no other process runs then, so a `running` run is one whose process ended
    /// without finishing it. A process id cannot tell that (PIDs are reused).
    /// - Parameter failures: runs that failed and could not write so (a full disk), with their error: these
    ///   are marked `failed` with it. Every other run is marked `abandoned` (killed or crashed).
    /// - Returns: the runs closed.
    public func abandonStaleRuns(failures: [RunID: String] = [:], at: String) throws(StoreError) -> [RunID] {
        try write("abandon stale runs") { db in
            let runs = try Int64.fetchAll(db, sql: "SELECT id FROM workflow_run WHERE state = 'running' ORDER BY id")
            for id in runs {
                let run = RunID(id)
                let state: RunState
                let message: String
                if let failure = failures[run] {
                    state = .failed
                    message = "the run failed and could not record it in the lake: \(failure)"
                } else {
                    state = .abandoned
                    message = "the process running it ended without finishing (killed or crashed)"
                }
                try db.execute(
                    sql: "UPDATE workflow_run SET state = ?, finished_at = ?, error = ? WHERE id = ?",
                    arguments: [state.rawValue, at, message, id])
                try Self.closeTasks(of: run, error: message, at: at, db)
                try Self.insertEvent(RunEvent(run: run, task: nil, at: at, kind: .runFinished, message: "run \(state.rawValue): \(message)"), db)
            }
            return runs.map { RunID($0) }
        }
    }

    /// The newest runs first, with their tasks.
    public func runs(limit: Int = 50) throws(StoreError) -> [RunSummary] {
        try read("list runs") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM workflow_run ORDER BY id DESC LIMIT ?", arguments: [limit])
            return try rows.map { try Self.summary($0, db) }
        }
    }

    public func run(_ id: RunID) throws(StoreError) -> RunSummary? {
        try read("read run \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM workflow_run WHERE id = ?", arguments: [id.rawValue])
                .map { try Self.summary($0, db) }
        }
    }

    /// Events of a run after `afterEventID`, oldest first: a follower polls with the last id it saw.
    public func events(of run: RunID, after afterEventID: Int64 = 0, limit: Int = 1000) throws(StoreError) -> [RunEvent] {
        try read("read events of \(run)") { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM run_event WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
                arguments: [run.rawValue, afterEventID, limit]
            ).map { row in
                RunEvent(
                    id: row["id"], run: run, task: (row["task_key"] as String?).map { TaskKey($0) },
                    at: row["at"], kind: RunEventKind(rawValue: row["kind"]) ?? .log, processed: row["processed"],
                    total: row["total"], message: row["message"] ?? "")
            }
        }
    }

    static func summary(_ row: Row, _ db: Database) throws -> RunSummary {
        let id = RunID(row["id"] as Int64)
        let tasks = try Row.fetchAll(
            db, sql: "SELECT * FROM task_run WHERE run_id = ? ORDER BY position", arguments: [id.rawValue]
        ).map { task -> TaskRunRecord in
            let counts = (task["counts"] as String?).flatMap {
                try? JSONDecoder().decode([String: Int].self, from: Data($0.utf8))
            }
            let dependsOn = (task["depends_on"] as String).split(separator: ",").map { TaskKey(String($0)) }
            return TaskRunRecord(
                key: TaskKey(task["task_key"] as String), position: task["position"], step: task["step"],
                dependsOn: dependsOn, state: TaskState(rawValue: task["state"]) ?? .pending, attempt: task["attempt"],
                startedAt: task["started_at"], finishedAt: task["finished_at"], durationMilliseconds: task["duration_ms"],
                processed: task["processed"], total: task["total"], counts: counts ?? [:], error: task["error"])
        }
        var parameters: [String: String] = [:]
        if let text = row["parameters"] as String? {
            do {
                parameters = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
            } catch {
                throw StoreError(.database, "run \(id) has parameters that are not a JSON object of text values: \(text)", underlying: error)
            }
        }
        return RunSummary(
            id: id, workflow: row["workflow"], state: RunState(rawValue: row["state"]) ?? .failed, actor: row["actor"],
            trigger: row["trigger"], pid: (row["pid"] as Int64?).map { Int32($0) }, startedAt: row["started_at"],
            finishedAt: row["finished_at"], error: row["error"], tasks: tasks, parameters: parameters)
    }

    /// Parameters as stored: sorted JSON, NULL when there are none.
    static func parametersText(_ parameters: [String: String]) throws(StoreError) -> String? {
        guard !parameters.isEmpty else { return nil }
        do {
            return String(decoding: try JSONEncoder.sorted.encode(parameters), as: UTF8.self)
        } catch {
            throw StoreError(.io, "cannot encode the run's parameters", underlying: error)
        }
    }
}

extension JSONEncoder {
    /// Deterministic JSON: sorted keys, so stored text and hashes are stable.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

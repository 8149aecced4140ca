import CDPCore
import CDPEngine
import CDPRepositories
import TermUI

/// Steward actions on quarantined records. Each goes through `QuarantineService`, so it is checked,
/// recorded in the record's history and audited; the result or the error lands on the status line.
enum QuarantineActions {
    /// Applies `edits` to a record and remembers how to undo it and how to repeat it on like records.
    static func fix(app: ConsoleApp, record: QuarantineRecord, edits: [String: String], takingOver: Bool = false) {
        guard !edits.isEmpty else {
            app.message = StatusMessage("nothing changed", severity: .warning)
            return
        }
        do {
            let before = try app.service.snapshot(record.id, fields: Array(edits.keys))
            let updated = try app.service(takingOverHolds: takingOver).fix(record.id, edits: edits)
            app.dataGeneration += 1
            app.undoStack.append(.fix(label: "fix of \(record.id)", previous: [before]))
            if edits.count == 1, let (field, value) = edits.first {
                let failure = record.failures.first { $0.field == field } ?? record.failures.first
                if let failure {
                    app.lastFixTemplate = FixTemplate(
                        record: record.id, source: record.source, rule: failure.rule, field: field,
                        oldValue: field == RuleFieldName.sourceKey ? record.sourceKey : (record.fields[field] ?? ""), newValue: value,
                        before: before)
                }
            }
            if updated.status == .fixed {
                app.message = StatusMessage("\(record.id) fixed: passes every rule now; r releases it", severity: .success)
            } else {
                let rules = updated.failures.filter { $0.severity >= .error }.map(\.rule).joined(separator: ", ")
                app.message = StatusMessage("\(record.id) saved; still fails \(rules)", severity: .warning)
            }
        } catch where error.code == .held && !takingOver {
            WorkActions.askToTakeOver(error, app: app) { [weak app] in
                if let app { fix(app: app, record: record, edits: edits, takingOver: true) }
            }
        } catch {
            app.report(error)
        }
    }

    static func release(app: ConsoleApp, id: QuarantineID, takingOver: Bool = false) {
        do {
            let record = try app.service(takingOverHolds: takingOver).release(id)
            app.dataGeneration += 1
            app.undoStack.append(.decision(label: "release of \(id)", id: id))
            app.message = StatusMessage("\(id) released to \(record.entity.silverTable); u takes it back", severity: .success)
        } catch where error.code == .held && !takingOver {
            WorkActions.askToTakeOver(error, app: app) { [weak app] in
                if let app { release(app: app, id: id, takingOver: true) }
            }
        } catch {
            app.report(error)
        }
    }

    /// Asks for a reason in a modal, then rejects. Without the permission it refuses before asking.
    static func askToReject(app: ConsoleApp, id: QuarantineID, then done: @escaping () -> Void) {
        do {
            try app.service.authorize(.reject, id)
        } catch {
            app.report(error)
            return
        }
        app.modal = .input(InputDialog(
            title: "Reject \(id)", question: "Why is this record unusable? (recorded in the audit log; u reopens it)",
            whenEmpty: "a rejection needs a reason: type it, or Esc to cancel"
        ) { [weak app] reason in
            guard let app else { return }
            reject(app: app, id: id, reason: reason)
            done()
        })
    }

    static func reject(app: ConsoleApp, id: QuarantineID, reason: String, takingOver: Bool = false) {
        do {
            try app.service(takingOverHolds: takingOver).reject(id, reason: reason)
            app.dataGeneration += 1
            app.undoStack.append(.decision(label: "rejection of \(id)", id: id))
            app.message = StatusMessage("\(id) rejected: \(reason); u reopens it", severity: .success)
        } catch where error.code == .held && !takingOver {
            WorkActions.askToTakeOver(error, app: app) { [weak app] in
                if let app { reject(app: app, id: id, reason: reason, takingOver: true) }
            }
        } catch {
            app.report(error)
        }
    }

    /// Asks why, then reopens a released or rejected record. Without the permission it refuses before asking.
    static func askToReopen(app: ConsoleApp, id: QuarantineID, then done: @escaping () -> Void) {
        do {
            try app.service.authorize(.reopen, id)
        } catch {
            app.report(error)
            return
        }
        app.modal = .input(InputDialog(
            title: "Reopen \(id)", question: "Why was the release or rejection wrong? (recorded in the audit log)",
            whenEmpty: "reopening needs a reason: type it, or Esc to cancel"
        ) { [weak app] reason in
            guard let app else { return }
            do {
                let record = try app.service.reopen(id, reason: reason)
                app.dataGeneration += 1
                app.message = StatusMessage("\(id) reopened: \(record.status.rawValue)", severity: .success)
            } catch {
                app.report(error)
            }
            done()
        })
    }

    /// Open records failing the template's rule with the same value in the same field (not the template's
    /// own), compared by the engine on the real values.
    static func likeRecords(app: ConsoleApp, template: FixTemplate) throws(EngineError) -> [QuarantineRecord] {
        try app.service.recordsLike(template.before, field: template.field, rule: template.rule)
    }

    /// Previews how many records the last fix would apply to, and applies it after confirmation.
    static func fixAllLikeThis(app: ConsoleApp) {
        guard let template = app.lastFixTemplate else {
            app.message = StatusMessage("fix one record first (Enter, e, edit one field, Enter); F then repeats that change", severity: .warning)
            return
        }
        let records: [QuarantineRecord]
        do {
            records = try likeRecords(app: app, template: template)
        } catch {
            app.report(error)
            return
        }
        guard !records.isEmpty else {
            app.message = StatusMessage("no other open record fails \(template.rule) with \(template.field) = \"\(template.oldValue)\"")
            return
        }
        let question = """
            Set \(template.field) = "\(template.newValue)" on \(records.count) open record\(records.count == 1 ? "" : "s") \
            failing \(template.rule) with \(template.field) = "\(template.oldValue)"?
            """
        app.modal = .confirm(title: "Fix all like this", message: question, state: ConfirmState()) { [weak app] in
            guard let app else { return }
            applyToAll(app: app, template: template, records: records)
        }
    }

    static func applyToAll(app: ConsoleApp, template: FixTemplate, records: [QuarantineRecord]) {
        var previous: [QuarantineSnapshot] = []
        var passing = 0
        var failed: [String] = []
        for record in records {
            do {
                let before = try app.service.snapshot(record.id, fields: [template.field])
                let updated = try app.service.fix(record.id, edits: [template.field: template.newValue])
                app.dataGeneration += 1
                previous.append(before)
                if updated.status == .fixed { passing += 1 }
            } catch {
                failed.append("\(record.id): \(ConsoleApp.describe(error))")
            }
        }
        if !previous.isEmpty { app.undoStack.append(.fix(label: "fix all like \(template.record)", previous: previous)) }
        let summary = "fixed \(previous.count) record\(previous.count == 1 ? "" : "s") like \(template.record) (\(passing) now pass)"
        if failed.isEmpty {
            app.message = StatusMessage(summary, severity: .success)
        } else {
            app.message = StatusMessage(summary + "; \(failed.count) refused: " + failed.prefix(2).joined(separator: "; "), severity: .warning)
        }
        app.current.activate(app: app)
    }

    /// Takes back the last action where the engine allows it.
    static func undo(app: ConsoleApp) {
        guard let last = app.undoStack.popLast() else {
            app.message = StatusMessage("nothing to undo")
            return
        }
        switch last {
        case .bulk(_, let outcome):
            app.push(BulkPreviewScreen(undoing: outcome))
        case .decision(let label, let id):
            do {
                let record = try app.service.undoDecision(id)
                app.dataGeneration += 1
                app.message = StatusMessage("undid the \(label): \(id) is \(record.status.rawValue) again", severity: .success)
            } catch {
                app.report(error)
            }
            app.current.activate(app: app)
        case .fix(let label, let previous):
            var restored = 0
            var problems: [String] = []
            for snapshot in previous {
                do {
                    try app.service.restore(snapshot)
                    app.dataGeneration += 1
                    restored += 1
                } catch {
                    problems.append("\(snapshot.id): \(ConsoleApp.describe(error))")
                }
            }
            app.lastFixTemplate = nil
            if problems.isEmpty {
                app.message = StatusMessage("undid the \(label) (\(restored) record\(restored == 1 ? "" : "s") restored)", severity: .success)
            } else {
                app.message = StatusMessage("undid the \(label) partly: " + problems.prefix(2).joined(separator: "; "), severity: .warning)
            }
            app.current.activate(app: app)
        }
    }
}

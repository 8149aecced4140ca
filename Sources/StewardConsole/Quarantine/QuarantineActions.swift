import CDPCore
import CDPEngine
import CDPStore
import TermUI

/// Steward actions on quarantined records. Each goes through `QuarantineService`, so it is checked,
/// recorded in the record's history and audited; the result or the error lands on the status line.
enum QuarantineActions {
    /// Applies `edits` to a record and remembers how to undo it and how to repeat it on like records.
    static func fix(app: ConsoleApp, record: QuarantineRecord, edits: [String: String]) {
        guard !edits.isEmpty else {
            app.message = StatusMessage("nothing changed", severity: .warning)
            return
        }
        do {
            let updated = try app.service.fix(record.id, edits: edits)
            app.dataGeneration += 1
            var previous: [String: String] = [:]
            for field in edits.keys {
                previous[field] = field == RuleFieldName.sourceKey ? record.sourceKey : (record.fields[field] ?? "")
            }
            app.undoStack.append(.fix(label: "fix of \(record.id)", previous: [(record.id, previous)]))
            if edits.count == 1, let (field, value) = edits.first {
                let failure = record.failures.first { $0.field == field } ?? record.failures.first
                if let failure {
                    app.lastFixTemplate = FixTemplate(
                        record: record.id, source: record.source, rule: failure.rule, field: field,
                        oldValue: previous[field] ?? "", newValue: value)
                }
            }
            if updated.status == .fixed {
                app.message = StatusMessage("\(record.id) fixed: passes every rule now; r releases it", severity: .success)
            } else {
                let rules = updated.failures.filter { $0.severity >= .error }.map(\.rule).joined(separator: ", ")
                app.message = StatusMessage("\(record.id) saved; still fails \(rules)", severity: .warning)
            }
        } catch {
            app.report(error)
        }
    }

    static func release(app: ConsoleApp, id: QuarantineID) {
        do {
            let record = try app.service.release(id)
            app.dataGeneration += 1
            app.undoStack.append(.irreversible(label: "release of \(id)"))
            app.message = StatusMessage("\(id) released to \(record.entity.silverTable)", severity: .success)
        } catch {
            app.report(error)
        }
    }

    /// Asks for a reason in a modal, then rejects.
    static func askToReject(app: ConsoleApp, id: QuarantineID, then done: @escaping () -> Void) {
        app.modal = .input(title: "Reject \(id)", question: "Why is this record unusable? (recorded in the audit log)", field: TextFieldState()) {
            [weak app] reason in
            guard let app else { return }
            reject(app: app, id: id, reason: reason)
            done()
        }
    }

    static func reject(app: ConsoleApp, id: QuarantineID, reason: String) {
        do {
            try app.service.reject(id, reason: reason)
            app.dataGeneration += 1
            app.undoStack.append(.irreversible(label: "rejection of \(id)"))
            app.message = StatusMessage("\(id) rejected: \(reason)", severity: .success)
        } catch {
            app.report(error)
        }
    }

    /// Open records failing the template's rule with the same value in the same field (not the template's own).
    static func likeRecords(app: ConsoleApp, template: FixTemplate) throws(StoreError) -> [QuarantineRecord] {
        // The text filter narrows in SQL; it cannot match values JSON escapes, so those are scanned whole.
        let plain = !template.oldValue.isEmpty && !template.oldValue.contains("\"") && !template.oldValue.contains("\\")
        let filter = LakeStore.QuarantineFilter(
            source: template.source, rule: template.rule, statuses: [.open], text: plain ? template.oldValue : nil, limit: 1_000_000)
        return try app.workspace.store.quarantineRecords(filter).filter {
            $0.id != template.record && ($0.fields[template.field] ?? "") == template.oldValue
        }
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
        var previous: [(id: QuarantineID, values: [String: String])] = []
        var passing = 0
        var failed: [String] = []
        for record in records {
            do {
                let updated = try app.service.fix(record.id, edits: [template.field: template.newValue])
                app.dataGeneration += 1
                previous.append((record.id, [template.field: record.fields[template.field] ?? ""]))
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
        case .irreversible(let label):
            app.message = StatusMessage("the \(label) cannot be undone (the engine keeps releases and rejections final)", severity: .warning)
        case .fix(let label, let previous):
            var restored = 0
            var problems: [String] = []
            for (id, values) in previous {
                do {
                    try app.service.fix(id, edits: values)
                    app.dataGeneration += 1
                    restored += 1
                } catch {
                    problems.append("\(id): \(ConsoleApp.describe(error))")
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

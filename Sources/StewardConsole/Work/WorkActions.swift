import CDPCore
import CDPEngine
import CDPRepositories
import TermUI

/// Whose items a work list shows (`w`, `:owner mine|unassigned|everyone`).
enum OwnerFilter: String, CaseIterable, Sendable {
    case everyone, mine, unassigned

    var label: String {
        switch self {
        case .everyone: "everyone's"
        case .mine: "mine"
        case .unassigned: "unassigned"
        }
    }

    /// Whether an item held as `hold` (nil: nobody) is shown to `user`.
    func admits(_ hold: WorkClaim?, user: String) -> Bool {
        switch self {
        case .everyone: true
        case .mine: hold?.owner == user
        case .unassigned: hold == nil
        }
    }

    /// Parses `mine`, `unassigned`, `everyone` (or `everyone's`, `all`).
    init?(argument: String) {
        switch argument.trimmingCharacters(in: .whitespaces).lowercased() {
        case "mine", "me": self = .mine
        case "unassigned", "free", "nobody": self = .unassigned
        case "everyone", "everyone's", "all": self = .everyone
        default: return nil
        }
    }
}

/// Claims, assignments and take-overs from the console, through ``WorkAssignments``; every one audited by the
/// engine. An item someone else holds is acted on only after the steward confirms taking it over.
enum WorkActions {
    /// The actions of a work list (the workbench and Review's queue), with the same keys on both.
    static let actions: [ConsoleAction] = [
        ConsoleAction("claim", keys: [.char("m")], help: "Claim the marked rows (none marked: the selected one) for 30 minutes", group: "Work"),
        ConsoleAction("assign", keys: [.char("a")], help: "Assign the marked rows (or the selected one) to a steward (:assign NAME)", group: "Work"),
        ConsoleAction("unassign", keys: [.char("M")], help: "Take the claim or assignment off the marked rows (or the selected one)", group: "Work"),
        ConsoleAction("owner", keys: [.char("w")], help: "Show mine, unassigned or everyone's (:owner mine|unassigned|everyone)", group: "Work"),
    ]

    static func service(_ app: ConsoleApp) -> WorkAssignments { WorkAssignments(workspace: app.workspace, environment: app.environment) }

    /// More rows than this are claimed, assigned or unassigned in the background with a progress bar (Esc stops it
    /// before anything is written); fewer at once.
    static let backgroundThreshold = 200

    /// The owner column's cell: the holder's name, green when it is the steward's own, amber when someone else's;
    /// a claim (which lapses) is shown with a trailing `*`.
    static func ownerCell(_ hold: WorkClaim?, app user: String, theme: Theme) -> Line {
        guard let hold else { return Line("", style: theme[.muted]) }
        let text = hold.owner + (hold.hold == .claim ? "*" : "")
        return Line(text, style: hold.owner == user ? theme[.success] : theme[.warning])
    }

    static func claim(_ items: [WorkItem], app: ConsoleApp, then done: @escaping () -> Void) {
        guard selected(items, app: app) else { return }
        let service = service(app)
        if items.count > backgroundThreshold {
            app.push(WorkJobScreen(
                label: "Claiming \(names(items)) for 30 minutes", total: items.count,
                run: { takingOver, progress throws(EngineError) in try service.claim(items, takingOver: takingOver, progress: progress) },
                summary: { "claimed \(names(items)) for 30 minutes" + taken($0) }, done: done))
            return
        }
        confirmingTakeOver(app, done: done) { takingOver throws(EngineError) in
            let outcome = try service.claim(items, takingOver: takingOver)
            return "claimed \(names(items)) for 30 minutes" + taken(outcome)
        }
    }

    /// Asks whom to assign to (refused before asking without `assign_work`), then assigns.
    static func askAssignee(_ items: [WorkItem], app: ConsoleApp, then done: @escaping () -> Void) {
        do {
            try service(app).authorizeAssigning(items)
        } catch {
            app.report(error)
            return
        }
        guard selected(items, app: app) else { return }
        app.modal = .input(InputDialog(
            title: "Assign \(names(items))", question: "To which steward? (their user name)",
            whenEmpty: "write a steward's user name, or Esc to cancel"
        ) { [weak app] name in
            guard let app else { return }
            assign(items, to: name, app: app, then: done)
        })
    }

    static func assign(_ items: [WorkItem], to steward: String, app: ConsoleApp, then done: @escaping () -> Void) {
        guard selected(items, app: app) else { return }
        let service = service(app)
        if items.count > backgroundThreshold {
            app.push(WorkJobScreen(
                label: "Assigning \(names(items)) to \(steward)", total: items.count,
                run: { takingOver, progress throws(EngineError) in
                    try service.assign(items, to: steward, takingOver: takingOver, progress: progress)
                },
                summary: { "assigned \(names(items)) to \(steward)" + taken($0) }, done: done))
            return
        }
        confirmingTakeOver(app, done: done) { takingOver throws(EngineError) in
            let outcome = try service.assign(items, to: steward, takingOver: takingOver)
            return "assigned \(names(items)) to \(steward)" + taken(outcome)
        }
    }

    static func unassign(_ items: [WorkItem], app: ConsoleApp, then done: @escaping () -> Void) {
        guard selected(items, app: app) else { return }
        let service = service(app)
        if items.count > backgroundThreshold {
            app.push(WorkJobScreen(
                label: "Unassigning \(names(items))", total: items.count,
                run: { _, progress throws(EngineError) in try service.unassign(items, progress: progress) },
                summary: { $0.changed.isEmpty ? "nobody held \(names(items))" : "unassigned \(names($0.changed))" }, done: done))
            return
        }
        do {
            let outcome = try service.unassign(items)
            app.message = StatusMessage(
                outcome.changed.isEmpty ? "nobody held \(names(items))" : "unassigned \(names(outcome.changed))", severity: .success)
            done()
        } catch {
            app.report(error)
        }
    }

    /// Runs `body`; when the engine refuses because someone else holds an item, asks the steward whether to take
    /// it over and, on yes, runs it again taking over (the engine audits the take-over). `body` returns the
    /// status line to show.
    static func confirmingTakeOver(
        _ app: ConsoleApp, done: @escaping () -> Void, _ body: @escaping (Bool) throws(EngineError) -> String
    ) {
        do throws(EngineError) {
            app.message = StatusMessage(try body(false), severity: .success)
            done()
        } catch where error.code == .held {
            askToTakeOver(error, app: app) { [weak app] in
                guard let app else { return }
                do {
                    app.message = StatusMessage(try body(true), severity: .success)
                    done()
                } catch {
                    app.report(error)
                }
            }
        } catch {
            app.report(error)
        }
    }

    /// Shows who holds the item (the engine's refusal) and asks whether to go ahead anyway; Cancel is focused.
    static func askToTakeOver(_ refusal: EngineError, app: ConsoleApp, then retry: @escaping () -> Void) {
        let holder = refusal.message.components(separatedBy: ";").first ?? refusal.message
        app.message = StatusMessage(holder, severity: .warning)
        app.modal = .confirm(title: "Someone else holds it", message: "\(holder). Take it over? (audited)", state: ConfirmState(), onConfirm: retry)
    }

    /// Asks for a comment (refused before asking without the permission to act on the item), then adds it.
    static func askComment(on item: WorkItem, app: ConsoleApp, then done: @escaping () -> Void) {
        do {
            try WorkComments(workspace: app.workspace, environment: app.environment).authorizeCommenting(on: item)
        } catch {
            app.report(error)
            return
        }
        app.modal = .input(InputDialog(
            title: "Comment on \(item)", question: "What should the next steward know? (audited; withheld from roles without view_pii)",
            whenEmpty: "write the comment, or Esc to cancel"
        ) { [weak app] text in
            guard let app else { return }
            comment(on: item, text: text, app: app, then: done)
        })
    }

    static func comment(on item: WorkItem, text: String, app: ConsoleApp, then done: @escaping () -> Void) {
        do {
            try WorkComments(workspace: app.workspace, environment: app.environment).comment(on: item, text: text)
            app.message = StatusMessage("commented on \(item)", severity: .success)
            done()
        } catch {
            app.report(error)
        }
    }

    /// The thread as lines under a `Comments` header; nothing when there are none.
    static func commentLines(_ comments: [WorkComment], theme: Theme) -> [Line] {
        guard !comments.isEmpty else { return [] }
        return [Line(""), Line("Comments", style: theme[.header])]
            + comments.map { comment in
                Line(spans: [
                    Span("  \(TimeText.short(comment.at)) ", style: theme[.muted]), Span("\(comment.author) ", style: theme[.accent]),
                    Span(comment.text, style: theme[.pii]),
                ])
            }
    }

    /// False, saying so, when no row is selected or marked.
    private static func selected(_ items: [WorkItem], app: ConsoleApp) -> Bool {
        if items.isEmpty { app.message = StatusMessage("no row selected", severity: .warning) }
        return !items.isEmpty
    }

    private static func names(_ items: [WorkItem]) -> String {
        items.count == 1 ? items[0].description : "\(TimeText.count(items.count)) items"
    }

    private static func taken(_ outcome: WorkAssignments.Outcome) -> String {
        outcome.takenOver.isEmpty ? "" : " (taken over from \(Set(outcome.takenOver.map(\.owner)).sorted().joined(separator: ", ")))"
    }
}

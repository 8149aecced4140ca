import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "List workflow runs, show one with its tasks and events, or repair one that failed.",
        subcommands: [List.self, Show.self, Repair.self, Lock.self, Unlock.self], defaultSubcommand: List.self)

    struct Lock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who holds a team store's run lock (roles with run_workflows or act_as).")
        @Option(help: ArgumentHelp("The team store: postgresql://…, a socket folder or service=NAME (no password).", valueName: "address"))
        var store: String

        func run() throws {
            let holder = try present { () throws(EngineError) in try Workspace.teamStoreRunLockHolder(store) }
            print(holder.map { "the run lock is held by \($0)" } ?? "nobody holds the run lock")
        }
    }

    struct Unlock: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Break a team store's run lock: end the session holding it (admin, act_as; audited as run.unlock).",
            discussion: """
                For a run that hangs or a session left open holding the lock. The holding session is ended by the \
                server (its run fails, its open transaction is rolled back); the audit row names who held it and why.
                """)
        @Option(help: ArgumentHelp("The team store: postgresql://…, a socket folder or service=NAME (no password).", valueName: "address"))
        var store: String
        @Option(help: "Why (recorded in the audit log).") var reason: String

        func run() throws {
            let reason = self.reason
            let holder = try present { () throws(EngineError) in try Workspace.breakTeamStoreRunLock(store, reason: reason) }
            print("broke the run lock held by \(holder) (audited as run.unlock)")
        }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rerun a run's failed and skipped tasks and what depends on them, in the same run record (audited).")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The run, e.g. R12.") var id: String
        @OptionGroup var parameters: JobParameterOptions
        @Flag(help: "Print the repaired run as JSON.") var json = false

        func run() throws {
            guard let runID = RunID(parsing: id) else { throw ValidationError("'\(id)' is not a run id (like R12)") }
            Workspace.stopCountingSQLiteMemory()
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let reporter = RunReporter(interactive: Output.isTerminal && !json, quiet: json)
            let given = parameters.values
            let summary = try present { () throws(EngineError) in
                try WorkflowRunner(workspace: workspace, environment: environment, trigger: "repair")
                    .repair(runID, parameters: given, observer: { reporter.show($0) })
            }
            reporter.finish()
            if json { Output.json(summary) } else { print(RunPrinter.describe(summary)) }
            if summary.state != .succeeded { throw ExitCode(ErrorPresenter.exitCode(for: .runFailed)) }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest runs.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "How many.") var limit: Int = 20
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open(readOnly: true)
            let reader = workspace.reader(for: try options.environment(in: workspace))
            let runs = try present { () throws(EngineError) in try reader.runs(limit: limit) }
            if json { return Output.json(runs) }
            print(Output.table(
                ["run", "workflow", "state", "started", "finished", "by", "tasks ok"],
                runs.map { run in
                    [run.id.description, run.workflow, run.state.rawValue, run.startedAt, run.finishedAt ?? "-", run.actor,
                     "\(run.tasks.filter { $0.state == .succeeded }.count)/\(run.tasks.count)"]
                }))
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A run's tasks and its event log.")
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The run, e.g. R3.") var id: String
        @Flag(help: "Only errors and failures in the log.") var errors = false

        func run() throws {
            guard let runID = RunID(parsing: id) else { throw ValidationError("'\(id)' is not a run id (like R3)") }
            let workspace = try options.open(readOnly: true)
            let reader = workspace.reader(for: try options.environment(in: workspace))
            let (run, events) = try present { () throws(EngineError) in
                guard let run = try reader.run(runID) else {
                    throw EngineError(.notFound, "no run \(runID); see `cdp runs`")
                }
                return (run, try reader.events(of: runID, limit: 100_000))
            }
            print(RunPrinter.describe(run))
            print("\nevents:")
            for event in events where event.kind != .progress && (!errors || event.kind.isError) {
                print("  \(event.at) \(event.kind.rawValue) \(event.message)")
            }
        }
    }
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read and verify the append-only audit log.",
        subcommands: [List.self, Verify.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Audit rows, newest first.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "Only this user.") var user: String?
        @Option(help: "Only this action, e.g. quarantine.release.") var action: String?
        @Option(help: "Only this target, e.g. Q12.") var target: String?
        @Option(help: "How many.") var limit: Int = 50
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let workspace = try options.open(readOnly: true)
            let reader = workspace.reader(for: try options.environment(in: workspace))
            let filter = AuditFilter(actor: user, action: action, target: target, limit: limit)
            let entries = try present { () throws(EngineError) in try reader.auditEntries(filter) }
            if json { return Output.json(entries) }
            let rows: [[String]] = entries.map { entry in
                [entry.id.description, entry.at, entry.actor, entry.action, entry.target]
                    + [entry.before, entry.after, entry.reason].map { Self.cell($0 ?? "") }
            }
            print(Output.table(["id", "at", "who", "action", "target", "before", "after", "reason"], rows))
            if rows.contains(where: { $0.contains { $0.hasSuffix("…") } }) { print("(long values cut; --json prints rows whole)") }
        }

        /// A value on one line of the table: line breaks shown as ⏎, cut after `width` characters (a changed
        /// access file's texts are whole in the row and in `--json`).
        static func cell(_ value: String, width: Int = 80) -> String {
            let line = Output.oneLine(value)
            return line.count > width ? String(line.prefix(width - 1)) + "…" : line
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check the hash chain; names any edited or deleted row.")
        @OptionGroup var options: WorkspaceOptions
        @Option(
            help: ArgumentHelp(
                "Check a PostgreSQL team store's audit log instead (postgresql://…, a socket folder or service=NAME; no password).",
                valueName: "address"))
        var store: String?

        func run() throws {
            if let store {
                let problems = try present { () throws(EngineError) in try Workspace.teamStoreAuditProblems(store) }
                guard problems.isEmpty else {
                    let failure = EngineError(.verification, "the team store's audit log has been tampered with:", details: problems)
                    ErrorPresenter.print(failure)
                    throw ExitCode(ErrorPresenter.exitCode(for: .verification))
                }
                return print("team store audit chain intact")
            }
            let workspace = try options.open(readOnly: true)
            let reader = workspace.reader(for: try options.environment(in: workspace))
            let problems = try present { () throws(EngineError) in try reader.auditChainProblems() }
            guard problems.isEmpty else {
                ErrorPresenter.print(EngineError(.verification, "the audit log has been tampered with:", details: problems))
                throw ExitCode(ErrorPresenter.exitCode(for: .verification))
            }
            print("audit chain intact")
        }
    }
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run read-only SQL over the lake (bronze_row, silver_*, quarantine_record, batch, workflow_run, …).",
        discussion: """
            Without view_pii a statement that reads a personal column anywhere (result, WHERE, JOIN, ORDER BY, \
            through views and CTEs) is refused; query the <dataset>_masked views (silver_customer_masked, \
            customer_360_masked, …) instead.
            """)

    @OptionGroup var options: WorkspaceOptions
    @Argument(help: "A SELECT statement.") var sql: String
    @Option(help: "table, csv or json.") var format: String = "table"
    @Option(help: "At most this many rows.") var limit: Int = 1000
    @Option(help: ArgumentHelp(
        "Stop the statement after this many seconds.",
        discussion: "At most the workspace's limit, cdp.toml's [query] time_limit_seconds (120 when unset), which is also the default."))
    var timeLimit: Int?

    func run() throws {
        guard ["table", "csv", "json"].contains(format) else { throw ValidationError("--format must be table, csv or json") }
        let workspace = try options.open(readOnly: true)
        let environment = try options.environment(in: workspace)
        let result = try present { () throws(EngineError) in
            try workspace.query(sql, limit: limit, as: environment, timeLimitSeconds: timeLimit)
        }
        switch format {
        case "csv", "json":
            var writer = ExportWriter(format: format == "csv" ? .csv : .json)
            // Data, written as the lake holds it (the writer quotes as its format requires).
            Swift.print(writer.header(result.columns) + writer.rows(result.rows) + writer.footer(), terminator: "")
        default:
            print(Output.table(result.columns, result.rows.map { $0.map { $0.text ?? "∅" } }))
            print("\(result.rows.count) rows")
        }
    }
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", 
        abstract: "Write synthetic sources of any size from a seed, with a ground-truth file, ready for `cdp init --from`.")

    @Option(help: "How many customers (people).") var customers: Int = 5000
    @Option(help: "The random seed; the same seed gives the same bytes.") var seed: UInt64 = 7
    @Option(help: "The folder to write.") var out: String
    @Option(help: "Campaign events per customer.") var eventsPerCustomer: Double = 10

    func run() throws {
        guard customers > 0 else { throw ValidationError("--customers must be positive") }
        var options = GeneratorOptions(customers: customers, seed: seed)
        options.eventsPerCustomer = eventsPerCustomer
        let started = Date()
        let summary: GenerationSummary
        do {
            summary = try SampleDataGenerator(options: options).write(to: URL(fileURLWithPath: out))
        } catch {
            ErrorPresenter.print(EngineError(.input, "cannot generate into \(out): \(error)"))
            throw ExitCode(ErrorPresenter.exitCode(for: .input))
        }
        try present { () throws(EngineError) in try WorkspaceInitializer.writeConfiguration(into: out) }
        for file in summary.files {
            print("\(file.path): \(Output.grouped(file.rows)) rows, \(file.problemRows) with deliberate problems")
        }
        print(String(format: "done in %.1fs; next: cdp init WORKSPACE --from %@", Date().timeIntervalSince(started), out))
    }
}

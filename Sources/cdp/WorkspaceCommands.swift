import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create a workspace: cdp.toml, governance/, workflows/, inbox/ and lake/.")

    @Argument(help: "The folder to create.")
    var path: String

    @Option(help: "A folder of source data to copy in (its inbox/ and truth/), e.g. sample-data.")
    var from: String?

    @Option(
        help: ArgumentHelp(
            "Keep the lake on a PostgreSQL team store (postgresql://USER@HOST/DB, a socket folder or service=NAME; never a password): "
                + "installs its schema, makes you its admin and applies governance/access.toml there.",
            valueName: "address"))
    var store: String?

    func run() throws {
        guard let store else {
            try present { () throws(EngineError) in
                try WorkspaceInitializer.initialize(at: path, from: from, administrator: OSIdentity.current.user)
            }
            print("created workspace \(path)\(from.map { " with the data of \($0)" } ?? "")")
            print("next: cdp run --workspace \(path)")
            return
        }
        let made = try present { () throws(EngineError) in try WorkspaceInitializer.initialize(at: path, from: from, store: store) }
        print("created workspace \(path)\(from.map { " with the data of \($0)" } ?? "") on the team store \(store)")
        if !made.access.migrations.isEmpty { print("schema: applied \(made.access.migrations.joined(separator: ", "))") }
        print("access: \(made.access.statements) statements applied by \(made.access.appliedBy), who is the workspace's admin")
        for note in made.access.notes { print("note: \(note)") }
        print("next: cdp run --workspace \(path)")
    }
}

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a workspace from sample-data/ if needed, run the pipeline once, and open the console on it.")

    @Option(help: "Where the demo workspace lives.")
    var workspace: String = ".cdp-demo"

    @Option(help: "The sample data folder.")
    var from: String = "sample-data"

    @Option(help: "Colour theme for the console.")
    var theme: String?

    @Flag(help: "Only build and run; do not open the console.")
    var noConsole = false

    func run() throws {
        let fresh = !FileManager.default.fileExists(atPath: workspace + "/" + Workspace.configurationFileName)
        if fresh {
            try present { () throws(EngineError) in try WorkspaceInitializer.initialize(at: workspace, from: from, administrator: OSIdentity.current.user) }
            print("created workspace \(workspace) from \(from)")
        }
        // Parsed, not built with init(): options hold their defaults only once parsed (reading `--as` of a
        // built one stopped the demo).
        let options = try WorkspaceOptions.parse(["--workspace", workspace])
        let opened = try options.open()
        let environment = try options.environment(in: opened)
        let hasRun = try present { () throws(EngineError) in try opened.reader(for: environment).runs(limit: 1).isEmpty == false }
        if !hasRun || noConsole {
            try RunCommand.parse(["--workspace", workspace]).run()
        }
        let interactive = isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1
        if noConsole || !interactive {
            print("\nworkspace: \(workspace)  —  open the console with: cdp console -w \(workspace)")
            return
        }
        try ConsoleLauncher.open(opened, environment: environment, themeName: theme)
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check every configuration file (cdp.toml, governance/*.toml, workflows/*.json) without running anything.",
        discussion: "Lists every problem of every file with its line and setting, and exits 3; exits 0 when all is well.")

    @OptionGroup var options: WorkspaceOptions

    @Option(help: "Check only this workflow (by file name in workflows/; repeatable). Default: every workflow.")
    var workflow: [String] = []

    func run() throws {
        let report = try present { () throws(EngineError) in
            try Workspace.checkConfiguration(at: options.path, workflows: workflow.isEmpty ? nil : workflow)
        }
        Output.warn(report.ignoredSettings)
        print("configuration ok: \(report.files.joined(separator: ", "))")
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a workflow (default workflows/customer_pipeline.json) and record the run.")

    @OptionGroup var options: WorkspaceOptions

    @Option(help: "The workflow to run, by file name in workflows/.")
    var workflow: String = Workspace.defaultWorkflow

    @Flag(help: "Print the finished run as JSON.")
    var json = false

    @Flag(help: "When another run holds the workspace's lake, wait for it to finish instead of refusing (exit 14).")
    var wait = false

    @Flag(
        help: "Rebuild rather than update: check every held record again and rebuild the whole gold layer, not only what changed since the last run.")
    var full = false

    @Option(help: ArgumentHelp("Run one step instead of a workflow (a task of a job `cdp workflow export --databricks` wrote).", valueName: "step"))
    var step: String?

    @Option(help: "With --step ingest: the source to ingest.")
    var source: String?

    @OptionGroup var parameters: JobParameterOptions

    @Option(help: ArgumentHelp("With --wait: give up after this many seconds (exit 14).", valueName: "seconds"))
    var waitTimeout: Double?

    func validate() throws {
        if let step {
            guard StepKind(rawValue: step) != nil else {
                throw ValidationError("--step '\(step)' is not a step (\(StepKind.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if workflow != Workspace.defaultWorkflow { throw ValidationError("give --step or --workflow, not both") }
        } else if source != nil {
            throw ValidationError("--source needs --step ingest")
        }
        if waitTimeout != nil && !wait { throw ValidationError("--wait-timeout needs --wait") }
        if let waitTimeout, !(waitTimeout >= 0) || !waitTimeout.isFinite {
            throw ValidationError("--wait-timeout must be a number of seconds, 0 or more")
        }
    }

    func run() throws {
        // A headless run writes in bulk and caps nothing: SQLite need not count its memory.
        Workspace.stopCountingSQLiteMemory()
        // Every configuration file, the workflow included, is checked first and reported whole.
        _ = try present { () throws(EngineError) in try Workspace.checkConfiguration(at: options.path, workflows: step == nil ? [workflow] : []) }
        let workspace = try options.open()
        let environment = try options.environment(in: workspace)
        let values = parameters.values
        let plan = try present { () throws(EngineError) in
            if let step, let kind = StepKind(rawValue: step) {
                return try workspace.stepWorkflow(StepInvocation(step: kind, source: source.map { SourceName($0) }))
            }
            return try workspace.workflow(named: workflow, parameters: values)
        }
        Output.warn(plan.ignoredSettings)
        let reporter = RunReporter(interactive: Output.isTerminal && !json, quiet: json)
        let waiting = wait
            ? RunLock.Waiting(timeoutSeconds: waitTimeout) { holder in
                let who = holder?.description ?? "another run"
                let limit = waitTimeout.map { " (at most \($0 == $0.rounded() ? "\(Int($0))" : "\($0)") s)" } ?? ""
                FileHandle.standardError.write(Data(TerminalSafeText.of("waiting for the lake: \(who) holds it\(limit)…\n").utf8))
            }
            : nil
        var runner = WorkflowRunner(workspace: workspace, environment: environment, waiting: waiting)
        runner.full = full
        let summary = try present { () throws(EngineError) in try runner.run(plan, observer: { reporter.show($0) }) }
        reporter.finish()
        if json {
            Output.json(summary)
        } else {
            print(RunPrinter.describe(summary))
        }
        if summary.state != .succeeded {
            let code: EngineError.Code
            switch summary.failure {
            case .inputRefused?: code = .input
            case .fatalRule?: code = .fatalRule
            case .taskFailed?, nil: code = .runFailed
            }
            throw ExitCode(ErrorPresenter.exitCode(for: code))
        }
    }
}

/// Shows run events on a terminal: a redrawn progress line when interactive, plain lines otherwise.
final class RunReporter: @unchecked Sendable {
    private let interactive: Bool
    private let quiet: Bool
    private let lock = NSLock()
    private var lastPrint = 0.0
    private var taskStart: [String: Double] = [:]
    private var progressShown = false

    init(interactive: Bool, quiet: Bool) {
        self.interactive = interactive
        self.quiet = quiet
    }

    func show(_ event: RunEvent) {
        guard !quiet else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date().timeIntervalSince1970
        switch event.kind {
        case .progress:
            guard let processed = event.processed, let total = event.total, let task = event.task else { return }
            if !interactive {
                if now - lastPrint < 2 { return }
                lastPrint = now
                write("  \(task): \(Output.grouped(processed)) of ~\(Output.grouped(total)) rows\n")
                return
            }
            let ratio = total > 0 ? min(1, Double(processed) / Double(total)) : 0
            let width = 30
            let filled = Int(ratio * Double(width))
            let elapsed = max(0.001, now - (taskStart[task.rawValue] ?? now))
            let rate = Double(processed) / elapsed
            let eta = rate > 0 ? Double(total - processed) / rate : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            write("\r\u{1B}[2K  \(bar) \(task) \(Output.grouped(processed))/~\(Output.grouped(total)) · \(Int(rate / 1000))k rows/s · ETA \(Int(eta))s")
            progressShown = true
        case .taskStarted:
            taskStart[event.task?.rawValue ?? ""] = now
            clearProgress()
            write("▶ \(TerminalSafeText.of(event.message))\n")
        case .taskFinished:
            clearProgress()
            write("✔ \(TerminalSafeText.of(event.message))\n")
        case .taskFailed:
            clearProgress()
            write("✘ \(TerminalSafeText.of(event.message))\n")
        case .taskSkipped, .taskRetrying, .warning, .log:
            clearProgress()
            write("• \(event.task.map { "\($0): " } ?? "")\(TerminalSafeText.of(event.message))\n")
        case .runStarted, .runFinished:
            clearProgress()
            write("\(TerminalSafeText.of(event.message))\n")
        }
    }

    func finish() {
        lock.lock()
        clearProgress()
        lock.unlock()
    }

    private func clearProgress() {
        if progressShown { write("\r\u{1B}[2K") }
        progressShown = false
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

enum RunPrinter {
    static func describe(_ run: RunSummary) -> String {
        var lines = ["run \(run.id) \(run.workflow): \(run.state.rawValue) (started \(run.startedAt) by \(run.actor))"]
        if !run.parameters.isEmpty {
            lines.append("parameters: " + run.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))
        }
        if let error = run.error { lines.append(error) }
        let rows = run.tasks.map { task -> [String] in
            let duration = task.durationMilliseconds.map { String(format: "%.2fs", Double($0) / 1000) } ?? "-"
            let counts = ["rows_read", "rows_to_silver", "rows_quarantined", "rows_unchanged", "now_passing"]
                .compactMap { key in task.counts[key].map { "\(key.replacingOccurrences(of: "rows_", with: ""))=\(Output.grouped($0))" } }
                .joined(separator: " ")
            return [task.key.rawValue, task.state.rawValue, duration, counts.isEmpty ? (task.error ?? "") : counts]
        }
        lines.append(Output.table(["task", "state", "time", "counts"], rows))
        return lines.joined(separator: "\n")
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Counts per layer and source, and rule pass rates.")

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Print as JSON.")
    var json = false

    struct Report: Codable {
        var workspace: String
        var sources: [SourceStatus]
        var rules: [RulePassRate]
        var lastRun: String?
    }

    func run() throws {
        let workspace = try options.open(readOnly: true)
        let reader = workspace.reader(for: try options.environment(in: workspace))
        let report = try present { () throws(EngineError) in
            let statuses = try reader.sourceStatuses()
            let rates = try reader.rulePassRates()
            let last = try reader.runs(limit: 1).first
            return Report(
                workspace: workspace.configuration.name, sources: statuses, rules: rates,
                lastRun: last.map { "\($0.id) \($0.state.rawValue) at \($0.startedAt)" })
        }
        if json { return Output.json(report) }
        print("workspace \(report.workspace) — last run: \(report.lastRun ?? "none")\n")
        let totals = report.sources.reduce(into: [0, 0, 0, 0]) { totals, status in
            totals[0] += status.bronze
            totals[1] += status.silverCurrent
            totals[2] += status.quarantineOpen + status.quarantineFixed + status.quarantineRejected
            totals[3] += status.released
        }
        print("layers: bronze \(Output.grouped(totals[0])) rows · silver \(Output.grouped(totals[1])) current · quarantine \(Output.grouped(totals[2])) held · \(Output.grouped(totals[3])) released\n")
        print(Output.table(
            ["source", "batches", "bronze", "silver", "history", "q.open", "q.fixed", "q.rejected", "released", "warnings"],
            report.sources.map {
                [$0.source.rawValue, "\($0.batches)", Output.grouped($0.bronze), Output.grouped($0.silverCurrent),
                 Output.grouped($0.silverHistory), Output.grouped($0.quarantineOpen), "\($0.quarantineFixed)",
                 "\($0.quarantineRejected)", "\($0.released)", Output.grouped($0.warnings)]
            }))
        print("\nrule pass rates (all batches):")
        print(Output.table(
            ["source", "rule", "severity", "checked", "failed", "pass rate"],
            report.rules.map {
                [$0.source.rawValue, $0.rule, $0.severity, Output.grouped($0.evaluated), Output.grouped($0.failed),
                 String(format: "%.2f%%", $0.passRate * 100)]
            }))
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", 
        abstract: "Check the lake's invariants; exit 0 when all hold, 9 naming what broke.")

    @OptionGroup var options: WorkspaceOptions

    @Flag(help: "Print as JSON.")
    var json = false

    func run() throws {
        let workspace = try options.open(readOnly: true)
        // `--as` is authorised and audited as on every command that reads the lake (the report quotes no value).
        _ = try options.environment(in: workspace)
        let report = try present { () throws(EngineError) in try LakeVerifier(workspace: workspace).verify() }
        if json {
            Output.json(report)
        } else {
            for check in report.checks {
                print("  \(check.holds ? "✔ holds" : "✘ FAILS"): \(check.name)\(check.holds ? "" : " (\(check.problems.count) problems)")")
            }
        }
        guard report.holds else {
            ErrorPresenter.print(EngineError(.verification, "the lake's invariants do not hold:", details: report.problems))
            throw ExitCode(ErrorPresenter.exitCode(for: .verification))
        }
        if !json { print("all invariants hold") }
    }
}

/// `--param name=value`, repeatable: job parameters for one run, overriding the workflow's defaults.
struct JobParameterOptions: ParsableArguments {
    @Option(name: .customLong("param"), help: ArgumentHelp("A job parameter for this run (repeatable).", valueName: "name=value"))
    var given: [String] = []

    func validate() throws {
        for text in given where (text.firstIndex(of: "=").map { $0 == text.startIndex } ?? true) {
            throw ValidationError("--param takes name=value, found '\(text)'")
        }
    }

    /// The parameters by name; a name given twice keeps its last value.
    var values: [String: String] {
        var values: [String: String] = [:]
        for text in given {
            guard let equals = text.firstIndex(of: "=") else { continue }
            values[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return values
    }
}

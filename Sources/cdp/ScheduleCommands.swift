import ArgumentParser
import CDPCore
import CDPEngine
import CDPRepositories
import Foundation

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "List the workflows' schedules and file arrival triggers, or pause and resume one (audited).",
        subcommands: [List.self, Pause.self, Resume.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Every workflow with a schedule or a file arrival trigger: what starts it, its state, next run or check, last run and last file seen."
        )
        @OptionGroup var options: WorkspaceOptions

        func run() throws {
            let workspace = try options.open(readOnly: true)
            let environment = try options.environment(in: workspace)
            let statuses = try present { () throws(EngineError) in
                try ScheduleService(workspace: workspace, environment: environment).list()
            }
            guard !statuses.isEmpty else {
                print(
                    "no workflow has a schedule or a trigger; add \"schedule\" or \"trigger\" to a workflow's JSON (see the README's Schedules)")
                return
            }
            print(
                Output.table(
                    ["workflow", "starts on", "time zone", "state", "next run or check", "last run", "last file seen"],
                    statuses.map { status in
                        [
                            status.workflow, status.what, status.timeZone, ScheduleText.state(status), ScheduleText.next(status),
                            status.lastRun.map(\.description) ?? "-",
                            status.lastFile.map { file in "\(file)\(status.lastFileSeen.map { " (\(ISOTime.timestamp($0)))" } ?? "")" } ?? "-",
                        ]
                    }))
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a workflow's schedule or file arrival trigger: the scheduler starts no run of it until resumed.")
        @OptionGroup var change: ScheduleChange

        func run() throws {
            let status = try change.apply(pause: true)
            let what =
                switch status.trigger {
                case .cron(let expression): "the schedule of \(status.workflow) (\(expression), \(status.timeZone))"
                case .fileArrival(let folder): "the file arrival trigger of \(status.workflow) (\(folder)/)"
                }
            print("paused \(what); `cdp schedule resume \(status.workflow)` resumes it")
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Resume a paused schedule or trigger; what fell due while paused is not made up, files that arrived meanwhile start a run.")
        @OptionGroup var change: ScheduleChange

        func run() throws {
            let status = try change.apply(pause: false)
            switch status.trigger {
            case .cron:
                let next = status.nextFire.map { "next run \(status.localTime($0))" } ?? "it does not fire again"
                print("resumed the schedule of \(status.workflow); \(next)")
            case .fileArrival(let folder):
                let next = status.nextFire.map { "files waiting: next check \(ISOTime.timestamp($0))" } ?? "a new file in \(folder)/ starts a run"
                print("resumed the file arrival trigger of \(status.workflow); \(next)")
            }
        }
    }

    /// What `pause` and `resume` take, and the change they make (audited by the engine).
    struct ScheduleChange: ParsableArguments {
        @OptionGroup var options: WorkspaceOptions
        @Argument(help: "The workflow, by file name in workflows/.") var workflow: String
        @Option(help: "Why, for the audit log.") var reason: String?

        func apply(pause: Bool) throws -> ScheduleService.Status {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let service = ScheduleService(workspace: workspace, environment: environment)
            return try present { () throws(EngineError) in
                pause ? try service.pause(workflow, reason: reason) : try service.resume(workflow, reason: reason)
            }
        }
    }
}

enum ScheduleText {
    /// `PAUSED (by ann at …)`, `UNPAUSED`.
    static func state(_ status: ScheduleService.Status) -> String {
        let state = status.paused ? "PAUSED" : "UNPAUSED"
        guard let by = status.changedBy else { return state }
        return "\(state) (by \(by) at \(status.changedAt ?? "?"))"
    }

    /// A schedule's next run on its own clock; a trigger's next check, or `on a new file` when no file waits.
    static func next(_ status: ScheduleService.Status) -> String {
        guard let next = status.nextFire else {
            if case .fileArrival = status.trigger, !status.paused { return "on a new file" }
            return "-"
        }
        switch status.trigger {
        case .cron: return "\(status.localTime(next)) (\(ISOTime.timestamp(next)))"
        case .fileArrival: return ISOTime.timestamp(next)
        }
    }
}

struct SchedulerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Run as a service: start each workflow's runs as its schedule falls due (stop with SIGTERM or Ctrl-C).",
        discussion: """
            Looks at every workflow's schedule when one falls due and at least every --poll seconds (so an edited \
            workflow file counts within that time). Fires missed while it was not running start one run, and it \
            says how many were missed. A workflow with a file_arrival trigger starts a run when new files have \
            settled in its folder: watched with inotify (a new file wakes the service at once), and looked at \
            every --poll seconds besides. A systemd unit example is in the README.
            """)

    @OptionGroup var options: WorkspaceOptions

    @Option(help: ArgumentHelp("Look at the workflow files at least this often.", valueName: "seconds"))
    var poll: Double = 30

    @Flag(help: "Look once, start what is due, and exit.")
    var once = false

    func validate() throws {
        if !(poll >= 1) || !poll.isFinite { throw ValidationError("--poll must be at least 1 second") }
    }

    func run() throws {
        Workspace.stopCountingSQLiteMemory()
        let workspace = try options.open()
        let environment = try options.environment(in: workspace)
        let scheduler = Scheduler(workspace: workspace, environment: environment)
        // One line per event, whatever it quotes: a dropped file's name may hold line breaks, which would forge lines
        // of this log (attack 12, F6).
        let log: @Sendable (String) -> Void = { line in
            FileHandle.standardOutput.write(Data("\(ISOTime.timestamp(environment.now())) \(TerminalSafeText.of(Output.oneLine(line)))\n".utf8))
        }
        log("scheduler started for \(workspace.root.path) as \(environment.user)")
        try present { () throws(EngineError) in
            try scheduler.serve(
                poll: poll,
                observer: { event in
                    if event.kind == .runStarted || event.kind == .runFinished || event.kind.isError { log(event.message) }
                },
                looked: { events in for event in events { log(event.description) } },
                shouldStop: { once })
        }
    }
}

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "The lake's figures in the Prometheus text format: rows per layer, quarantine by rule, pass rates, queues, last runs.")

    @OptionGroup var options: WorkspaceOptions

    @Option(
        help: ArgumentHelp(
            "Serve them over HTTP at http://ADDRESS/metrics for a Prometheus scraper, until stopped (SIGTERM or Ctrl-C).",
            valueName: "host:port"))
    var serve: String?

    func validate() throws {
        if let serve, Self.address(serve) == nil {
            throw ValidationError("--serve takes host:port, such as 127.0.0.1:9464; found '\(serve)'")
        }
    }

    /// `127.0.0.1:9464` as host and port (`[::1]:9464` for an IPv6 address).
    static func address(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    func run() throws {
        let workspace = try options.open(readOnly: true)
        let environment = try options.environment(in: workspace)
        let service = MetricsService(workspace: workspace, environment: environment)
        guard let serve, let address = Self.address(serve) else {
            print(try present { () throws(EngineError) in try service.prometheusText() }, terminator: "")
            return
        }
        let server = try present { () throws(EngineError) in
            try MetricsServer.start(host: address.host, port: address.port) { () throws(EngineError) in try service.prometheusText() }
        }
        let shown = serve.hasPrefix("[") ? "[\(address.host)]:\(server.port)" : "\(address.host):\(server.port)"
        FileHandle.standardOutput.write(Data("serving the metrics of \(workspace.root.path) at http://\(shown)/metrics\n".utf8))
        server.wait()
    }
}

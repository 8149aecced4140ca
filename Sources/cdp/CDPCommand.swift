import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

@main
struct CDPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdp",
        abstract: "Enterprise CDP: gather CRM and marketing sources into one lake, check them, and steward them.",
        discussion: """
            Start with `cdp demo` (builds a workspace from sample-data/ and runs the pipeline), or
            `cdp init DIR --from sample-data` then `cdp run --workspace DIR`.
            Exit codes: 0 ok, 3 invalid configuration, 4 workspace, 5 input, 6 fatal rule, 7 not found,
            8 refused, 9 verification failed, 10 store, 11 run failed, 12 forbidden (access.toml),
            13 invalid dictionary entry, 64 usage.
            """,
        subcommands: [
            InitCommand.self, DemoCommand.self, ConsoleCommand.self, RunCommand.self, CheckCommand.self, StatusCommand.self, QuarantineCommand.self,
            RunsCommand.self, VerifyCommand.self, AuditCommand.self, QueryCommand.self, GenerateCommand.self,
            BenchCommand.self, MatchCommand.self, CandidatesCommand.self, GoldenCommand.self, CustomerCommand.self, ExportCommand.self,
            WhoAmICommand.self, AccessCommand.self, StoreCommand.self, DictionaryCommand.self, ScheduleCommand.self, SchedulerCommand.self, MetricsCommand.self, WorkflowCommand.self,
            SparkCommand.self,
        ])
}

/// Options every workspace command takes.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "The workspace folder (default: $CDP_WORKSPACE or the current folder).")
    var workspace: String?

    @Option(name: .customLong("as"), help: "Act as this user (default: the OS user; needs the act_as permission in governance/access.toml).")
    var user: String?

    /// The workspace folder these options name.
    var path: String { workspace ?? ProcessInfo.processInfo.environment["CDP_WORKSPACE"] ?? FileManager.default.currentDirectoryPath }

    /// Opens the workspace; `readOnly` for commands that only read: they neither migrate nor write the
    /// lake, so they work where the user may not write it.
    /// - Parameter upgradingTeamStore: opens a team store whose schema lacks this release's migrations (for
    ///   `cdp access apply`, which installs them); every other command refuses such a store.
    func open(readOnly: Bool = false, upgradingTeamStore: Bool = false) throws -> Workspace {
        let path = self.path
        return try present { () throws(EngineError) in
            try Workspace(at: path, mode: readOnly ? .readOnly : .readWrite, upgradingTeamStore: upgradingTeamStore)
        }
    }

    /// The session's environment: the OS user the kernel names (never `$USER`), or `--as USER` when
    /// that user's role allows it.
    func environment(in workspace: Workspace) throws -> CDPCore.Environment {
        try present { () throws(EngineError) in try workspace.session(actingAs: user) }
    }
}

/// Runs an engine call; an engine error becomes one clear stderr message and a distinct exit code.
func present<T>(_ body: () throws(EngineError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        ErrorPresenter.print(error)
        throw ExitCode(ErrorPresenter.exitCode(for: error.code))
    }
}

enum ErrorPresenter {
    static func exitCode(for code: EngineError.Code) -> Int32 {
        switch code {
        case .invalidConfiguration: return 3
        case .workspace: return 4
        case .input: return 5
        case .fatalRule: return 6
        case .notFound: return 7
        case .refused: return 8
        case .verification: return 9
        case .store: return 10
        case .runFailed: return 11
        case .forbidden: return 12
        case .invalidEntry: return 13
        case .busy: return 14
        case .cancelled: return 15
        case .held: return 16
        }
    }

    static func print(_ error: EngineError) {
        var lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
        if !lines.isEmpty { lines[0] = "cdp: error: " + lines[0] }
        FileHandle.standardError.write(Data((TerminalSafeText.of(lines.joined(separator: "\n")) + "\n").utf8))
    }
}

/// Output helpers shared by commands.
enum Output {
    static func json<T: Encodable>(_ value: T) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        if let data = try? encoder.encode(value) { Swift.print(String(decoding: data, as: UTF8.self)) }
    }

    /// A plain text table with columns padded to their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        // A row is one line whatever a cell holds: a line break in a value (a target, a path) would print a row of
        // its own choosing, such as a forged audit entry.
        let rows = rows.map { $0.map(oneLine) }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        return ([line(header), line(widths.map { String(repeating: "─", count: $0) })] + rows.map(line)).joined(separator: "\n")
    }

    /// `text` on one line: each line break shown as ⏎.
    static func oneLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).joined(separator: " ⏎ ")
    }

    /// Prints each line to stderr as `cdp: warning: …`.
    static func warn(_ lines: [String]) {
        for line in lines { FileHandle.standardError.write(Data("cdp: warning: \(TerminalSafeText.of(line))\n".utf8)) }
    }

    static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" }

    static func grouped(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 && character != "-" { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}

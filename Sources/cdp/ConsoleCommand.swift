import ArgumentParser
import CDPCore
import CDPEngine
import Foundation
import StewardConsole
import TermUI
import TermUICurses

struct ConsoleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "Open the steward console on a workspace (press ? for keys, q to quit).")

    @OptionGroup var options: WorkspaceOptions

    @Option(help: "Colour theme: dark, light, high-contrast, mono, or a file name in themes/ (NO_COLOR selects mono; without it, the theme last chosen with T).")
    var theme: String?

    @Flag(help: "Leave the mouse to the terminal (its own text selection) instead of clicks selecting rows and tabs and the wheel scrolling.")
    var noMouse = false

    func run() throws {
        let workspace = try options.open()
        let environment = try options.environment(in: workspace)
        try ConsoleLauncher.open(workspace, environment: environment, themeName: theme, mouse: !noMouse)
    }
}

/// Opens the console on the real terminal; the terminal is restored on quit, on signals and on errors.
enum ConsoleLauncher {
    /// The workspace's `themes/` (the shipped themes are built in). Never the current folder's: whoever starts cdp
    /// chooses that folder, and behind a sudo wrapper would choose what the service account reads.
    static func themesFolder(for workspace: Workspace) -> URL? {
        let folder = workspace.root.appendingPathComponent("themes")
        return FileManager.default.fileExists(atPath: folder.path) ? folder : nil
    }

    /// - Parameter mouse: clicks select rows and tabs and the wheel scrolls (the terminal's own selection then needs Shift).
    static func open(_ workspace: Workspace, environment: CDPCore.Environment, themeName: String?, mouse: Bool = true) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            try present { () throws(EngineError) in
                throw EngineError(.workspace, "the console needs a terminal (stdin and stdout are not a TTY); use the other cdp commands headless")
            }
            return
        }
        let folder = themesFolder(for: workspace)
        let settingsFile = ConsoleSettings.defaultFile()
        let theme: Theme
        let note: String?
        do {
            (theme, note) = try ConsoleApp.startingTheme(requested: themeName, themesFolder: folder, settingsFile: settingsFile)
        } catch {
            try present { () throws(EngineError) in throw EngineError(.invalidConfiguration, error.description) }
            return
        }
        do {
            try withCursesTerminal(mouse: mouse) { backend in
                let app = ConsoleApp(
                    workspace: workspace, environment: environment, theme: theme, backend: backend, themesFolder: folder,
                    settingsFile: settingsFile)
                app.usesMouse = mouse
                if let note { app.say(note, severity: .warning) }
                try app.run()
            }
        } catch let error as EngineError {
            try present { () throws(EngineError) in throw error }
        } catch let error as CursesError {
            try present { () throws(EngineError) in throw EngineError(.workspace, "cannot open the terminal: \(error.message)") }
        }
    }
}

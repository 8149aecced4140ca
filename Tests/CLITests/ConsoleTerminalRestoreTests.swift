import CDPTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The console gives the terminal back (main screen, cooked mode) however it ends: `q`, SIGTERM, SIGINT.
struct ConsoleTerminalRestoreTests {
    enum Ending: String, CaseIterable, CustomTestStringConvertible {
        case quitKey, sigterm, sigint
        var testDescription: String { rawValue }
        var exitStatus: Int32 { self == .quitKey ? 0 : self == .sigterm ? 143 : 130 }
    }

    @Test(arguments: Ending.allCases)
    func theTerminalIsRestored(ending: Ending) throws {
        let folder = CLI.temporaryFolder("console-restore-\(ending.rawValue)")
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let pidFile = folder.appendingPathComponent("console.pid").path
        // `exec` keeps the shell's pid, written first, for the console; afterwards report the tty's mode.
        let console = "sh -c 'echo $$ > \"\(pidFile)\"; exec \"\(try CLI.executable.path)\" console --workspace \"\(folder.path)\"'"
        let session = try TmuxSession(
            command: "\(console); s=$?; if stty -a | grep -q -- '-icanon'; then echo TTY-RAW; else echo TTY-COOKED; fi; (exit $s)")
        defer { session.close() }
        try session.waitFor("Dashboard")
        #expect(try session.display("#{alternate_on}") == "1")
        switch ending {
        case .quitKey:
            try session.send("q")
        case .sigterm, .sigint:
            let text = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let pid = try #require(Int32(text))
            kill(pid, ending == .sigterm ? SIGTERM : SIGINT)
        }
        let screen = try session.waitFor("[exit \(ending.exitStatus)]")
        #expect(screen.contains("TTY-COOKED"), "\(screen)")
        #expect(!screen.contains("Dashboard"), "the console's screen is still shown:\n\(screen)")
        #expect(try session.display("#{alternate_on}") == "0")
    }
}

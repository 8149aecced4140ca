import Foundation
import Synchronization

/// A private tmux server running one command in a fixed-size pane, for end-to-end console tests (the CLI's, and
/// the team store's, where two stewards' consoles run side by side).
///
/// tmux is started with `posix_spawn`, not Foundation's `Process` (on Linux the tmux server inherits a
/// descriptor Foundation waits on), with the signal mask and handlers reset so the console sees SIGWINCH.
public final class TmuxSession {
    public let server: String
    private static let counter = Mutex(0)

    /// Starts `command` in a detached session; the pane stays alive after it exits, showing `[exit N]`.
    /// - Throws: ``TmuxFailure`` when tmux does not start.
    public init(command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        server = "cdp-test-\(getpid())-\(Self.counter.withLock { $0 += 1; return $0 })"
        // The same OS user as `CLI.run`, so the workspace's creator (an admin) is the one at the console.
        let environment = ["USER": "cli-tester"].merging(environment) { $1 }
        let exports = environment.sorted { $0.key < $1.key }.map { "export \($0.key)='\($0.value)';" }.joined(separator: " ")
        let shell = "\(exports) \(command); echo \"[exit $?]\"; exec sleep 600"
        // The tmux server forks from this client and would hold a capture pipe open for its whole life.
        let result = try Self.spawn(
            [
                "tmux", "-L", server, "-f", "/dev/null", "new-session", "-d", "-x", String(width), "-y", String(height),
                "-e", "TERM=tmux-256color", "sh", "-c", shell,
            ], captureOutput: false)
        guard result.status == 0 else { throw TmuxFailure(description: "tmux did not start (status \(result.status))") }
    }

    /// Sends keys as tmux names them (`Enter`, `Escape`, `Down`, `C-c`) or literal text with `literal: true`.
    public func send(_ keys: String..., literal: Bool = false) throws {
        _ = try Self.spawn(["tmux", "-L", server, "send-keys", "-t", "0"] + (literal ? ["-l"] : []) + keys)
    }

    /// A tmux format evaluated for the pane, e.g. `#{alternate_on}` ("1" while a program uses the alternate screen).
    public func display(_ format: String) throws -> String {
        try Self.spawn(["tmux", "-L", server, "display-message", "-p", "-t", "0", format]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func capture() throws -> String {
        try Self.spawn(["tmux", "-L", server, "capture-pane", "-p", "-t", "0"]).output
    }

    /// Polls the pane until `text` appears; returns the screen.
    /// - Throws: ``TmuxFailure`` showing the screen when it does not appear within `timeout` seconds.
    @discardableResult
    public func waitFor(_ text: String, timeout: TimeInterval = 20) throws -> String {
        try waitUntil("'\(text)' to appear", timeout: timeout) { $0.contains(text) }
    }

    /// Polls the pane until `condition` holds for its text; returns the screen.
    /// - Throws: ``TmuxFailure`` naming `what` and showing the screen when it does not hold within `timeout` seconds.
    @discardableResult
    public func waitUntil(_ what: String, timeout: TimeInterval = 20, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            usleep(50_000)
        }
        throw TmuxFailure(description: "waited \(timeout)s for \(what); the screen was:\n\(screen)")
    }

    public func close() {
        _ = try? Self.spawn(["tmux", "-L", server, "kill-server"], captureOutput: false)
    }

    deinit { close() }

    /// tmux did not start, or the pane did not show what a test waited for (the screen is in the description).
    public struct TmuxFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Runs a program to completion with a clean signal state, returning its exit status and output.
    public static func spawn(_ arguments: [String], captureOutput: Bool = true) throws -> (status: Int32, output: String) {
        var pipe: [Int32] = [0, 0]
        guard Foundation.pipe(&pipe) == 0 else { throw POSIXError(.EMFILE) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, pipe[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addclose(&actions, pipe[0])
        posix_spawn_file_actions_addclose(&actions, pipe[1])
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let code = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        Glibc.close(pipe[1])
        guard code == 0 else {
            Glibc.close(pipe[0])
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .ENOENT)
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(pipe[0], &buffer, buffer.count)
            if count <= 0 { break }
            output.append(contentsOf: buffer[0..<count])
        }
        Glibc.close(pipe[0])
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return ((status >> 8) & 0xFF, String(decoding: output, as: UTF8.self))
    }
}

import CNcurses
import TermUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension CursesBackend {
    /// Unblocks SIGWINCH, SIGINT and SIGTERM (a parent may have started us with them blocked),
    /// makes SIGINT and SIGTERM restore the terminal (endwin) and exit with 130 and 143, and makes
    /// crashes (SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE — Swift runtime traps among them)
    /// restore the terminal before the previous handler (the runtime's backtracer, or the default
    /// action) runs.
    ///
    /// SIGWINCH keeps curses' own handler, which turns it into a `.resize` event.
    /// Call once, after creating the backend. `endwin` is not async-signal-safe; this is the usual
    /// compromise for terminal programs.
    public static func installSignalHandlers() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGWINCH)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            endwin()
            _exit(130)
        }
        signal(SIGTERM) { _ in
            endwin()
            _exit(143)
        }
        cdp_install_crash_restore()
    }
}

/// Runs `body` with a curses terminal and always restores the terminal afterwards, also when
/// `body` throws. Installs the signal handlers first. Runs `body` on the caller's actor (usually
/// the main actor), so it can use the caller's state.
/// - Throws: ``CursesError`` when the terminal cannot be used, or whatever `body` throws.
public func withCursesTerminal<Result>(
    rawMode: Bool = true, mouse: Bool = false, isolation: isolated (any Actor)? = #isolation, _ body: (CursesBackend) throws -> Result
) throws -> Result {
    let backend = try CursesBackend(rawMode: rawMode, mouse: mouse)
    CursesBackend.installSignalHandlers()
    defer { backend.restore() }
    return try body(backend)
}

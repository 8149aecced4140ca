import CDPTestSupport
import Foundation
import Testing

/// The harness itself: a command's output and exit status reach the captured pane.
struct TmuxHarnessTests {
    @Test func capturesAProgramsScreenAndExitStatus() throws {
        let session = try TmuxSession(command: "\(try CLI.executable.path) runs --workspace /nonexistent", width: 100, height: 10)
        defer { session.close() }
        let screen = try session.waitFor("[exit 4]")
        #expect(screen.contains("is not a workspace"))
    }
}

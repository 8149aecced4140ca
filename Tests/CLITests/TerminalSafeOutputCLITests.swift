import Foundation
import Testing

/// Values, reasons and refused query text can hold escape sequences; what `cdp` prints for people shows them as
/// visible stand-ins, never as sequences the terminal would act on. Data output (`--format csv|json`) stays as is.
@Suite struct TerminalSafeOutputCLITests {
    static func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.generalCategory == .control && $0 != "\n" }
    }

    @Test func escapeSequencesReachTheTerminalAsVisibleStandIns() throws {
        let folder = CLI.temporaryFolder("terminal-safe")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        let retitle = "SELECT char(27) || ']2;OWNED' || char(7) || char(27) || '[8m' AS x"

        let table = try CLI.run(["query", retitle] + ws)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(!Self.hasControls(table.stdout))
        #expect(table.stdout.contains("␛]2;OWNED␇␛[8m"))

        // A refused query's text, echoed in the error, and audited: neither reaches the terminal as a sequence.
        let refused = try CLI.run(["query", "SELECT * FROM \"\u{1B}[8mhidden\""] + ws)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("␛[8mhidden"), "\(refused.stderr)")
        #expect(!Self.hasControls(refused.stderr))

        // Data stays data.
        let json = try CLI.run(["query", retitle, "--format", "json"] + ws)
        #expect(json.stdout.contains("\\u001b]2;OWNED\\u0007"), "\(json.stdout)")
        let csv = try CLI.run(["query", retitle, "--format", "csv"] + ws)
        #expect(csv.stdout.contains("\u{1B}]2;OWNED\u{7}"))
    }
}

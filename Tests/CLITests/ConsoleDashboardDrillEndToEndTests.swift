import CDPTestSupport
import Foundation
import Testing

/// The real `cdp console` under tmux on the sample workspace: the Dashboard's rule bar and a source's open count
/// open the workbench on exactly their records.
struct ConsoleDashboardDrillEndToEndTests {
    @Test func theDashboardsBarsAndCountsOpenTheWorkbenchFilteredToThem() throws {
        let folder = CLI.temporaryFolder("console-drill")
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run", "--workspace", folder.path]).status == 0)

        let session = try TmuxSession(
            command: "cd '\(CLI.repositoryRoot.path)' && '\(try CLI.executable.path)' console --workspace '\(folder.path)' --as sam",
            width: 140, height: 40, environment: ["XDG_CONFIG_HOME": folder.appendingPathComponent("config").path])
        defer { session.close() }
        try session.waitFor("Open quarantine by rule")
        // The largest bar: its rule (cut with … when long) and count as the Dashboard draws them.
        let dashboard = try session.waitFor("█")
        let lines = dashboard.split(separator: "\n").map(String.init)
        let titleRow = try #require(lines.firstIndex { $0.contains("Open quarantine by rule") })
        let bar = try #require(lines[titleRow + 1].firstMatch(of: /([a-z_]+)…? +[█▏▎▍▌▋▊▉]+ ([\d,]+)/)?.output, "no bar:\n\(dashboard)")
        let (rule, count) = (String(bar.1), String(bar.2))
        // Tab to the bars, Enter: the workbench lists the bar's records, as many as the bar says.
        try session.send("Tab")
        try session.send("Enter")
        // (The rule filter reads in the background: "loading…" stands before the rule until the count is in.)
        let workbench = try session.waitFor("Quarantine · \(count) open+fixed · rule \(rule)")
        #expect(workbench.contains("from the Dashboard"))

        // Back, Tab to the sources' counts, down to the first source, right to its open count.
        try session.send("1")
        try session.waitFor("Layers and sources")
        try session.send("Tab")
        try session.send("j")
        // The chosen row is marked ▌ before the source's name.
        var source: String?
        let deadline = Date().addingTimeInterval(20)
        var screen = ""
        while source == nil, Date() < deadline {
            screen = try session.capture()
            source = screen.firstMatch(of: /▌([a-z_]+)/).map { String($0.output.1) }
            if source == nil { usleep(50_000) }
        }
        let chosenSource = try #require(source, "no source row chosen:\n\(screen)")
        try session.send("Right")
        try session.send("Enter")
        let filtered = try session.waitFor(" open · source \(chosenSource)")
        #expect(!filtered.contains("rule \(rule)"), "the previous drill's rule is gone:\n\(filtered)")
        try session.send("C-c")
        try session.waitFor("[exit 0]")
    }
}

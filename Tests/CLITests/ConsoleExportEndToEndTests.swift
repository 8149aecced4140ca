import CDPTestSupport
import Foundation
import Testing

/// The real `cdp console` under tmux on the sample workspace: `:export` writes exactly the workbench's view — the
/// filtered records, the columns shown, the owner column once someone holds a record — and the export is audited.
struct ConsoleExportEndToEndTests {
    @Test func aStewardExportsTheFilteredViewWithItsOwnerColumn() throws {
        let folder = CLI.temporaryFolder("console-export")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        let held = try CLI.run(["quarantine", "list", "--rule", "email_format", "--json", "--limit", "500"] + ws)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(held.stdout.utf8)) as? [[String: Any]])
        let first = try #require(records.compactMap { $0["id"] as? Int }.min().map { "Q\($0)" })
        #expect(try CLI.run(["quarantine", "assign", first, "--to", "sam"] + ws).status == 0)
        let out = folder.appendingPathComponent("view.csv").path

        let session = try TmuxSession(
            command: "cd '\(CLI.repositoryRoot.path)' && '\(try CLI.executable.path)' console --workspace '\(folder.path)'",
            width: 160, height: 40, environment: ["XDG_CONFIG_HOME": folder.appendingPathComponent("config").path])
        defer { session.close() }
        try session.waitFor("Dashboard")
        try session.send("2")
        try session.waitFor("Quarantine")
        try session.send(":")
        try session.send("rule email_format", literal: true)
        try session.send("Enter")
        try session.waitFor("rule email_format")
        try session.send(":")
        try session.send("export \(out)", literal: true)
        try session.send("Enter")
        try session.waitFor("wrote ")
        let screen = try session.capture()
        try session.send("C-c")
        try session.waitFor("[exit 0]")

        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.first == "id,status,source,key,name,line,age,rules,failing value,first problem,owner", "\(lines.first ?? "")")
        // Every record of the filter, none other: as many as the title counts.
        let shown = try #require(screen.range(of: #"Quarantine · ([\d,]+) open\+fixed"#, options: .regularExpression).map { String(screen[$0]) })
        let count = Int(shown.split(separator: " ")[2].replacingOccurrences(of: ",", with: "")) ?? -1
        #expect(lines.count - 1 == count, "\(shown) but \(lines.count - 1) rows")
        #expect(lines.contains { $0.hasPrefix("\(first),") && $0.hasSuffix(",sam") }, "\(lines.prefix(3))")
        let audit = try CLI.run(["audit", "list", "--action", "quarantine.export"] + ws)
        #expect(audit.stdout.contains(HardeningIdentityCLITests.kernelUser) && audit.stdout.contains("\(count) records"), "\(audit.stdout)")
    }
}

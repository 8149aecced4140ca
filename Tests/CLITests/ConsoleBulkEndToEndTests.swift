import CDPTestSupport
import Foundation
import Testing

/// The real `cdp console` under tmux on the sample workspace: the README's key script clears the quarantine of
/// malformed e-mails with a rule picker, fix by pattern and a bulk release of the filtered set.
struct ConsoleBulkEndToEndTests {
    @Test func aStewardClearsMalformedEmailsWithPickerPatternAndBulkRelease() throws {
        let folder = CLI.temporaryFolder("console-bulk")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        let before = try CLI.run(["quarantine", "list", "--rule", "email_format", "--search", " at ", "--json", "--limit", "500"] + ws)
        let atRecords = try #require(try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [[String: Any]])
        try #require(!atRecords.isEmpty)

        let session = try TmuxSession(
            command: "cd '\(CLI.repositoryRoot.path)' && '\(try CLI.executable.path)' console --workspace '\(folder.path)' --as sam",
            width: 140, height: 40, environment: ["XDG_CONFIG_HOME": folder.appendingPathComponent("config").path])
        defer { session.close() }
        try session.waitFor("Dashboard")
        try session.send("2")
        try session.waitFor("Quarantine")
        // The rule picker: type to narrow it, Enter picks.
        try session.send("f")
        try session.waitFor("type to search")
        try session.send("email_format", literal: true)
        try session.send("Enter")
        try session.waitFor("rule email_format")
        // Fix by pattern on every row of the filter, previewed.
        try session.send("p")
        try session.waitFor("Fix by pattern")
        try session.send("email /( at |@@)/@/", literal: true)
        try session.send("Enter")
        try session.waitFor("email before")
        try session.send("Enter")
        try session.waitFor("now pass")
        // Every fixed record of the filter: release them all, previewed.
        try session.send("t")
        try session.waitFor("type to search")
        try session.send("fixed", literal: true)
        try session.send("Enter")
        try session.waitFor("fixed · rule email_format")
        try session.send("r")
        try session.waitFor("status before")
        try session.send("Enter")
        try session.waitFor("u undoes it all")
        #expect(try session.capture().contains("released"))
        try session.send("C-c")
        try session.waitFor("[exit 0]")

        let audit = try CLI.run(["audit", "list", "--action", "quarantine.bulk.release"] + ws)
        #expect(audit.stdout.contains("sam"), "\(audit.stdout)")
        let left = try CLI.run(["quarantine", "list", "--rule", "email_format", "--search", " at ", "--json", "--limit", "500"] + ws)
        let remaining = try #require(try JSONSerialization.jsonObject(with: Data(left.stdout.utf8)) as? [[String: Any]])
        #expect(remaining.isEmpty, "\(remaining.count) records still hold ' at '")
        let status = try CLI.run(["status"] + ws)
        #expect(!status.stdout.contains(" 0 released"), "\(status.stdout)")
        #expect(try CLI.run(["verify"] + ws).status == 0)
    }
}

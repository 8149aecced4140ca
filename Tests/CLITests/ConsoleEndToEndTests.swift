import CDPTestSupport
import Foundation
import Testing

/// The real `cdp console` under tmux on the sample workspace: a steward finds a record with a bad email,
/// fixes it, releases it and quits; the CLI then sees the record in silver and the action in the audit log.
struct ConsoleEndToEndTests {
    @Test func aStewardFixesAndReleasesARecordInTheConsole() throws {
        let folder = CLI.temporaryFolder("console-e2e")
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run", "--workspace", folder.path]).status == 0)
        let list = try CLI.run(["quarantine", "list", "--rule", "email_format", "--json", "--limit", "200", "--workspace", folder.path])
        let records = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        // A record whose only problem is its email, so fixing the email makes it releasable.
        let record = try #require(records.first { ($0["failures"] as? [[String: Any]])?.count == 1 })
        let id = "Q\(try #require(record["id"] as? Int))"
        let key = try #require(record["sourceKey"] as? String)

        let session = try TmuxSession(
            command: "cd '\(CLI.repositoryRoot.path)' && '\(try CLI.executable.path)' console --workspace '\(folder.path)' --as sam",
            width: 120, height: 40)
        defer { session.close() }
        try session.waitFor("Dashboard")
        try session.send("2")
        try session.waitFor("Quarantine")
        try session.send("/")
        try session.send(key, literal: true)
        try session.send("Enter")
        try session.waitFor(key)
        try session.send("Enter")
        try session.waitFor("email_format")
        try session.send("e")
        try session.waitFor("Edit")
        // Move the focus to the email field, clear it and type a valid address.
        var screen = try session.capture()
        var moves = 0
        while !(screen.split(separator: "\n").contains { $0.contains("▸") && $0.contains("email") }), moves < 20 {
            try session.send("Tab")
            usleep(100_000)
            screen = try session.capture()
            moves += 1
        }
        try session.send("C-u")
        try session.send("fixed.in.console@example.com", literal: true)
        try session.send("Enter")
        try session.waitFor("passes")
        try session.send("r")
        try session.waitFor("released")
        try session.send("C-c")
        try session.waitFor("[exit 0]")

        let shown = try CLI.run(["quarantine", "show", id, "--workspace", folder.path])
        #expect(shown.stdout.contains("· released ·"), "\(shown.stdout)")
        let silver = try CLI.run(["query", "SELECT source_key FROM silver_customer WHERE email = 'fixed.in.console@example.com'", "--format", "csv", "--workspace", folder.path])
        #expect(silver.stdout.contains(key))
        let audit = try CLI.run(["audit", "list", "--target", id, "--workspace", folder.path])
        #expect(audit.stdout.contains("quarantine.release"))
        #expect(audit.stdout.contains("sam"))
        let status = try CLI.run(["status", "--workspace", folder.path])
        #expect(status.stdout.contains("1 released"), "\(status.stdout)")
        #expect(try CLI.run(["verify", "--workspace", folder.path]).status == 0)
    }
}

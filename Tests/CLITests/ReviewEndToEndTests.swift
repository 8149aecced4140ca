import CDPTestSupport
import Foundation
import Testing

/// The real `cdp console` under tmux on the sample workspace, as the steward sam (a steward in the
/// template's access.toml; the workspace's creator, an admin, acts as sam with `--as`): the Review tab approves the most uncertain pair and rejects the next; the CLI
/// then sees both decisions, the joined golden record and sam in the audit log.
struct ReviewEndToEndTests {
    @Test func aStewardApprovesOnePairAndRejectsAnotherInTheConsole() throws {
        let folder = CLI.temporaryFolder("review-e2e")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        // Fewer random pairs for u keep the debug build quick; the queue is the same kind.
        let config = folder.appendingPathComponent("governance/matching.toml")
        try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "random_pairs = 300000", with: "random_pairs = 5000")
            .write(to: config, atomically: true, encoding: .utf8)
        let match = try CLI.run(["match", "run"] + ws)
        #expect(match.status == 0, "\(match.stderr)")
        // The CLI lists the queue in the console's order: the first pair is shown first, the second next.
        let list = try CLI.run(["candidates", "list", "--json", "--limit", "2"] + ws)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        try #require(rows.count == 2)
        let approved = "P\(try #require(rows[0]["id"] as? Int))"
        let rejected = "P\(try #require(rows[1]["id"] as? Int))"
        let open = try CLI.run(["candidates", "list"] + ws).stdout.split(separator: "\n").last.map(String.init) ?? ""
        let remaining = try #require(Int(open.split(separator: " ").first ?? ""))

        let session = try TmuxSession(
            command: "cd '\(CLI.repositoryRoot.path)' && '\(try CLI.executable.path)' console --workspace '\(folder.path)' --as sam",
            width: 120, height: 40)
        defer { session.close() }
        try session.waitFor("sam (steward)")
        try session.send("8")
        try session.waitFor("open pairs, most uncertain first")
        try session.send("Enter")
        try session.waitFor("Review \(approved) (1 of \(remaining))")
        try session.waitFor("probability")
        try session.send("a")
        try session.waitFor("Review \(rejected) (2 of \(remaining)) · reviewed 1 / remaining \(remaining - 1) · approved 1 / rejected 0")
        try session.send("x")
        try session.waitFor("(3 of \(remaining)) · reviewed 2 / remaining \(remaining - 2) · approved 1 / rejected 1")
        try session.send("q")
        try session.waitFor("Merge review · reviewed 2")
        try session.send("q")
        try session.waitFor("[exit 0]")

        let approvedList = try CLI.run(["candidates", "list", "--status", "approved"] + ws)
        #expect(approvedList.stdout.contains("\(approved) "), "\(approvedList.stdout)")
        let rejectedList = try CLI.run(["candidates", "list", "--status", "rejected"] + ws)
        #expect(rejectedList.stdout.contains("\(rejected) "), "\(rejectedList.stdout)")
        let shown = try CLI.run(["candidates", "show", approved] + ws)
        #expect(shown.stdout.hasPrefix("\(approved)  approved"), "\(shown.stdout)")

        // Both records of the approved pair are now members of one golden record.
        let detail = try CLI.run(["candidates", "show", approved, "--json"] + ws)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(detail.stdout.utf8)) as? [String: Any])
        let goldenA = try #require(object["goldenA"] as? Int)
        #expect(object["goldenB"] as? Int == goldenA)
        let candidate = try #require(object["candidate"] as? [String: Any])
        let golden = try CLI.run(["golden", "show", "G\(goldenA)"] + ws)
        #expect(golden.status == 0)
        let members = try #require(golden.stdout.split(separator: "\n").first { $0.hasPrefix("members:") })
        for side in ["a", "b"] {
            let record = try #require(candidate[side] as? [String: Any])
            let id = "\(try #require(record["source"] as? String)):\(try #require(record["key"] as? String))"
            #expect(members.contains(id), "\(members) lacks \(id)")
        }

        let audit = try CLI.run(["audit", "list"] + ws)
        let decisions = audit.stdout.split(separator: "\n").filter { $0.contains("match.approve") || $0.contains("match.reject") }
        #expect(decisions.count == 2, "\(audit.stdout)")
        #expect(decisions.allSatisfy { $0.contains("sam") })
        #expect(decisions.contains { $0.contains("match.approve") && $0.contains(approved) })
        #expect(decisions.contains { $0.contains("match.reject") && $0.contains(rejected) })
        #expect(try CLI.run(["audit", "verify"] + ws).status == 0)
    }
}

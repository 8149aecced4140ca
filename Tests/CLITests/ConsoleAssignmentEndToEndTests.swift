import CDPTestSupport
import Foundation
import Testing

/// The real `cdp console` under tmux on the sample workspace: the workspace's admin assigns an unassigned record to
/// sam, sam sees it under "mine", claims another for himself, and quitting releases his claim (the assignment stays).
struct ConsoleAssignmentEndToEndTests {
    static func holds(_ ws: [String]) throws -> [[String: Any]] {
        let result = try CLI.run(["quarantine", "holds", "--json"] + ws)
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    @Test func anAdminAssignsARecordAndTheStewardFindsItUnderMine() throws {
        let folder = CLI.temporaryFolder("console-assign")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        let environment = ["XDG_CONFIG_HOME": folder.appendingPathComponent("config").path]
        func console(_ user: String?) throws -> TmuxSession {
            let acting = user.map { " --as \($0)" } ?? ""
            return try TmuxSession(
                command: "cd '\(CLI.repositoryRoot.path)' && '\(try CLI.executable.path)' console --workspace '\(folder.path)'\(acting)",
                width: 140, height: 40, environment: environment)
        }

        // The admin (the OS user who made the workspace) assigns the first unassigned record to sam.
        let admin = try console(nil)
        defer { admin.close() }
        try admin.waitFor("Dashboard")
        try admin.send("2")
        try admin.waitFor("Quarantine")
        try admin.send("w")
        try admin.waitFor("type to search")
        try admin.send("unassigned", literal: true)
        try admin.send("Enter")
        try admin.waitFor("· unassigned")
        try admin.send("a")
        try admin.waitFor("To which steward?")
        try admin.send("sam", literal: true)
        try admin.send("Enter")
        try admin.waitFor("to sam")
        try admin.send("C-c")
        try admin.waitFor("[exit 0]")
        let assigned = try Self.holds(ws)
        #expect(assigned.count == 1 && assigned.first?["owner"] as? String == "sam" && assigned.first?["hold"] as? String == "assignment")
        let record = try #require(assigned.first?["item"] as? String)

        // sam sees it under "mine", claims the next unassigned record, and quits.
        let sam = try console("sam")
        defer { sam.close() }
        try sam.waitFor("Dashboard")
        try sam.send("2")
        try sam.waitFor("Quarantine")
        try sam.send(":")
        try sam.send("owner mine", literal: true)
        try sam.send("Enter")
        try sam.waitFor("· mine")
        let mine = try sam.capture()
        #expect(mine.contains("Quarantine · 1 open+fixed · mine"), "\(mine)")
        #expect(mine.contains(record), "\(mine)")
        try sam.send(":")
        try sam.send("owner unassigned", literal: true)
        try sam.send("Enter")
        try sam.waitFor("· unassigned")
        try sam.send("m")
        try sam.waitFor("for 30 minutes")
        #expect(try Self.holds(ws).contains { $0["owner"] as? String == "sam" && $0["hold"] as? String == "claim" })
        try sam.send("C-c")
        try sam.waitFor("[exit 0]")

        let left = try Self.holds(ws)
        #expect(left.count == 1 && left.first?["item"] as? String == record, "\(left)")
        let audit = try CLI.run(["audit", "list", "--action", "work.release"] + ws)
        #expect(audit.stdout.contains("sam"), "\(audit.stdout)")
    }
}

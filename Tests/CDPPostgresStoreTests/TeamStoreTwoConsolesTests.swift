import CDPTestSupport
import Foundation
import Testing

/// Two stewards at one queue, each at the real `cdp console` under tmux (#17), on the team store (each logged in as
/// their own PostgreSQL role) and on the embedded lake (two processes on one workspace): ada claims a record and sam
/// sees her claim without a key; sam rejects another and it leaves ada's list; both reject one record at once, one
/// wins and the other is told; nothing is lost (the audit chain verifies, every decision is in it, the counts add up).
extension TeamStoreTests {
    /// The line of a list showing record `id` (`Q12`), if shown.
    static func row(_ id: String, _ screen: String) -> String? {
        screen.split(separator: "\n").map(String.init).first { $0.contains(" \(id) ") }
    }

    /// The workbench's count of held records, from its title (`Quarantine · 1,234 open+fixed · …`).
    static func heldCount(_ screen: String) -> Int? {
        guard let match = screen.firstMatch(of: /· ([0-9,]+) open\+fixed/) else { return nil }
        return Int(match.1.replacingOccurrences(of: ",", with: ""))
    }

    /// The first record id a status-line message names, e.g. `Q12` of `Q12 rejected: …`.
    static func recordID(in screen: String, after pattern: String) -> String? {
        screen.split(separator: "\n").lazy.compactMap { line -> String? in
            guard let range = line.range(of: pattern) else { return nil }
            return line[range.upperBound...].firstMatch(of: /Q[0-9]+/).map { String($0.0) }
        }.first
    }

    @Test(arguments: Store.allCases)
    func twoStewardsAtTheirConsolesWorkOneQueueAndSeeEachOther(store: Store) async throws {
        try await Self.withSampleWorkspace(on: store, "twoconsoles") { workspace, database, run in
            try await Self.ingestSample(workspace, database, run)
            try await Self.addAdmin(on: store, workspace, database, run)
            let cdp = try Self.cdp()
            let cluster = try PostgresTestCluster.get()
            if store == .postgres {
                // Each steward logs in as themselves: the address names no role, PGUSER does (as psql reads it).
                let file = workspace + "/cdp.toml"
                let original = try String(contentsOfFile: file, encoding: .utf8)
                try original.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://")
                    .write(toFile: file, atomically: true, encoding: .utf8)
            }
            /// A command as the workspace's admin (the store's superuser; the OS user on the embedded lake).
            func admin(_ arguments: [String]) throws -> Subprocess.Result {
                var environment = ProcessInfo.processInfo.environment.merging(cluster.clientEnvironment) { $1 }
                environment["TERM"] = "dumb"
                if store == .postgres { environment["PGUSER"] = "postgres" }
                let result = try Subprocess.run([cdp] + arguments + ["-w", workspace], environment: environment)
                try #require(result.status == 0, "\(store) \(arguments): \(result.output)")
                return result
            }
            func rejected() throws -> [[String: Any]] {
                try Self.jsonObjects(try admin(["quarantine", "list", "--status", "rejected", "--limit", "100000", "--json"]))
            }
            let rejectedBefore = try rejected().count
            func console(_ user: String) throws -> TmuxSession {
                var environment = cluster.clientEnvironment
                environment["XDG_CONFIG_HOME"] = workspace + "/config-\(user)"
                var acting = ""
                if store == .postgres { environment["PGUSER"] = user } else { acting = " --as \(user)" }
                return try TmuxSession(
                    command: "'\(cdp)' console -w '\(workspace)'\(acting)", width: 140, height: 40, environment: environment)
            }
            let ada = try console("ada")
            defer { ada.close() }
            let sam = try console("sam")
            defer { sam.close() }
            for steward in [ada, sam] {
                try steward.waitFor("Dashboard")
                try steward.send("2")
                try steward.waitFor("open+fixed")
            }
            let held = try #require(Self.heldCount(try ada.capture()))

            // ada claims the first record: sam sees her claim beside it, without a key.
            try ada.send("m")
            let claimedScreen = try ada.waitFor("for 30 minutes")
            let claimed = try #require(Self.recordID(in: claimedScreen, after: "claimed "), "\(claimedScreen)")
            try sam.waitUntil("ada's claim of \(claimed) to show") { Self.row(claimed, $0)?.contains("ada*") == true }

            // sam rejects the second record: it leaves ada's list, without a key.
            try sam.send("j")
            try sam.send("Enter")
            try sam.waitFor("Record Q")
            try sam.send("x")
            try sam.waitFor("Why is this record unusable?")
            try sam.send("not a customer of ours", literal: true)
            try sam.send("Enter")
            let samsScreen = try sam.waitFor("rejected: not a customer of ours")
            let samsRecord = try #require(Self.recordID(in: samsScreen, after: "Record "), "\(samsScreen)")
            #expect(samsRecord != claimed)
            try ada.waitUntil("\(samsRecord) to leave ada's list") { Self.row(samsRecord, $0) == nil && Self.heldCount($0) == held - 1 }
            try sam.send("q")
            try sam.waitFor("open+fixed")

            // Both open the last record and reject it: ada first; sam, whose record view still says open, is told.
            for steward in [ada, sam] {
                try steward.waitUntil("the list to show \(held - 1) held records") { Self.heldCount($0) == held - 1 }
                try steward.send("G")
                try steward.send("Enter")
            }
            let adasView = try ada.waitFor("Record Q")
            let last = try #require(Self.recordID(in: adasView, after: "Record "), "\(adasView)")
            try sam.waitFor("Record \(last) ")
            for (steward, reason) in [(ada, "a duplicate of another record"), (sam, "a test account")] {
                try steward.send("x")
                try steward.waitFor("Why is this record unusable?")
                try steward.send(reason, literal: true)
                try steward.send("Enter")
                if steward === ada { try ada.waitFor("\(last) rejected: a duplicate") }
            }
            // Refused, whichever check saw it first: the engine's read of the status, or the store's as it writes.
            try sam.waitUntil("sam to be told \(last) is rejected") {
                $0.contains("\(last) is rejected; only open or fixed") || $0.contains("\(last) is now rejected")
            }

            for steward in [ada, sam] {
                try steward.send("C-c")
                try steward.waitFor("[exit 0]")
            }

            // Nothing lost: both decisions stand as made, by whom they were made, and the chain verifies.
            let decided = try rejected()
            #expect(decided.count == rejectedBefore + 2, "\(store): \(decided.count) rejected, \(rejectedBefore) before")
            let reasons = Dictionary(
                uniqueKeysWithValues: decided.compactMap { record -> (String, String)? in
                    guard let id = record["id"] as? Int else { return nil }
                    return ("Q\(id)", record["resolution"] as? String ?? "")
                })
            #expect(
                reasons[samsRecord] == "not a customer of ours" && reasons[last] == "a duplicate of another record", "\(store): \(reasons)")
            let audited = try Self.jsonObjects(try admin(["audit", "list", "--action", "quarantine.reject", "--json"]))
            let byTarget = Dictionary(
                audited.compactMap { row in (row["target"] as? String).map { ($0, row["actor"] as? String ?? "") } }
            ) { $1 }
            #expect(byTarget[samsRecord] == "sam" && byTarget[last] == "ada" && audited.count == 2, "\(store): \(audited)")
            let claims = try Self.jsonObjects(try admin(["audit", "list", "--action", "work.claim", "--json"]))
            #expect(claims.contains { $0["target"] as? String == claimed && $0["actor"] as? String == "ada" }, "\(store): \(claims)")
            let verified = try admin(["audit", "verify"])
            #expect(verified.status == 0, "\(store): \(verified.output)")
        }
    }
}

import Foundation
import Testing

/// `cdp match`, `cdp candidates` and `cdp golden`: a review session on the sample data and the exit codes.
@Suite(.serialized) struct MatchCLITests {
    /// A sample workspace, ingested, with a lighter estimation setting so the debug build stays quick.
    static func workspace(_ name: String) throws -> (URL, [String]) {
        let folder = CLI.temporaryFolder(name)
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        let config = folder.appendingPathComponent("governance/matching.toml")
        let text = try String(contentsOf: config, encoding: .utf8).replacingOccurrences(of: "random_pairs = 300000", with: "random_pairs = 5000")
        try text.write(to: config, atomically: true, encoding: .utf8)
        return (folder, ws)
    }

    @Test func aReviewSessionOnTheSampleData() throws {
        let (_, ws) = try Self.workspace("match-session")
        // The pipeline's match_customers task has matched already; a steward's run replaces its result.
        #expect(try CLI.run(["match", "evaluate"] + ws).stdout.contains("pairwise: precision"))

        let run = try CLI.run(["match", "run"] + ws)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("golden records"))
        #expect(run.stdout.contains("phases: load"))
        // The sample's CRM ids and shared addresses give most comparisons enough presumed matches to count m
        // on; marketing contacts carry no address, so postcode and city are left to EM.
        #expect(
            run.stdout.contains("m: counted on ")
                && run.stdout.contains(" links and approvals for first name, surname, birth date, email, phone; by EM (6 sessions) for city (seen on ")
                && run.stdout.contains("), postcode (seen on "),
            "\(run.stdout)")

        let evaluation = try CLI.run(["match", "evaluate"] + ws)
        #expect(evaluation.status == 0)
        #expect(evaluation.stdout.contains("pairwise: precision"))
        // Where recall went, as `cdp bench match` says it: the sample holds some records in quarantine.
        #expect(evaluation.stdout.contains("true pairs not put in one cluster: "), "\(evaluation.stdout)")
        #expect(evaluation.stdout.contains("a record not matched: quarantined: "), "\(evaluation.stdout)")

        let list = try CLI.run(["candidates", "list", "--json"] + ws)
        #expect(list.status == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let first = try #require(rows.first?["id"] as? Int)
        let candidate = "P\(first)"

        let show = try CLI.run(["candidates", "show", candidate] + ws)
        #expect(show.status == 0)
        #expect(show.stdout.contains("prior"))
        #expect(show.stdout.contains("probability"))

        #expect(try CLI.run(["candidates", "approve", candidate, "--reason", "same person"] + ws).status == 0)
        let again = try CLI.run(["candidates", "approve", candidate] + ws)
        #expect(again.status == 8)
        #expect(again.stderr.contains("already approved; `cdp candidates undo \(candidate)` first"))
        #expect(try CLI.run(["candidates", "undo", candidate] + ws).status == 0)
        #expect(try CLI.run(["candidates", "reject", candidate] + ws).status == 0)

        let golden = try CLI.run(["query", "SELECT golden_id FROM golden_xref WHERE valid_to_run IS NULL ORDER BY golden_id LIMIT 1", "--format", "csv"] + ws)
        let id = try #require(golden.stdout.split(separator: "\n").last.map(String.init))
        let showGolden = try CLI.run(["golden", "show", "G\(id)"] + ws)
        #expect(showGolden.status == 0)
        #expect(showGolden.stdout.contains("members:"))
        let audit = try CLI.run(["audit", "list"] + ws)
        #expect(audit.stdout.contains("match.approve") && audit.stdout.contains("match.reject") && audit.stdout.contains("match.undo"))
        #expect(try CLI.run(["audit", "verify"] + ws).status == 0)
    }

    @Test func exitCodesNameWhatWentWrong() throws {
        let (folder, ws) = try Self.workspace("match-codes")
        #expect(try CLI.run(["match", "run"] + ws).status == 0)
        #expect(try CLI.run(["candidates", "show", "P999999"] + ws).status == 7)
        #expect(try CLI.run(["candidates", "show", "banana"] + ws).status == 64)
        #expect(try CLI.run(["golden", "show", "G999999"] + ws).status == 7)
        #expect(try CLI.run(["golden", "unmerge", "G1", "--record", "nocolon"] + ws).status == 64)
        #expect(try CLI.run(["golden", "unmerge", "G1", "--record", "crm_customers:NOPE"] + ws).status == 7)
        #expect(try CLI.run(["golden", "override", "G1", "shoe_size=42"] + ws).status == 8)

        let config = folder.appendingPathComponent("governance/matching.toml")
        let text = try String(contentsOf: config, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        try (text + "\n[clustering2]\nmax = 3\n").write(to: config, atomically: true, encoding: .utf8)
        let broken = try CLI.run(["match", "run"] + ws)
        #expect(broken.status == 3)
        #expect(broken.stderr.contains("the configuration has 1 problem in matching.toml; nothing was done"), "\(broken.stderr)")
        #expect(broken.stderr.contains("matching.toml:\(lines + 1):1: clustering2: is not a known setting"), "\(broken.stderr)")
    }

    /// `cdp bench match` says where recall went: the true pairs lost to records held in quarantine (by rule) and
    /// the stages that lost the rest, adding up to what pairwise recall lacks.
    @Test func benchMatchBreaksDownTheLostTruePairs() throws {
        let scratch = CLI.temporaryFolder("bench-match-lost")
        let result = try CLI.run(["bench", "match", "--customers", "300", "--runs", "1", "--scratch", scratch.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let lost = try #require(lines.first { $0.hasPrefix("true pairs not put in one cluster: ") })
        let total = try #require(Int(lost.dropFirst("true pairs not put in one cluster: ".count).replacingOccurrences(of: ",", with: "")))
        // The generator's deliberate problems hold records in quarantine, each under the rule it failed.
        #expect(lines.contains { $0.contains("a record not matched: quarantined: ") }, "\(result.stdout)")
        let evaluation = try #require(lines.first { $0.hasPrefix("pairwise: ") })
        let counts = try #require(evaluation.firstMatch(of: /([\d,]+) true pairs, [\d,]+ predicted, ([\d,]+) correct/))
        let truePairs = try #require(Int(counts.1.filter(\.isNumber)))
        let correct = try #require(Int(counts.2.filter(\.isNumber)))
        #expect(total == truePairs - correct, "\(result.stdout)")
        // Each cause and stage line starts with its count; together they are the total.
        let parts = lines.filter { $0.hasPrefix("  ") && !$0.hasPrefix("      ") && ($0.contains("a record not matched") || $0.contains("; the records differ in:")) }
        #expect(parts.compactMap { Int($0.split(separator: " ").first?.replacingOccurrences(of: ",", with: "") ?? "") }.reduce(0, +) == total)
    }
}

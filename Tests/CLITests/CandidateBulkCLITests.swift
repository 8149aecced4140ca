import Foundation
import Testing

/// `cdp candidates approve|reject --key KEY --above P`: every open pair of one explanation key, previewed
/// without `--yes`, decided with it, audited once for the whole and once per pair.
struct CandidateBulkCLITests {
    @Test func everyOpenPairOfTheCommonestKeyIsPreviewedThenRejected() throws {
        let folder = CLI.temporaryFolder("candidates-bulk")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)
        let list = try CLI.run(["candidates", "list", "--json", "--limit", "100000"] + ws)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let keys = Dictionary(grouping: rows.compactMap { $0["key"] as? String }, by: { $0 }).mapValues(\.count)
        let (key, count) = try #require(keys.max { ($0.value, $1.key) < ($1.value, $0.key) })

        let preview = try CLI.run(["candidates", "reject", "--key", key, "--above", "0"] + ws)
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("reject \(count) open pairs with key \(key) above 0"), "\(preview.stdout)")
        #expect(preview.stdout.contains("nothing changed; add --yes to reject them"))

        let decided = try CLI.run(["candidates", "reject", "--key", key, "--above", "0", "--reason", "household, not a person", "--yes"] + ws)
        #expect(decided.status == 0, "\(decided.stderr)")
        #expect(decided.stdout.contains("\(count) pairs rejected, 0 refused"), "\(decided.stdout)")
        let audit = try CLI.run(["audit", "list", "--action", "match.bulk.reject"] + ws)
        #expect(audit.stdout.contains("\(count) pairs (P"), "\(audit.stdout)")
        let left = try CLI.run(["candidates", "list", "--json", "--limit", "100000"] + ws)
        let open = try #require(try JSONSerialization.jsonObject(with: Data(left.stdout.utf8)) as? [[String: Any]])
        #expect(!open.contains { ($0["key"] as? String) == key })

        let both = try CLI.run(["candidates", "approve", "P1", "--key", key, "--above", "0"] + ws)
        #expect(both.status != 0 && both.stderr.contains("not both"))
        let half = try CLI.run(["candidates", "approve", "--key", key] + ws)
        #expect(half.status != 0 && half.stderr.contains("needs both --key KEY and --above PROBABILITY"))
    }
}

import Foundation
import Testing

/// Commands other than `cdp query` that let a viewer or an analyst read personal values back: the
/// customer search as a prefix oracle, dictionary suggestions, quarantine history and free text.
@Suite(.serialized) struct PersonalReadLeakCLITests {
    static let email = "rebecca.scott1959@yahoo.ie"

    /// The golden ids and scores of `cdp customer search TEXT --json` (no score for a user without view_pii).
    static func search(_ text: String, as user: String?, _ ws: [String]) throws -> [(golden: Int, score: Int?)] {
        let output = try CLI.run(["customer", "search", text, "--json", "--limit", "1000"] + (user.map { ["--as", $0] } ?? []) + ws).stdout
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
        return rows.compactMap { row in
            guard let customer = row["customer"] as? [String: Any], let golden = customer["golden"] as? Int else { return nil }
            return (golden, row["score"] as? Int)
        }
    }

    @Test func aViewerReadsNoPersonalValueBackThroughSearchSuggestionsHistoryOrReasons() throws {
        let folder = CLI.temporaryFolder("leaks")
        let ws = ["--workspace", folder.path]
        #expect(try CLI.run(["init", folder.path, "--from", "sample-data"]).status == 0)
        #expect(try CLI.run(["run"] + ws).status == 0)

        // 1. The search: with view_pii a prefix finds Rebecca Scott (score 3); without it, only the whole
        // e-mail or phone does, and no prefix of them.
        let rebecca = try #require(try Self.search(Self.email, as: nil, ws).first { $0.score == 4 }?.golden)
        #expect(try Self.search("rebecca.scott1959@yah", as: nil, ws).contains { $0.golden == rebecca && $0.score == 3 })
        for user in ["ana", "vic"] {
            for prefix in ["rebecca.s", "rebecca.scott1959", "rebecca.scott1959@yah", "0824", "082492296"] {
                #expect(!(try Self.search(prefix, as: user, ws).contains { $0.golden == rebecca }), "\(user) \(prefix)")
            }
            #expect(try Self.search("Rebecca.Scott1959@Yahoo.ie", as: user, ws).contains { $0.golden == rebecca && $0.score == nil })
        }

        // 2. Suggestions of free-text columns and the search keys quote no value.
        for column in ["row_warning.value", "customer_search.key", "customer_search.golden_id"] {
            let clear = try CLI.run(["dictionary", "suggest", column] + ws).stdout
            let example = try #require(clear.split(separator: "\n").first { $0.contains("example ") }).split(separator: " ", maxSplits: 1)
                .last
                .map { $0.trimmingCharacters(in: .whitespaces) }
            let shown = try CLI.run(["dictionary", "suggest", column, "--as", "vic"] + ws)
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("(withheld: needs view_pii)"), "\(column)")
            if let example, example != "—" { #expect(!shown.stdout.contains(example), "\(column): \(example)") }
        }

        // 3 and 4. A steward fixes Q1 (its e-mail "… at yahoo.ie") and rejects Q2 with a reason quoting values.
        #expect(try CLI.run(["quarantine", "fix", "Q1", "email=\(Self.email)", "--as", "sam"] + ws).status == 0)
        let reason = "duplicate of \(Self.email), call 082 492 2965"
        #expect(try CLI.run(["quarantine", "reject", "Q2", "--reason", reason, "--as", "sam"] + ws).status == 0)
        #expect(try CLI.run(["quarantine", "show", "Q1", "--as", "sam"] + ws).stdout.contains("yahoo.ie' has no '@'"))
        for user in ["ana", "vic"] {
            let fixed = try CLI.run(["quarantine", "show", "Q1", "--as", user] + ws).stdout
            #expect(fixed.contains("sam fix: (withheld: needs view_pii)"))
            #expect(!fixed.contains("rebecca.scott1959"))
            let rejected = try CLI.run(["quarantine", "show", "Q2", "--as", user] + ws).stdout
            #expect(!rejected.contains("082 492"))
            #expect(!rejected.contains("rebecca.scott1959"))
            let audit = try CLI.run(["audit", "--as", user] + ws).stdout
            #expect(!audit.contains("082 492"))
            #expect(audit.contains("(withheld: needs view_pii)"))
        }
        #expect(try CLI.run(["audit"] + ws).stdout.contains(reason))
    }
}

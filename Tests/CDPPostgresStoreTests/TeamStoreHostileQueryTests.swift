import Foundation
import Testing

extension TeamStoreTests {
    struct HostileQuery: Sendable, CustomStringConvertible {
        enum Expectation: String, Sendable { case refused, allowed, either }
        var expectation: Expectation
        var sql: String
        var line: Int
        var description: String { "line \(line): \(sql)" }
    }

    static func hostileQueries() throws -> [HostileQuery] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("HostileQueries/hostile-queries-postgres.txt")
        let text = try String(contentsOf: file, encoding: .utf8)
        var queries: [HostileQuery] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            guard let bar = trimmed.firstIndex(of: "|"),
                let expectation = HostileQuery.Expectation(rawValue: trimmed[..<bar].trimmingCharacters(in: .whitespaces))
            else {
                Issue.record("hostile-queries-postgres.txt:\(index + 1): not `EXPECTATION | SQL`")
                continue
            }
            queries.append(
                HostileQuery(
                    expectation: expectation, sql: trimmed[trimmed.index(after: bar)...].trimmingCharacters(in: .whitespaces),
                    line: index + 1))
        }
        return queries
    }

    /// What a reader of the output learns: psql's output without the statement's own quoted literals (echoing
    /// back what the user typed tells nothing) and without psql's `LINE n:` quotes of the statement.
    static func revealed(_ output: String, by sql: String) -> String {
        var text = output.split(separator: "\n").filter { !$0.hasPrefix("LINE ") }.joined(separator: "\n")
        var literals: [String] = []
        var rest = Substring(sql)
        while let open = rest.firstIndex(of: "'") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "'") else { break }
            literals.append(String(after[..<close]))
            rest = after[after.index(after: close)...]
        }
        for literal in literals.sorted(by: { $0.count > $1.count }) where !literal.isEmpty {
            text = text.replacingOccurrences(of: literal, with: "")
        }
        return text.lowercased()
    }

    /// The hostile corpus through the real psql, as a viewer and an analyst: no personal value of the fixture in
    /// any output or message, refused statements refused and allowed ones run.
    @Test func theHostileCorpusLeaksNothingThroughPsql() async throws {
        let fixture = try await TeamStoreFixture.make("hostile")
        defer { Task { await fixture.drop() } }
        let queries = try Self.hostileQueries()
        #expect(queries.count > 150)
        // The finder finds: a steward reading the same tables sees the values it looks for.
        let steward = try fixture.psql("SELECT * FROM customer_360; SELECT fields FROM quarantine_record", as: "sam")
        let found = TeamStoreFixture.personalValues.filter { steward.output.lowercased().contains($0) }
        #expect(found.count >= 10, "\(steward.output)")
        for user in ["vic", "ana"] {
            for var query in queries {
                // The corpus names the store's group roles by their access.toml role: `{group:steward}`.
                for role in ["admin", "steward", "analyst", "viewer"] {
                    query.sql = query.sql.replacingOccurrences(of: "{group:\(role)}", with: fixture.group(role))
                }
                let result = try fixture.psql(query.sql, as: user)
                let revealed = Self.revealed(result.output, by: query.sql)
                for value in TeamStoreFixture.personalValues where revealed.contains(value) {
                    Issue.record("\(user), \(query): '\(value)' appears in\n\(result.output)")
                }
                switch query.expectation {
                case .refused:
                    #expect(result.status != 0, "\(user), \(query) ran:\n\(result.output)")
                    // Refused for what it reads or does, not for naming something that is not there (a role of an
                    // earlier naming) or not parsing: such a line would be refused whatever the grants, testing nothing.
                    for reason in ["does not exist", "syntax error"] where result.stderr.contains(reason) {
                        Issue.record("\(user), \(query) is refused for the wrong reason:\n\(result.output)")
                    }
                case .allowed: #expect(result.status == 0, "\(user), \(query) failed:\n\(result.output)")
                case .either: break
                }
            }
        }
        // Nothing written anywhere by the attempts.
        #expect(!FileManager.default.fileExists(atPath: "/tmp/cdp-hostile-copy.csv"))
    }
}

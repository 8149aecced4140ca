import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// The hostile-query corpus (`HostileQueries/hostile-queries.txt`) run as a viewer and an analyst of the sample
/// workspace: nothing personal from the sample data shows in any output or message, what must be refused is,
/// and masked views and non-personal columns stay readable.
@Suite(.serialized) struct HostileQueryTests {
    struct HostileQuery: CustomStringConvertible {
        enum Expectation: String { case refused, allowed, either }
        var expectation: Expectation
        var sql: String
        var line: Int
        var description: String { "hostile-queries.txt:\(line): \(sql)" }
    }

    static let corpusFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("HostileQueries/hostile-queries.txt")

    static func corpus() throws -> [HostileQuery] {
        let text = try String(contentsOf: corpusFile, encoding: .utf8)
        var queries: [HostileQuery] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let parts = trimmed.split(separator: "|", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            let expectation = try #require(parts.count == 2 ? HostileQuery.Expectation(rawValue: parts[0]) : nil, "line \(index + 1)")
            queries.append(HostileQuery(expectation: expectation, sql: parts[1], line: index + 1))
        }
        return queries
    }

    static let admin = Environment.fixed(at: 1_764_400_000, user: "ann")

    /// The sample workspace after a run, with a steward's fix, rejection and golden override in the audit log,
    /// so the free-text and JSON columns hold personal values too.
    static func workspace(_ name: String) throws -> Workspace {
        let workspace = try EngineFixture.sampleWorkspace(name)
        try EngineFixture.run(workspace)
        let ids = try workspace.store.query(
            "SELECT id FROM quarantine_record WHERE rules LIKE '%email%' AND status = 'open' ORDER BY id LIMIT 2"
        ).rows
        let quarantine = QuarantineService(workspace: workspace, environment: admin)
        let people = try workspace.store.query(
            "SELECT first_name || ' ' || last_name, street FROM silver_customer WHERE street IS NOT NULL AND last_name IS NOT NULL ORDER BY id LIMIT 2"
        ).rows
        let fixed = try #require(ids.first?.first ?? nil)
        _ = try quarantine.fix(QuarantineID(rawValue: try #require(Int64(fixed))), edits: ["email": "fixed.by.steward@example.com"])
        if ids.count > 1, let rejected = ids[1][0] {
            _ = try quarantine.reject(QuarantineID(rawValue: try #require(Int64(rejected))), reason: "duplicate of \(people[0][0] ?? "")")
        }
        try MatchReview(workspace: workspace, environment: admin).override(
            GoldenID(rawValue: 1), attribute: "street", value: people[1][1] ?? "", reason: "moved next door to \(people[1][0] ?? "")")
        return workspace
    }

    /// Every personal value of the sample data, as landed and as the lake keeps it: e-mail addresses, phone
    /// numbers, whole names, birth dates and street lines of every customer and contact, and the content hash
    /// of every landed record.
    static func personalValues(_ workspace: Workspace) throws -> PersonalValueFinder {
        var values: [String] = []
        for row in try workspace.store.query(
            "SELECT email, phone, birth_date, street, first_name || ' ' || last_name, full_name FROM silver_customer", limit: .max
        ).rows {
            values += row.compactMap { $0 }
        }
        // The hash of each landed record: with the record's known fields it gives a masked value away.
        for row in try workspace.store.query("SELECT CAST(content_hash AS TEXT) FROM bronze_row", limit: .max).rows {
            values += row.compactMap { $0 }
        }
        for row in try workspace.store.query("SELECT fields FROM quarantine_record", limit: .max).rows {
            guard let text = row[0], let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                continue
            }
            for key in ["email", "phone", "street", "birth_date", "birthday", "full_name"] {
                if let value = object[key] as? String { values.append(value) }
            }
            if let first = object["first_name"] as? String, let last = object["last_name"] as? String { values.append("\(first) \(last)") }
        }
        let contacts = String(
            decoding: try Data(contentsOf: EngineFixture.sampleData.appendingPathComponent("inbox/marketing/contacts.jsonl")), as: UTF8.self
        )
        for line in contacts.split(separator: "\n") {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { continue }
            values += ["full_name", "email", "phone", "birthday"].compactMap { object[$0] as? String }
        }
        let customers = String(
            decoding: try Data(contentsOf: EngineFixture.sampleData.appendingPathComponent("inbox/crm/customers.csv")), as: UTF8.self)
        values += customers.matches(of: /[^,"\s]+@[^,"\s]+/).map { String($0.output) }
        return PersonalValueFinder(values)
    }

    @Test func noHostileQueryShowsAViewerOrAnAnalystAPersonalValue() throws {
        let workspace = try Self.workspace("hostile")
        let finder = try Self.personalValues(workspace)
        let corpus = try Self.corpus()
        #expect(corpus.count > 80)
        // The finder finds: an administrator's plain reads show personal values.
        let clear = try workspace.query("SELECT email, street FROM silver_customer LIMIT 5", limit: 5, as: Self.admin)
        #expect(finder.found(in: Self.text(of: clear)).count >= 5)
        #expect(
            !finder.found(in: Self.text(of: try workspace.query("SELECT before, after, reason FROM audit_log", limit: 100, as: Self.admin)))
                .isEmpty)

        let copy = "/tmp/hostile-vacuum-copy.sqlite"
        try? FileManager.default.removeItem(atPath: copy)
        defer { #expect(!FileManager.default.fileExists(atPath: copy), "VACUUM INTO copied the lake") }
        for user in ["vic", "ana"] {
            let environment = Environment.fixed(at: 1_764_400_000, user: user)
            for query in corpus {
                var output: String
                var refused = false
                do {
                    output = Self.text(of: try workspace.query(query.sql, limit: 100_000, as: environment))
                } catch {
                    output = error.description
                    refused = error.code == .forbidden || error.code == .refused
                }
                let leaks = finder.found(in: output)
                #expect(leaks.isEmpty, "\(query) shows \(user) personal values: \(leaks.prefix(3))")
                switch query.expectation {
                case .refused: #expect(refused, "\(query) ran for \(user): \(output.prefix(300))")
                case .allowed: #expect(!refused && !output.hasPrefix(user), "\(query) was refused for \(user): \(output.prefix(300))")
                case .either: break
                }
            }
        }
    }

    @Test func aRefusalNamesThePersonalColumnAndTheMaskedViewToQuery() throws {
        let workspace = try EngineFixture.sampleWorkspace("hostile-message")
        try EngineFixture.run(workspace)
        let ana = Environment.fixed(at: 1_764_400_000, user: "ana")
        let error = try #require(throws: EngineError.self) {
            try workspace.query("SELECT count(*) FROM silver_customer WHERE unicode(substr(email, 1, 1)) > 109", limit: 1, as: ana)
        }
        #expect(error.code == .forbidden)
        #expect(error.message.contains("ana (analyst) may not read personal data without permission view_pii"))
        #expect(error.message.contains("personal column silver_customer.email"))
        #expect(error.message.contains("query silver_customer_masked instead"))
        let landed = try #require(throws: EngineError.self) {
            try workspace.query("SELECT landed_text(landed_path, 0, 400) FROM batch", limit: 1, as: Self.admin)
        }
        #expect(landed.code == .forbidden)
        #expect(landed.message.contains("landed_text"))
        // With view_pii the same statements run, and bronze_row still reads each row's landed text.
        #expect(
            try workspace.query("SELECT count(*) FROM silver_customer WHERE unicode(substr(email, 1, 1)) > 109", limit: 1, as: Self.admin)
                .rows.count == 1)
        let raw = try workspace.query(
            "SELECT raw FROM bronze_row WHERE source = 'crm_customers' ORDER BY id LIMIT 1", limit: 1, as: Self.admin)
        #expect(raw.rows.first?.first?.text?.hasPrefix("C0000") == true)
    }

    @Test func maskedViewsShowTheRowsWithPersonalValuesMaskedAsTheMaskerMasksThem() throws {
        let workspace = try EngineFixture.sampleWorkspace("hostile-masked")
        try EngineFixture.run(workspace)
        let ana = Environment.fixed(at: 1_764_400_000, user: "ana")
        let sql =
            "SELECT id, email, phone, first_name, birth_date, city FROM silver_customer WHERE email IS NOT NULL AND phone IS NOT NULL ORDER BY id LIMIT 20"
        let clear = try workspace.query(sql, limit: 20, as: Self.admin)
        let masked = try workspace.query(
            sql.replacingOccurrences(of: "FROM silver_customer", with: "FROM silver_customer_masked"), limit: 20, as: ana)
        #expect(masked.columns == clear.columns)
        #expect(masked.rows.count == 20)
        for (plain, shown) in zip(clear.rows, masked.rows) {
            #expect(shown[0] == plain[0])
            #expect(shown[1].text == plain[1].text.map { PIIMasker.mask($0, as: .email) })
            #expect(shown[2].text == plain[2].text.map { PIIMasker.mask($0, as: .phone) })
            #expect(shown[3].text == plain[3].text.map { PIIMasker.mask($0, as: .name) })
            #expect(shown[4].text == plain[4].text.map { PIIMasker.mask($0, as: .birthDate) })
            #expect(shown[5] == plain[5])  // city is not tagged personal in the sample dictionary
        }
        // Numbers keep their storage class through a masked view.
        let totals = try workspace.query(
            "SELECT golden_id, lifetime_value, email_opt_in FROM customer_360_masked ORDER BY golden_id LIMIT 1", limit: 1, as: ana)
        guard case .integer = totals.rows[0][0], case .real = totals.rows[0][1] else {
            Issue.record("expected an integer and a real, got \(totals.rows[0])")
            return
        }
        // Every dataset holding a personal column has a masked view; the others have none.
        let datasets = try workspace.queryableDatasets(as: ana)
        let masked360 = datasets.first { $0.name == "customer_360" }?.masked
        #expect(masked360 == "customer_360_masked")
        #expect(datasets.first { $0.name == "campaign_performance" }?.masked == nil)
        for name in ["silver_customer", "quarantine_record", "golden_record", "audit_log", "bronze_row", "row_warning", "dictionary_entry"]
        {
            #expect(datasets.contains { $0.name == name + "_masked" && $0.isMaskedView }, "no masked view of \(name)")
        }
    }

    @Test func taggingANewColumnPersonalRefusesItAndMasksItInTheMaskedView() throws {
        let workspace = try EngineFixture.sampleWorkspace("hostile-tagging")
        try EngineFixture.run(workspace)
        let ana = Environment.fixed(at: 1_764_400_000, user: "ana")
        let sql = "SELECT city FROM silver_customer WHERE city IS NOT NULL ORDER BY id LIMIT 1"
        let city = try #require(try workspace.query(sql, limit: 1, as: ana).rows.first?.first?.text)
        #expect(try workspace.query("SELECT count(*) FROM campaign_performance", limit: 1, as: ana).rows.count == 1)
        #expect(workspace.queryPolicy(for: workspace.principal(ana)).column("campaign_performance", "channel") == .show)

        try DictionaryService(workspace: workspace, environment: Environment.fixed(at: 1_764_400_000, user: "sam"))
            .edit(DictionaryReference(parsing: "silver_customer.city"), DictionaryChange(tags: ["PII.Address"]))
        let refused = try #require(throws: EngineError.self) { try workspace.query(sql, limit: 1, as: ana) }
        #expect(refused.code == .forbidden)
        #expect(refused.message.contains("silver_customer.city"))
        let masked = try workspace.query(
            sql.replacingOccurrences(of: "FROM silver_customer", with: "FROM silver_customer_masked"), limit: 1, as: ana)
        #expect(masked.rows.first?.first?.text == PIIMasker.mask(city, as: .address))
        #expect(masked.rows.first?.first?.text != city)
    }

    /// The text a user would see of a result: its column names and every value.
    static func text(of result: LakeQueryResult) -> String {
        ([result.columns.joined(separator: "\t")] + result.rows.map { $0.map { $0.text ?? "" }.joined(separator: "\t") }).joined(
            separator: "\n")
    }
}

/// Finds any of many values in text, case-insensitively, by the first eight bytes of each: a value shorter
/// than eight bytes is too common (a first name alone) to say anything, and is left out.
struct PersonalValueFinder {
    private var byPrefix: [UInt64: [[UInt8]]] = [:]

    init(_ values: [String]) {
        for value in Set(values.map { $0.lowercased().trimmingCharacters(in: .whitespaces) }) where value.utf8.count >= 8 {
            let bytes = Array(value.utf8)
            byPrefix[Self.key(bytes, 0), default: []].append(bytes)
        }
    }

    var isEmpty: Bool { byPrefix.isEmpty }

    func found(in text: String) -> [String] {
        let bytes = Array(text.lowercased().utf8)
        guard bytes.count >= 8 else { return [] }
        var found: Set<String> = []
        for start in 0...(bytes.count - 8) {
            guard let candidates = byPrefix[Self.key(bytes, start)] else { continue }
            for value in candidates where start + value.count <= bytes.count && bytes[start..<(start + value.count)].elementsEqual(value) {
                found.insert(String(decoding: value, as: UTF8.self))
            }
        }
        return found.sorted()
    }

    private static func key(_ bytes: [UInt8], _ start: Int) -> UInt64 {
        var key: UInt64 = 0
        for index in start..<(start + 8) { key = key << 8 | UInt64(bytes[index]) }
        return key
    }
}

import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// Attributes a source maps beyond the canonical model (`[sources.attributes]`): kept in silver, compared,
/// blocked and stitched on by `matching.toml` as `attributes.<name>`, and personal unless the dictionary says
/// otherwise.
@Suite struct ExtraAttributeTests {
    static let admin = Environment.fixed(at: 1_764_300_000, user: "ann")
    static let analyst = Environment.fixed(at: 1_764_300_000, user: "ana")

    static let people = """
        id,first,last,email,born,ni,no
        C1,Robert,Smith,rob@example.com,1980-01-01,AB 12 34 56,71
        C2,Bobby,Smyth,bobby@other.example,,ab123456,
        C3,Alice,Jones,alice@a.example,1990-05-05,,12
        C4,Oscar,Wilde,oscar@example.com,1954-10-16,ZZ 99 88 77,1

        """

    static func workspace(_ name: String) throws -> Workspace {
        let workspace = try EngineFixture.customerWorkspace(
            name, rules: EngineFixture.standardRules, files: ["customers1.csv": people],
            sourceTables: """

                [sources.attributes]
                national_id = "ni"
                street_number = "no"
                """)
        let reopened = try EngineFixture.withAccess(workspace, roles: ["analyst": ["run_workflows"]], users: ["ana": "analyst"])
        try EngineFixture.run(reopened)
        return reopened
    }

    /// A held customer keeps its extra attributes beside its fields, and a release writes them to silver as an
    /// ingest would: released, it is the same customer matching compares, blocks and stitches on.
    @Test func aReleasedCustomerKeepsItsExtraAttributes() throws {
        let workspace = try EngineFixture.customerWorkspace(
            "attributes-release", rules: EngineFixture.standardRules,
            files: ["customers1.csv": Self.people + "C5,Mary,Shelley,mary at example.com,1997-08-30,CD 55 66 77,9\n"],
            sourceTables: """

                [sources.attributes]
                national_id = "ni"
                street_number = "no"
                """)
        try EngineFixture.run(workspace)
        let held = try #require(try workspace.store.quarantineRecords(LakeStore.QuarantineFilter()).first)
        #expect(held.sourceKey == "C5")
        #expect(held.fields["attributes.national_id"] == "CD 55 66 77")
        #expect(held.fields["attributes.street_number"] == "9")
        let service = QuarantineService(workspace: workspace, environment: Self.admin)
        _ = try service.fix(held.id, edits: ["email": "mary@example.com"])
        _ = try service.release(held.id)
        let rows = try workspace.store.query("SELECT email, attributes FROM silver_customer WHERE source_key = 'C5' AND is_current = 1").rows
        #expect(rows == [["mary@example.com", #"{"national_id":"CD 55 66 77","street_number":"9"}"#]])
    }

    @Test func extraAttributesLandInSilverAsOneJSONObject() throws {
        let workspace = try Self.workspace("attributes-silver")
        let rows = try workspace.store.query("SELECT source_key, attributes FROM silver_customer WHERE is_current = 1 ORDER BY source_key").rows
        #expect(rows == [
            ["C1", #"{"national_id":"AB 12 34 56","street_number":"71"}"#],
            ["C2", #"{"national_id":"ab123456"}"#],
            ["C3", #"{"street_number":"12"}"#],
            ["C4", #"{"national_id":"ZZ 99 88 77","street_number":"1"}"#],
        ])
    }

    @Test func matchingStitchesAndComparesOnAnExtraAttribute() throws {
        let workspace = try Self.workspace("attributes-match")
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        var text = try String(contentsOf: template, encoding: .utf8)
        text = text.replacingOccurrences(of: #"identifiers = ["email", "crm_id", "phone"]"#, with: #"identifiers = ["attributes.national_id"]"#)
            .replacingOccurrences(of: "random_pairs = 300000", with: "random_pairs = 2000")
        try text.write(to: workspace.root.appendingPathComponent("governance/matching.toml"), atomically: true, encoding: .utf8)
        let service = MatchService(workspace: workspace, environment: Self.admin)
        let records = try service.loadRecords(attributes: ["national_id"])
        let key = records.attributeKey("national_id")
        #expect(records.attributeNames == ["national_id"])
        // Folded: case, spaces and punctuation do not count.
        #expect(key.value(of: 0) == "ab123456" && key.value(of: 1) == "ab123456")
        #expect(key.value(of: 2) == nil)
        _ = try service.run()
        // C1 and C2 share no email or name spelling, and C2 has no birth date: only the national ID links them.
        let c1 = try #require(try workspace.store.goldenID(of: SourceRecordID(source: "crm", key: "C1")))
        #expect(try workspace.store.goldenID(of: SourceRecordID(source: "crm", key: "C2")) == c1)
        #expect(try workspace.store.goldenID(of: SourceRecordID(source: "crm", key: "C4")) != c1)
    }

    @Test func anAttributeNoSourceMapsIsRefusedNamingFileLineAndSetting() throws {
        let workspace = try Self.workspace("attributes-unknown")
        let template = try #require(WorkspaceInitializer.templateFolder).appendingPathComponent("governance/matching.toml")
        var text = try String(contentsOf: template, encoding: .utf8)
        text = text.replacingOccurrences(of: #"identifiers = ["email", "crm_id", "phone"]"#, with: #"identifiers = ["attributes.passport"]"#)
        let file = workspace.root.appendingPathComponent("governance/matching.toml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("attributes.passport") }) + 1
        let error = try #require(throws: EngineError.self) { try MatchService(workspace: workspace, environment: Self.admin).configuration() }
        #expect(error.code == .invalidConfiguration)
        let detail = try #require(error.details.first)
        #expect(detail.hasPrefix("\(file.path):\(line):"), "\(detail)")
        #expect(detail.contains("stitching.identifiers[0]: 'attributes.passport' is not an attribute any customer source maps"))
        #expect(detail.contains("known: national_id, street_number"))
        // A misspelt attribute name is refused by the same check in `cdp check`'s path.
        #expect(throws: EngineError.self) {
            try MatchingConfigurationLoader.load(tomlText: text, file: "matching.toml", attributes: ["national_id"])
        }
        #expect(try MatchingConfigurationLoader.load(tomlText: text, file: "matching.toml", attributes: nil).stitching.identifiers == [.attribute("passport")])
    }

    @Test func anAnalystReadsExtraAttributesOnlyMasked() throws {
        let workspace = try Self.workspace("attributes-masked")
        let forbidden = try #require(throws: EngineError.self) {
            try workspace.query("SELECT attributes FROM silver_customer", limit: 10, as: Self.analyst)
        }
        #expect(forbidden.code == .forbidden)
        #expect(throws: EngineError.self) {
            try workspace.query("SELECT source_key FROM silver_customer WHERE attributes LIKE '%AB 12%'", limit: 10, as: Self.analyst)
        }
        let masked = try workspace.query(
            "SELECT attributes FROM silver_customer_masked WHERE source_key = 'C1'", limit: 10, as: Self.analyst
        ).rows.map { $0.map(\.text) }
        let text = try #require(masked.first?.first ?? nil)
        #expect(!text.contains("AB 12 34 56") && !text.contains("\"71\""), "\(text)")
        #expect(text.contains("national_id"))
        // The admin reads them whole.
        let clear = try workspace.query("SELECT attributes FROM silver_customer WHERE source_key = 'C1' AND is_current = 1", limit: 10, as: Self.admin)
        #expect(clear.rows.first?.first?.text?.contains("AB 12 34 56") == true)
    }

    @Test func theDictionarySeedTagsExtraAttributesPersonal() throws {
        let workspace = try Self.workspace("attributes-dictionary")
        let source = try #require(workspace.configuration.sources.first)
        let entries = DataDictionary.seed(schema: [], sources: [source], rules: workspace.rules)
        let ni = try #require(entries.first { $0.key == DictionaryKey(.bronze, "crm", "ni") })
        #expect(ni.tags == ["PII"])
        #expect(ni.classification == .confidential)
        #expect(PIIMasker.defaultColumns(for: [source])["national_id"] == .other)
        #expect(PIIMasker.defaultColumns(for: [source])["no"] == .other)
    }

    @Test func attributesAreForCustomersAndNeverShadowACanonicalField() {
        var source = SourceConfiguration(
            name: "orders", system: "shop", entity: .order, format: .csv, path: "inbox/o*.csv", primaryKey: "id", mapping: [:],
            attributes: ["channel_ref": "ref"])
        #expect(source.problems(path: "sources[1]").map(\.path) == ["sources[1].attributes.channel_ref"])
        source.entity = .customer
        source.attributes = ["email": "mail", "Bad-Name": "x", "national_id": "ni"]
        let problems = source.problems(path: "sources[0]")
        #expect(problems.map(\.path) == ["sources[0].attributes.Bad-Name", "sources[0].attributes.email"])
        #expect(source.requiredColumns == ["id", "x", "mail", "ni"])
    }

    /// The Spark worker writes a silver row's extra attributes under the column the lake keeps them in.
    @Test func theSparkWorkerWritesExtraAttributesAsTheLakeKeepsThem() {
        let source = SourceConfiguration(
            name: "crm", system: "crm", entity: .customer, format: .csv, path: "inbox/c*.csv", primaryKey: "id",
            mapping: ["first_name": "first"], attributes: ["national_id": "ni"])
        var writer = SparkRowWriter(source: source)
        var values = [FieldValue?](repeating: nil, count: CanonicalEntity.customer.fields.count) + [.text(#"{"national_id":"AB1"}"#)]
        values[0] = .text("Ann")
        writer.appendSilver(
            line: 2, sourceKey: "C1", contentHash: 1, record: RecordSpan(offset: 0, length: 10), values: values, supersedes: false,
            warnings: [])
        let text = String(decoding: writer.take(), as: UTF8.self)
        #expect(text.contains(#""values":{"first_name":"Ann","attributes":"{\"national_id\":\"AB1\"}"}"#), "\(text)")
    }
}

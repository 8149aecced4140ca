import CDPCore
import Foundation
import Testing

/// The dictionary's pure parts: validation, diff, gaps, exports, seeding, masking and suggestions.
struct DataDictionaryTests {
    static let vocabulary = DictionaryVocabulary(users: ["ann", "sam"], rules: ["email_format", "contact_email_format", "phone_format"])

    static let email = DictionaryEntry(
        DictionaryKey(.silver, "silver_customer", "email"), description: "E-mail address.", dataType: "TEXT",
        classification: .confidential, tags: ["PII.Email"], rules: ["email_format"], lineage: ["crm_customers.email"])

    static let crm = SourceConfiguration(
        name: "crm", system: "crm", entity: .customer, format: .csv, path: "inbox/c*.csv", primaryKey: "id",
        mapping: ["first_name": "first", "email": "mail", "birth_date": "born", "loyalty_tier": "tier"],
        dateFormats: ["birth_date": "dd/MM/yyyy"])

    static let rules = RuleSet(rules: [
        RuleDefinition(name: "crm_key_unique", dataset: "crm", check: .unique(field: RuleFieldName.sourceKey)),
        RuleDefinition(name: "email_format", dataset: "crm", check: .format(field: "email", format: .email)),
        RuleDefinition(name: "tier_known", dataset: "crm", check: .allowedValues(field: "loyalty_tier", values: ["gold", "silver"])),
        RuleDefinition(name: "crm_not_empty", dataset: "crm", check: .rowCount(min: 1, max: nil), severity: .fatal),
    ])

    // MARK: Validation

    @Test func everyProblemIsReportedAtOnceNamingItsField() throws {
        let change = DictionaryChange(
            description: "  ", classification: "secret", owner: "zed", steward: "yan", rules: ["email_format", "emial_format"])
        let error = try #require(throws: DictionaryValidationError.self) {
            try Self.email.applying(change, vocabulary: Self.vocabulary)
        }
        #expect(error.key.description == "silver_customer.email")
        #expect(error.problems.map(\.field) == [.classification, .owner, .steward, .rules, .description])
        #expect(error.problems.map(\.kind) == [.badClassification, .unknownUser, .unknownUser, .unknownRule, .missingDescription])
        #expect(
            error.problems[0].description
                == "classification: 'secret' is not a classification (use one of: public, internal, confidential, restricted)")
        #expect(error.problems[1].message.contains("'zed' is not a user of governance/access.toml (users: ann, sam)"))
        #expect(error.problems[3].message.contains("'emial_format' is not a rule in governance/rules.toml (did you mean"))
        #expect(error.problems[4].message.contains("must not be empty: silver_customer.email is tagged PII.Email"))
    }

    @Test func anEmptyDescriptionIsOnlyRefusedOnPersonalColumns() throws {
        var city = DictionaryEntry(DictionaryKey(.silver, "silver_customer", "city"), description: "Town.")
        city = try city.applying(DictionaryChange(description: ""), vocabulary: Self.vocabulary)
        #expect(city.description == "")
        #expect(throws: DictionaryValidationError.self) {
            try city.applying(DictionaryChange(tags: ["PII.Address"]), vocabulary: Self.vocabulary)
        }
    }

    @Test func anEditIsNormalisedAndClearsWithEmptyText() throws {
        let edited = try Self.email.applying(
            DictionaryChange(classification: " Restricted ", tags: ["PII.Email", "gdpr", "gdpr"], owner: "sam", example: ""),
            vocabulary: Self.vocabulary)
        #expect(edited.classification == .restricted)
        #expect(edited.tags == ["PII.Email", "gdpr"])
        #expect(edited.owner == "sam")
        #expect(edited.example == nil)
        #expect(try edited.applying(DictionaryChange(owner: ""), vocabulary: Self.vocabulary).owner == nil)
        #expect(throws: DictionaryValidationError.self) {
            try Self.email.applying(DictionaryChange(tags: ["PII Email"]), vocabulary: Self.vocabulary)
        }
    }

    // MARK: Diff and gaps

    @Test func theDiffOfTwoVersionsNamesEachChangedField() throws {
        let later = try Self.email.applying(
            DictionaryChange(classification: "restricted", tags: ["GDPR", "PII.Email"], owner: "ann"), vocabulary: Self.vocabulary)
        let changes = Self.email.differences(to: later)
        #expect(
            changes == [
                DictionaryFieldChange(field: .classification, before: "confidential", after: "restricted"),
                DictionaryFieldChange(field: .tags, before: "PII.Email", after: "GDPR, PII.Email"),
                DictionaryFieldChange(field: .owner, before: "", after: "ann"),
            ])
        #expect(changes[2].description == "owner: ∅ → ann")
        #expect(DataDictionary.summary(changes) == "classification, tags, owner")
        #expect(later.differences(to: later).isEmpty)
    }

    @Test func gapsAreEntriesWithoutADescriptionOrClassification() {
        let entries = [
            Self.email,
            DictionaryEntry(DictionaryKey(.gold, "customer_360", "city"), description: "", classification: .internal),
            DictionaryEntry(DictionaryKey(.bronze, "crm", "tier"), description: "", classification: nil),
            DictionaryEntry(DictionaryKey(.bronze, "crm"), description: "CRM", classification: nil),
        ]
        let gaps = DataDictionary.gaps(entries)
        #expect(gaps.map(\.key.description) == ["crm", "crm.tier", "customer_360.city"])
        #expect(gaps.map(\.missing) == [[.classification], [.description, .classification], [.description]])
    }

    // MARK: Exports

    @Test func markdownHasASectionPerLayerAndATablePerDataset() {
        let entries = [
            Self.email,
            DictionaryEntry(DictionaryKey(.silver, "silver_customer"), description: "Customers | contacts.", classification: .confidential),
            DictionaryEntry(DictionaryKey(.bronze, "crm", "mail"), description: "Mail.", dataType: "TEXT (CSV)", tags: ["PII.Email"]),
        ]
        let text = DataDictionary.export(entries, as: .markdown, workspace: "Acme")
        #expect(text.hasPrefix("# Data dictionary — Acme\n"))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let bronze = try! #require(lines.firstIndex(of: "## Bronze"))
        let silver = try! #require(lines.firstIndex(of: "## Silver"))
        #expect(bronze < silver)
        #expect(lines.contains("Customers \\| contacts."))
        #expect(lines.contains("classification **confidential**"))
        #expect(
            lines.contains(
                "| `email` | TEXT | confidential | PII.Email | E-mail address. |  | `email_format` |  |  | crm_customers.email |"))
        #expect(lines.contains("| `mail` | TEXT (CSV) | — | PII.Email | Mail. |  |  |  |  |  |"))
        #expect(text.contains("3 entries · 1 without a description or classification"))
    }

    @Test func tomlWritesEveryFieldAndEscapesText() {
        var entry = Self.email
        entry.description = "Say \"hi\"\\n"
        let text = DataDictionary.export([entry], as: .toml, workspace: "Acme")
        #expect(
            text.contains(
                """
                [[entries]]
                layer = "silver"
                dataset = "silver_customer"
                column = "email"
                description = "Say \\"hi\\"\\\\n"
                data_type = "TEXT"
                classification = "confidential"
                tags = ["PII.Email"]
                owner = ""
                steward = ""
                allowed_values = []
                format = ""
                rules = ["email_format"]
                example = ""
                lineage = ["crm_customers.email"]
                """))
    }

    @Test func jsonListsEntriesWithSnakeCaseFields() throws {
        let text = DataDictionary.export([Self.email], as: .json, workspace: "Acme")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let entries = try #require(object["entries"] as? [[String: Any]])
        #expect(object["workspace"] as? String == "Acme")
        #expect(entries.first?["data_type"] as? String == "TEXT")
        #expect(entries.first?["tags"] as? [String] == ["PII.Email"])
    }

    // MARK: Seeding

    @Test func seedingDescribesSourcesAndTablesWithLineageRulesAndTags() throws {
        let schema = [
            DatasetSchema(layer: .bronze, name: "bronze_row", columns: [("id", "INTEGER"), ("raw", "TEXT")]),
            DatasetSchema(
                layer: .silver, name: "silver_customer",
                columns: [
                    ("id", "INTEGER"), ("source_key", "TEXT"), ("first_name", "TEXT"), ("email", "TEXT"), ("loyalty_tier", "TEXT"),
                ]),
            DatasetSchema(
                layer: .gold, name: "customer_360", columns: [("golden_id", "INTEGER"), ("email", "TEXT"), ("orders", "INTEGER")]),
            DatasetSchema(layer: .gold, name: "match_summary", isView: true, columns: [("records", "")]),
        ]
        let entries = DataDictionary.seed(schema: schema, sources: [Self.crm], rules: Self.rules)
        func entry(_ dataset: String, _ column: String = "") throws -> DictionaryEntry {
            try #require(entries.first { $0.dataset == dataset && $0.column == column })
        }
        // Bronze: the source and each mapped column, tagged from the canonical field it feeds.
        #expect(try entry("crm").rules == ["crm_not_empty"])
        #expect(try entry("crm").classification == .confidential)
        #expect(try entry("crm", "id").rules == ["crm_key_unique"])
        #expect(try entry("crm", "mail").tags == ["PII.Email"])
        #expect(try entry("crm", "born").format == "date as dd/MM/yyyy")
        #expect(try entry("crm", "tier").allowedValues == ["gold", "silver"])
        #expect(try entry("bronze_row", "raw").tags == ["PII.Record"])
        #expect(try entry("bronze_row", "raw").classification == .restricted)
        #expect(try entry("bronze_row").lineage == ["crm"])
        // Silver: lineage from the mapping, the rules of the sources feeding it.
        let email = try entry("silver_customer", "email")
        #expect(email.lineage == ["crm.mail"])
        #expect(email.rules == ["email_format"])
        #expect(email.tags == ["PII.Email"])
        #expect(email.classification == .confidential)
        #expect(email.format == "lower-case e-mail address, local@domain.tld")
        #expect(try entry("silver_customer", "source_key").lineage == ["crm.id"])
        #expect(try entry("silver_customer", "loyalty_tier").tags == [])
        #expect(try entry("silver_customer", "loyalty_tier").classification == .internal)
        // Gold: from silver.
        #expect(try entry("customer_360", "email").lineage == ["silver_customer.email"])
        #expect(try entry("customer_360", "email").tags == ["PII.Email"])
        #expect(try entry("customer_360", "orders").lineage == ["silver_order.customer_id"])
        #expect(try entry("match_summary").dataType == "view")
        #expect(try entry("match_summary", "records").dataType == "ANY")
        #expect(entries.count == 6 + 3 + 6 + 4 + 2)
        #expect(entries == DataDictionary.sorted(entries))
    }

    // MARK: Masking

    @Test func theDictionarysTagsDecideWhatIsMasked() {
        let entries = [
            Self.email,
            DictionaryEntry(DictionaryKey(.silver, "silver_customer", "city"), description: "Town.", tags: ["PII.Address"]),
            DictionaryEntry(DictionaryKey(.silver, "silver_customer", "phone"), description: "Phone."),
            DictionaryEntry(DictionaryKey(.bronze, "bronze_row", "raw"), tags: ["PII.Record"]),
        ]
        let map = PersonalDataMap(entries: entries, defaults: ["email": .email, "phone": .phone, "birthday": .birthDate])
        #expect(map.columns == ["email": .email, "city": .address, "birthday": .birthDate])
        #expect(map.treatment(dataset: "silver_customer", column: "city") == .mask(.address))
        #expect(map.treatment(dataset: "silver_customer", column: "phone") == .show)
        #expect(map.treatment(dataset: "bronze_row", column: "raw") == .withhold)
        #expect(map.treatment(dataset: "golden_record", column: "attributes") == nil)
    }

    /// Attack 11, F7: an extra attribute is as personal as its own source column says, whatever another dataset's column
    /// of the same name says.
    @Test func anExtraAttributeIsAsPersonalAsItsOwnSourceColumn() {
        let entries = [
            DictionaryEntry(DictionaryKey(.silver, "silver_order", "status"), description: "Order status."),
            DictionaryEntry(DictionaryKey(.bronze, "crm_customers", "ni_number"), tags: ["PII"]),
            DictionaryEntry(DictionaryKey(.bronze, "crm_customers", "plan_code"), description: "Plan."),
        ]
        let attributes = [
            PersonalDataMap.Attribute(name: "status", source: "crm_customers", column: "ni_number"),
            PersonalDataMap.Attribute(name: "plan", source: "crm_customers", column: "plan_code"),
            PersonalDataMap.Attribute(name: "loyalty_card", source: "crm_customers", column: "card"),
        ]
        let defaults: [String: PIIKind] = ["status": .other, "plan": .other, "loyalty_card": .other]
        let map = PersonalDataMap(entries: entries, defaults: defaults, attributes: attributes)
        #expect(map.columns["status"] == .other)
        #expect(map.columns["loyalty_card"] == .other)  // no entry for its column: personal
        #expect(map.columns["plan"] == nil)  // its column described untagged
        #expect(map.treatment(dataset: "silver_order", column: "status") == .show)
        #expect(PersonalDataMap(entries: entries, defaults: defaults).columns["status"] == nil)  // what it was
    }

    // MARK: Suggestions

    @Test func profilingCountsNullsDistinctValuesAndTheCommonestShape() {
        let profile = ColumnProfile(values: ["jane@example.com", "bob@mail.co", "jane@example.com", nil, " ", "ann@example.org"])
        #expect(profile.sampled == 6)
        #expect(profile.nulls == 2)
        #expect(abs(profile.nullRate - 1.0 / 3.0) < 1e-9)
        #expect(profile.distinct == 3)
        #expect(profile.topValues.first == ValueCount(value: "jane@example.com", count: 2))
        #expect(profile.pattern == "aaaa@aaaa.aaa")
        #expect(profile.detected == .email)
        #expect(ColumnProfile.shape(of: "+44 7700 900123") == "+99 9999 9999")
        #expect(ColumnProfile.shape(of: "1985-04-12") == "9999-99-99")
    }

    @Test func emailsSuggestConfidentialPIIAndTheEmailFormatRuleWithAMaskedExample() {
        let entry = DictionaryEntry(
            DictionaryKey(.gold, "customer_360", "contact"), description: "How to reach them.", classification: .internal)
        let values = (0..<40).map { "person\($0)@example.com" as String? } + [nil]
        let suggestion = DataDictionary.suggest(for: entry, profile: ColumnProfile(values: values), candidateRules: Self.rules.rules)
        #expect(suggestion.tags == ["PII.Email"])
        #expect(suggestion.classification == .confidential)
        #expect(suggestion.rules == ["email_format"])
        #expect(suggestion.example == "p***@e******.com")
        #expect(suggestion.reasons.first == "100% of the values are e-mail addresses")
        let change = suggestion.change(for: entry)
        #expect(change.classification == "confidential")
        #expect(change.tags == ["PII.Email"])
        #expect(change.rules == ["email_format"])
        #expect(change.example == "p***@e******.com")
    }

    @Test func aShortClosedListSuggestsAllowedValuesAndNeverLowersTheClassification() {
        let entry = DictionaryEntry(
            DictionaryKey(.silver, "silver_customer", "loyalty_tier"), description: "Tier.", classification: .restricted)
        let values: [String?] = Array(repeating: "gold", count: 15) + Array(repeating: "silver", count: 10)
        let suggestion = DataDictionary.suggest(for: entry, profile: ColumnProfile(values: values), candidateRules: Self.rules.rules)
        #expect(suggestion.tags.isEmpty)
        #expect(suggestion.classification == .internal)
        #expect(suggestion.allowedValues == ["gold", "silver"])
        #expect(suggestion.rules == ["tier_known"])
        #expect(suggestion.change(for: entry).classification == nil)
        #expect(suggestion.change(for: entry).allowedValues == ["gold", "silver"])
    }

    @Test func phoneNumbersWithoutARuleSayWhichRuleToAdd() {
        let entry = DictionaryEntry(DictionaryKey(.silver, "silver_customer", "mobile"))
        let values: [String?] = ["+447700900123", "+447700900456", "+353871234567", "+15551234567"]
        let suggestion = DataDictionary.suggest(for: entry, profile: ColumnProfile(values: values), candidateRules: Self.rules.rules)
        #expect(suggestion.tags == ["PII.Phone"])
        #expect(suggestion.rules.isEmpty)
        #expect(suggestion.reasons.contains { $0.contains("add a [[rules]] with check = \"format\" and format = \"phone\"") })
        #expect(suggestion.example?.contains("***") == true)
    }
}

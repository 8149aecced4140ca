import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// The dictionary service: seeding, permissioned and audited edits, versions, import/export,
/// suggestions from the lake, and masking that follows the dictionary's tags.
@Suite struct DictionaryServiceTests {
    static let steward = Environment.fixed(at: 1_764_400_000, user: "sam")

    func service(_ workspace: Workspace, _ user: String = "sam", at seconds: Double = 1_764_400_000) -> DictionaryService {
        DictionaryService(workspace: workspace, environment: .fixed(at: seconds, user: user))
    }

    func ref(_ text: String) -> DictionaryReference { DictionaryReference(parsing: text) }

    @Test func initSeedsAnEntryForEveryDatasetAndColumnOfEveryLayer() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-seed")
        let entries = try workspace.store.dictionaryEntries().map(\.entry)
        let keys = Set(entries.map(\.key))
        for (layer, name) in DataDictionary.lakeDatasets {
            let schema = try #require(try workspace.store.datasetSchema(name, layer: layer))
            #expect(keys.contains(DictionaryKey(layer, name)))
            for column in schema.columns { #expect(keys.contains(DictionaryKey(layer, name, column.name)), "\(name).\(column.name)") }
        }
        for source in workspace.configuration.sources {
            for column in source.requiredColumns { #expect(keys.contains(DictionaryKey(.bronze, source.name.rawValue, column))) }
        }
        func entry(_ dataset: String, _ column: String) throws -> DictionaryEntry {
            try #require(entries.first { $0.dataset == dataset && $0.column == column })
        }
        #expect(try entry("silver_customer", "birth_date").lineage == ["crm_customers.birth_date", "marketing_contacts.birthday"])
        #expect(try entry("silver_customer", "email").rules == ["customer_email_present", "email_format", "contact_email_format"])
        #expect(try entry("marketing_contacts", "birthday").tags == ["PII.BirthDate"])
        #expect(try entry("customer_360", "phone").lineage == ["silver_customer.phone"])
        #expect(try entry("silver_event", "event_type").allowedValues == ["sent", "open", "click", "conversion", "unsubscribe"])
        #expect(try entry("data_quality_scorecard", "pass_rate").lineage == ["dq_scorecard.pass_rate"])
        let versions = try workspace.store.dictionaryVersions(of: DictionaryKey(.silver, "silver_customer", "email"))
        #expect(versions.map(\.changedBy) == ["ann"])
        #expect(versions.map(\.change) == [DictionaryService.seedChange])
    }

    @Test func seedingAgainAddsNothingAndNeverOverwritesAnEdit() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-reseed")
        let dictionary = service(workspace)
        try dictionary.edit(ref("silver_customer.city"), DictionaryChange(description: "Where they live.", owner: "sam"))
        #expect(try dictionary.seed() == 0)
        let city = try dictionary.entry(ref("silver_customer.city"))
        #expect(city.entry.description == "Where they live.")
        #expect(city.version == 2)
        #expect(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "dictionary.seed")).count == 1)
    }

    @Test func aWorkspaceWithoutADictionaryIsSeededOnFirstUse() throws {
        let workspace = try EngineFixture.customerWorkspace("dictionary-first-use", rules: EngineFixture.standardRules, files: [:])
        #expect(try !workspace.store.hasDictionary())
        let entries = try service(workspace, "ann").entries(layer: .bronze)
        #expect(entries.contains { $0.key == DictionaryKey(.bronze, "crm", "born") && $0.entry.tags == ["PII.BirthDate"] })
        #expect(try workspace.store.hasDictionary())
    }

    /// Masking follows the tags: an editor who may not see personal values may not take a tag off to see them.
    @Test func onlyAUserWhoMaySeePersonalValuesMayLoosenAPIITag() throws {
        let seeded = try EngineFixture.sampleWorkspace("dictionary-untag")
        let access = seeded.root.appendingPathComponent("governance/access.toml")
        let text = try String(contentsOf: access, encoding: .utf8)
            .replacingOccurrences(of: "[roles]\n", with: "[roles]\ncurator = [\"edit_dictionary\"]\n")
            + "cora = \"curator\"\n"
        try text.write(to: access, atomically: true, encoding: .utf8)
        let workspace = try Workspace(at: seeded.root.path)
        let cora = service(workspace, "cora")
        for tags in [[String](), ["PII.BirthDate"]] {
            let refused = try #require(throws: EngineError.self) {
                try cora.edit(ref("silver_customer.email"), DictionaryChange(tags: tags))
            }
            #expect(refused.code == .forbidden)
        }
        let imported = try #require(throws: EngineError.self) {
            try cora.importTOML(
                "[[entries]]\nlayer = \"silver\"\ndataset = \"silver_customer\"\ncolumn = \"email\"\ntags = []\n", file: "untag.toml")
        }
        #expect(imported.code == .forbidden)
        #expect(workspace.masker(for: .fixed(at: 0, user: "ana")).kind(ofColumn: "email") == .email)
        let refusals = try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused"))
        #expect(refusals.contains { $0.actor == "cora" && $0.target == "dictionary.edit silver_customer.email (PII.Email → no PII tag)" })
        // Describing the column, or tagging another one personal, needs no more than edit_dictionary.
        try cora.edit(ref("silver_customer.email"), DictionaryChange(description: "Where campaigns are sent."))
        try cora.edit(ref("silver_customer.loyalty_tier"), DictionaryChange(description: "Tier, personal here.", tags: ["PII"]))
        // Someone who may see the values may take the tag off.
        try service(workspace).edit(ref("silver_customer.email"), DictionaryChange(tags: []))
    }

    @Test func editingNeedsThePermissionAndEveryRefusalAndEditIsAudited() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-permission")
        let error = try #require(throws: EngineError.self) {
            try service(workspace, "vic").edit(ref("silver_customer.email"), DictionaryChange(description: "Mail."))
        }
        #expect(error.code == .forbidden)
        #expect(error.message.contains("vic (viewer) may not edit the data dictionary: missing permission edit_dictionary"))
        let refusal = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "access.refused")).first)
        #expect(refusal.target == "dictionary.edit silver_customer.email")

        let saved = try service(workspace).edit(
            ref("silver_customer.email"), DictionaryChange(classification: "restricted", owner: "sam"), reason: "GDPR review")
        #expect(saved.version == 2)
        #expect(saved.change == "classification, owner")
        let audit = try #require(try workspace.store.auditEntries(LakeStore.AuditFilter(action: "dictionary.edit")).first)
        #expect(audit.actor == "sam")
        #expect(audit.target == "silver_customer.email")
        #expect(audit.before == #"{"classification":"confidential","owner":""}"#)
        #expect(audit.after == #"{"classification":"restricted","owner":"sam"}"#)
        #expect(audit.reason == "GDPR review")
        #expect(try workspace.store.auditChainProblems().isEmpty)
    }

    @Test func anInvalidEditIsRefusedWholeNamingEachFieldAndSavesNothing() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-invalid")
        let error = try #require(throws: EngineError.self) {
            try service(workspace).edit(
                ref("silver_customer.email"), DictionaryChange(description: "", classification: "top-secret", owner: "zed", rules: ["nope"])
            )
        }
        #expect(error.code == .invalidEntry)
        #expect(error.message == "silver_customer.email was not saved; fix and try again:")
        #expect(error.details.count == 4)
        #expect(error.details[0].hasPrefix("classification: 'top-secret' is not a classification"))
        #expect(error.details[1].hasPrefix("owner: 'zed' is not a user of governance/access.toml (users: ana, ann, sam, vic)"))
        #expect(error.details[2].hasPrefix("rules: 'nope' is not a rule in governance/rules.toml"))
        #expect(error.details[3].hasPrefix("description: must not be empty"))
        #expect(try service(workspace).entry(ref("silver_customer.email")).version == 1)
    }

    @Test func everyVersionIsKeptAndTwoVersionsDiffFieldByField() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-history")
        try service(workspace, at: 1_764_400_000).edit(ref("silver_order.amount"), DictionaryChange(owner: "sam"))
        try service(workspace, "ann", at: 1_764_400_100).edit(
            ref("silver_order.amount"), DictionaryChange(description: "Order value.", classification: "confidential"))
        let history = try service(workspace).history(ref("silver_order.amount"))
        #expect(history.map(\.version) == [1, 2, 3])
        #expect(history.map(\.changedBy) == ["ann", "sam", "ann"])
        #expect(history.map(\.change) == [DictionaryService.seedChange, "owner", "description, classification"])
        let diff = try service(workspace).diff(ref("silver_order.amount"), from: 1, to: 3)
        #expect(diff.changes.map(\.field) == [.description, .classification, .owner])
        #expect(diff.changes[1] == DictionaryFieldChange(field: .classification, before: "internal", after: "confidential"))
        let missing = try #require(throws: EngineError.self) { try service(workspace).diff(ref("silver_order.amount"), from: 1, to: 9) }
        #expect(missing.code == .notFound)
        #expect(missing.message.contains("has no version 9 (versions 1…3"))
        #expect(try service(workspace).recentChanges().map(\.version) == [3, 2])
    }

    @Test func anUnknownOrAmbiguousReferenceSaysWhatExists() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-reference")
        let unknown = try #require(throws: EngineError.self) { try service(workspace).entry(ref("silver_order.amout")) }
        #expect(unknown.code == .notFound)
        #expect(unknown.message.contains("columns of silver_order: amount, batch_id"))
        #expect(try service(workspace).entry(DictionaryReference(parsing: "silver_order", layer: .silver)).key.isDataset)
    }

    @Test func tomlExportImportsBackUnchangedAndAnImportIsOneAuditedVersionPerChange() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-toml")
        let dictionary = service(workspace)
        try dictionary.edit(ref("silver_customer.city"), DictionaryChange(tags: ["PII.Address"], owner: "sam"))
        let exported = try dictionary.export(as: .toml)
        let unchanged = try dictionary.importTOML(exported, file: "dictionary.toml")
        #expect(unchanged.changed.isEmpty)
        #expect(unchanged.unchanged == (try dictionary.entries().count))

        // The same file in a fresh workspace gives the same dictionary.
        let other = try EngineFixture.sampleWorkspace("dictionary-toml-other")
        let imported = try service(other).importTOML(exported, file: "dictionary.toml")
        // The edit's tag followed the lineage to customer_360.city, so the file carries both.
        #expect(imported.changed.map(\.key.description) == ["silver_customer.city", "customer_360.city"])
        #expect(try service(other).entries().map(\.entry) == (try dictionary.entries().map(\.entry)))
        let audit = try #require(try other.store.auditEntries(LakeStore.AuditFilter(action: "dictionary.edit")).first)
        #expect(audit.reason == "imported from dictionary.toml")

        // A partial file changes only what it sets.
        let partial = """
            [[entries]]
            layer = "gold"
            dataset = "customer_360"
            column = "city"
            description = "Town of the golden customer."
            """
        let summary = try dictionary.importTOML(partial, file: "partial.toml")
        #expect(summary.changed.map(\.change) == ["description"])
        #expect(try dictionary.entry(ref("customer_360.city")).entry.classification == .internal)
    }

    @Test func anImportIsRefusedWholeNamingEveryBadTable() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-bad-import")
        let text = """
            [[entries]]
            layer = "silver"
            dataset = "silver_customer"
            column = "city"
            description = "Town."

            [[entries]]
            layer = "silver"
            dataset = "silver_customer"
            column = "email"
            owner = "zed"

            [[entries]]
            layer = "gold"
            dataset = "customer_360"
            column = "shoe_size"
            description = "?"
            """
        let error = try #require(throws: EngineError.self) { try service(workspace).importTOML(text, file: "d.toml") }
        #expect(error.code == .invalidEntry)
        #expect(error.details.count == 2)
        #expect(error.details[0].hasPrefix("entries[1] (silver_customer.email): owner: 'zed' is not a user"))
        #expect(error.details[1] == "entries[2]: the dictionary has no gold entry customer_360.shoe_size; see `cdp dictionary list`")
        #expect(try service(workspace).entry(ref("silver_customer.city")).version == 1)

        let malformed = try #require(throws: EngineError.self) {
            try service(workspace).importTOML("[[entries]]\nlayer = \"platinum\"\ndataset = \"x\"\ncolour = \"red\"\n", file: "d.toml")
        }
        #expect(malformed.code == .invalidConfiguration)
        #expect(malformed.details.count == 2)
        #expect(malformed.details.first == "d.toml:2:1: entries[0].layer: 'platinum' is not a layer (bronze, silver, quarantine, gold)")
        #expect(malformed.details.last?.hasPrefix("d.toml:4:1: entries[0].colour: is not a known setting") == true)
    }

    @Test func aSuggestionFromTheLakesDataCanBeAccepted() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-suggest")
        try EngineFixture.run(workspace)
        let dictionary = service(workspace)
        // A steward wrongly cleared the email column; the data says what it is.
        try dictionary.edit(ref("silver_customer.email"), DictionaryChange(classification: "internal", tags: [], rules: []))
        let suggestion = try dictionary.suggest(ref("silver_customer.email"))
        #expect(suggestion.profile.detected == .email)
        #expect(suggestion.profile.pattern?.contains("@") == true)
        #expect(suggestion.tags == ["PII.Email"])
        #expect(suggestion.classification == .confidential)
        #expect(suggestion.rules == ["email_format", "contact_email_format"])
        let accepted = try dictionary.accept(suggestion)
        #expect(accepted.entry.tags == ["PII.Email"])
        #expect(accepted.entry.classification == .confidential)
        #expect(accepted.entry.rules == ["email_format", "contact_email_format"])
        #expect(
            try workspace.store.auditEntries(LakeStore.AuditFilter(action: "dictionary.edit")).first?.reason
                == "accepted a suggestion from the data")
        let again = try #require(throws: EngineError.self) { try dictionary.accept(try dictionary.suggest(ref("silver_customer.email"))) }
        #expect(again.code == .refused)

        // Without view_pii no sampled value shows, nor how values repeat (which `cdp query` refuses too: count(DISTINCT
        // email), GROUP BY birth_date); what they are as a whole and how many are empty stay.
        let analyst = service(workspace, "ana")
        for column in ["silver_customer.email", "silver_customer.last_name", "silver_customer.birth_date", "bronze_row.raw"] {
            let masked = try analyst.suggest(ref(column))
            #expect(masked.profile.repetitionWithheld == true, "\(column)")
            #expect(masked.profile.topValues.isEmpty && masked.profile.distinctValues.isEmpty && masked.profile.distinct == 0, "\(column)")
            #expect(masked.profile.pattern == nil && masked.allowedValues.isEmpty, "\(column)")
        }
        #expect(try analyst.suggest(ref("silver_customer.email")).profile.detected == .email)
        #expect(try analyst.suggest(ref("bronze_row.raw")).tags == ["PII.Record"])
        // A record's hash and length are withheld in every dataset, as in queries.
        for column in ["silver_customer.content_hash", "silver_customer.record_length"] {
            let fingerprint = try analyst.suggest(ref(column))
            #expect(fingerprint.profile.repetitionWithheld == true && fingerprint.profile.topValues.isEmpty && fingerprint.example == nil, "\(column)")
        }
        // A column that is not personal keeps its profile.
        let country = try analyst.suggest(ref("silver_customer.country"))
        #expect(country.profile.repetitionWithheld == nil && !country.profile.topValues.isEmpty)
        let source = try #require(throws: EngineError.self) { try dictionary.suggest(ref("crm_customers.email")) }
        #expect(source.message.contains("suggest from the column it feeds (silver_customer.email)"))
    }

    @Test func maskingInQueriesFollowsTheDictionarysTags() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-masking")
        try EngineFixture.run(workspace)
        let analyst = Environment.fixed(at: 1_764_400_000, user: "ana")
        let sql = "SELECT city, email FROM silver_customer WHERE email IS NOT NULL AND city IS NOT NULL ORDER BY id LIMIT 1"
        let maskedSQL = sql.replacingOccurrences(of: "FROM silver_customer", with: "FROM silver_customer_masked")
        let clear = try workspace.query(sql, limit: 1, as: Self.steward).rows[0].map(\.text)
        #expect(throws: EngineError.self) { try workspace.query(sql, limit: 1, as: analyst) }
        let before = try workspace.query(maskedSQL, limit: 1, as: analyst).rows[0].map(\.text)
        #expect(before[0] == clear[0])
        #expect(before[1] == clear[1].map { PIIMasker.mask($0, as: .email) })

        let dictionary = service(workspace)
        try dictionary.edit(ref("silver_customer.city"), DictionaryChange(tags: ["PII.Address"]))
        try dictionary.edit(ref("silver_customer.email"), DictionaryChange(tags: []))
        let after = try workspace.query(maskedSQL, limit: 1, as: analyst).rows[0].map(\.text)
        #expect(after[0] == clear[0].map { PIIMasker.mask($0, as: .address) })
        #expect(after[1] == clear[1])
        #expect(try workspace.query("SELECT email FROM silver_customer LIMIT 1", limit: 1, as: analyst).rows.count == 1)
        // Outputs that know a value only by its name follow the tag too.
        #expect(workspace.masker(for: analyst).kind(ofColumn: "city") == .address)
        #expect(workspace.masker(for: analyst).kind(ofColumn: "email") == .email)  // still tagged in bronze and gold
        let raw = try workspace.query("SELECT raw FROM bronze_row_masked WHERE source = 'crm_customers' LIMIT 1", limit: 1, as: analyst)
        #expect(raw.rows[0][0].text == Workspace.withheldValue)
        #expect(
            try workspace.query("SELECT example FROM dictionary_entry_masked WHERE example IS NOT NULL LIMIT 1", limit: 1, as: analyst).rows[0][0]
                .text == Workspace.withheldValue)
    }

    @Test func exportsMaskPersonalExamplesWithoutViewPII() throws {
        let workspace = try EngineFixture.sampleWorkspace("dictionary-export-mask")
        let markdown = try service(workspace).export(as: .markdown)
        #expect(markdown.contains("`jane.doe@example.com`"))
        let masked = try service(workspace, "ana").export(as: .markdown)
        #expect(!masked.contains("jane.doe@example.com"))
        #expect(masked.contains("`j***@e******.com`"))
        #expect(masked.contains("## Gold"))
    }
}

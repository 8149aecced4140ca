import CDPCore
import Foundation
import Testing

@testable import CDPEngine

struct ConfigurationLoaderTests {
    func workspaceError(_ toml: String) -> EngineError? {
        do {
            _ = try ConfigurationLoader.workspace(tomlText: toml, file: "cdp.toml")
            return nil
        } catch { return error }
    }

    @Test func aTOMLSyntaxErrorNamesFileLineAndColumn() {
        let error = workspaceError("[workspace]\nname = \"x\"\nbroken = \n")
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.details.count == 1)
        #expect(error?.details.first?.hasPrefix("cdp.toml:3:") == true, "\(error?.details ?? [])")
    }

    @Test func everyProblemOfASourceIsReportedAtOnceWithItsLine() {
        let error = workspaceError("""
            [workspace]
            name = "x"
            default_country = "Atlantis"

            [[sources]]
            name = "crm"
            entity = "persons"
            format = "csv"
            path = "in/*.csv"
            primay_key = "id"
            [sources.mapping]
            email = 42
            """)
        #expect(error?.message == "the configuration has 5 problems in cdp.toml; nothing was done. Fix each (`cdp check` lists them again):")
        #expect(error?.details == [
            "cdp.toml:3:1: workspace.default_country: 'Atlantis' is not an ISO 3166 country",
            "cdp.toml:5:1: sources[0].primary_key: is missing",
            "cdp.toml:7:1: sources[0].entity: 'persons' is not an entity (known: customer, order, campaign, event)",
            "cdp.toml:10:1: sources[0].primay_key: is not a known setting (expected one of: name, system, entity, format, path, primary_key, delimiter, mapping, date_formats, attributes)",
            "cdp.toml:12:1: sources[0].mapping.email: must be a string, found a whole number (42)",
        ])
    }

    @Test func anUnknownCanonicalFieldIsNamedWithTheKnownOnes() {
        let error = workspaceError("""
            [workspace]
            name = "x"
            [[sources]]
            name = "crm"
            entity = "customer"
            format = "csv"
            path = "in/*.csv"
            primary_key = "id"
            [sources.mapping]
            emial = "email"
            """)
        let known = CanonicalEntity.customer.fields.map(\.name).joined(separator: ", ")
        #expect(error?.details == ["cdp.toml:10:1: sources[0].mapping.emial: 'emial' is not a customer field (known: \(known))"])
    }

    @Test func aBadRulesFileIsRefusedWholeWithLines() throws {
        let sources = try ConfigurationLoader.workspace(
            tomlText: String(contentsOf: EngineFixture.repositoryRoot.appendingPathComponent("Sources/CDPEngine/Resources/WorkspaceTemplate/cdp.toml"), encoding: .utf8),
            file: "cdp.toml"
        ).sources
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.rules(
                tomlText: """
                    [[rules]]
                    name = "a"
                    dataset = "crm_customers"
                    check = "format"
                    field = "email"
                    format = "emale"

                    [[rules]]
                    name = "b"
                    dataset = "crm_customers"
                    check = "compare"
                    left = "created_at"
                    op = "=<"
                    right = "updated_at"
                    severity = "critical"

                    [[rules]]
                    name = "c"
                    dataset = "crm_customers"
                    check = "unique"
                    colour = "red"

                    [[rules]]
                    name = "d"
                    dataset = "crm_customers"
                    check = "format"
                    field = "emial"
                    format = "email"
                    """, file: "rules.toml", sources: sources)
        }
        #expect(error.message == "the configuration has 5 problems in rules.toml; nothing was done. Fix each (`cdp check` lists them again):")
        let customerFields = "source_key, " + CanonicalEntity.customer.fields.map(\.name).joined(separator: ", ")
        #expect(error.details == [
            "rules.toml:6:1: rules[0].format: 'emale' is not a format (known: email, phone, date, timestamp, country, decimal, regex)",
            "rules.toml:13:1: rules[1].op: '=<' is not a comparison (known: <, <=, ==, !=, >=, >)",
            "rules.toml:15:1: rules[1].severity: 'critical' is not a severity (known: warn, omit_value, error, fatal)",
            "rules.toml:21:1: rules[2].colour: is not a known setting",
            // A rule after rules that could not be read keeps its own index.
            "rules.toml:27:1: rules[3].field: 'emial' is not a field of customer source 'crm_customers' (known: \(customerFields))",
        ])
    }

    /// `required` with `any_of`: every field of `fields` and at least one of `any_of`; a field of either list
    /// that the source lacks is named by its own setting, and an `any_of` of one field is refused.
    @Test func aRequiredRuleTakesAtLeastOneOfAnyOf() throws {
        let source = SourceConfiguration(
            name: "crm", system: "crm", entity: .customer, format: .csv, path: "in/*.csv", primaryKey: "id",
            mapping: ["first_name": "first", "last_name": "last", "email": "email"])
        let rules = try ConfigurationLoader.rules(
            tomlText: "[[rules]]\nname = \"r\"\ndataset = \"crm\"\ncheck = \"required\"\nfields = [\"source_key\"]\nany_of = [\"first_name\", \"last_name\"]\n",
            file: "rules.toml", sources: [source])
        #expect(rules.rules.map(\.check) == [.required(fields: ["source_key"], anyOf: ["first_name", "last_name"])])
        let nameOnly = try ConfigurationLoader.rules(
            tomlText: "[[rules]]\nname = \"r\"\ndataset = \"crm\"\ncheck = \"required\"\nany_of = [\"first_name\", \"last_name\"]\n",
            file: "rules.toml", sources: [source])
        #expect(nameOnly.rules.map(\.check) == [.required(fields: [], anyOf: ["first_name", "last_name"])])
        let error = try #require(throws: EngineError.self) {
            try ConfigurationLoader.rules(
                tomlText: """
                    [[rules]]
                    name = "a"
                    dataset = "crm"
                    check = "required"
                    any_of = ["first_name", "middle_name"]

                    [[rules]]
                    name = "b"
                    dataset = "crm"
                    check = "required"
                    any_of = ["last_name"]

                    [[rules]]
                    name = "c"
                    dataset = "crm"
                    check = "required"
                    """, file: "rules.toml", sources: [source])
        }
        #expect(error.details.count == 3, "\(error.details)")
        #expect(error.details[0].contains("rules[0].any_of[1]: 'middle_name' is not a field of customer source 'crm'"), "\(error.details)")
        #expect(error.details[1].contains("rules[1].any_of: names one field ('last_name')"), "\(error.details)")
        #expect(error.details[2].contains("rules[2].fields: is missing ('required' needs `fields = [...]`, `any_of = [...]` or both)"), "\(error.details)")
    }

    /// The issue's example: a type error deep in a long rules file names the rule's index, its line and the
    /// value found, and every other problem of the file comes with it.
    @Test func aTypeErrorNamesItsLineAndWhatWasFound() throws {
        var text = ""
        for index in 0..<30 {
            text += "[[rules]]\nname = \"r\(index)\"\ndataset = \"crm\"\ncheck = \"length\"\nfield = \"email\"\n"
            text += index == 29 ? "min = \"five\"\n" : index == 3 ? "max = 2.5\n" : "max = 200\n"
            text += "\n"
        }
        let source = SourceConfiguration(
            name: "crm", system: "crm", entity: .customer, format: .csv, path: "in/*.csv", primaryKey: "id", mapping: ["email": "email"])
        let error = try #require(throws: EngineError.self) { try ConfigurationLoader.rules(tomlText: text, file: "rules.toml", sources: [source]) }
        #expect(error.details == [
            "rules.toml:27:1: rules[3].max: must be a whole number, found a number (2.5)",
            "rules.toml:209:1: rules[29].min: must be a whole number, found a string (\"five\")",
        ])
    }

    @Test func aTOMLSyntaxErrorIsPlacedAndTheOtherFilesStillChecked() throws {
        let folder = EngineFixture.temporaryFolder("syntax")
        try WorkspaceInitializer.initialize(at: folder.path, administrator: "ann")
        try "[workspace]\nname = \n".write(to: folder.appendingPathComponent("cdp.toml"), atomically: true, encoding: .utf8)
        try "[[rules]]\nname = \"x\"\ndataset = \"crm_customers\"\ncheck = \"unique\"\nseverity = \"loud\"\n"
            .write(to: folder.appendingPathComponent("governance/rules.toml"), atomically: true, encoding: .utf8)
        let error = try #require(throws: EngineError.self) { try Workspace(at: folder.path) }
        #expect(error.code == .invalidConfiguration)
        #expect(error.details.count == 2, "\(error.details)")
        #expect(error.details.first?.hasPrefix(folder.appendingPathComponent("cdp.toml").path + ":2:") == true, "\(error.details)")
        #expect(error.details.last == folder.appendingPathComponent("governance/rules.toml").path + ":5:1: rules[0].severity: 'loud' is not a severity (known: warn, omit_value, error, fatal)")
    }

    @Test func theShippedTemplateLoads() throws {
        let folder = EngineFixture.temporaryFolder("template")
        try WorkspaceInitializer.initialize(at: folder.path)
        let workspace = try Workspace(at: folder.path)
        #expect(workspace.configuration.sources.count == 5)
        #expect(try workspace.workflow().orderedTasks.count == 9)
        #expect(throws: EngineError.self) { try WorkspaceInitializer.initialize(at: folder.path) }
        #expect(try Workspace.checkConfiguration(at: folder.path).files == [
            "cdp.toml", "governance/rules.toml", "governance/access.toml", "governance/matching.toml", "workflows/customer_pipeline.json",
        ])
    }
}

/// A record's id (`source:key`) is shown to every role, so a source may not be keyed by a personal field.
struct PersonalKeyConfigurationTests {
    @Test func aSourceKeyedByAPersonalFieldIsRefusedNamingTheSetting() {
        let toml = """
            [workspace]
            name = "x"

            [[sources]]
            name = "marketing_contacts"
            system = "marketing"
            entity = "customer"
            format = "csv"
            path = "in/*.csv"
            primary_key = "mail"
            [sources.mapping]
            email = "mail"
            first_name = "given"
            """
        do {
            _ = try ConfigurationLoader.workspace(tomlText: toml, file: "cdp.toml")
            Issue.record("a source keyed by its e-mail column was accepted")
        } catch {
            #expect(error.details.contains {
                $0.contains("sources[0].primary_key") && $0.contains("'mail' is the column mapped to email, which is personal")
            }, "\(error.details)")
        }
        // Keyed by its own id, the same source is accepted.
        let keyedByID = toml.replacingOccurrences(of: "primary_key = \"mail\"", with: "primary_key = \"contact_id\"")
        #expect(throws: Never.self) { try ConfigurationLoader.workspace(tomlText: keyedByID, file: "cdp.toml") }
    }
}

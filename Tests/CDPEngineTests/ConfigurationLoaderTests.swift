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
        #expect(error?.message.hasPrefix("cdp.toml:3:") == true, "\(error?.message ?? "")")
    }

    @Test func everyProblemOfASourceIsReportedAtOnce() {
        let error = workspaceError("""
            [workspace]
            name = "x"
            [[sources]]
            name = "crm"
            entity = "persons"
            format = "xlsx"
            path = "in/*.csv"
            primay_key = "id"
            [sources.mapping]
            emial = "email"
            """)
        let details = error?.details ?? []
        #expect(details.contains("source 'crm': entity 'persons' is unknown (one of: customer, order, campaign, event)"))
        #expect(details.contains("source 'crm': format 'xlsx' is unknown (csv or jsonl)"))
        #expect(details.contains("sources[0].primary_key is missing"))
        #expect(details.contains { $0.hasPrefix("sources[0].primay_key is not a known setting") })
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
        #expect(error?.details.first?.contains("mapping names unknown customer field 'emial' (known: first_name,") == true)
    }

    @Test func aBadRulesFileIsRefusedWhole() throws {
        let sources = try ConfigurationLoader.workspace(
            tomlText: String(contentsOf: EngineFixture.repositoryRoot.appendingPathComponent("Sources/CDPEngine/Resources/WorkspaceTemplate/cdp.toml"), encoding: .utf8),
            file: "cdp.toml"
        ).sources
        do {
            _ = try ConfigurationLoader.rules(
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
                    """, file: "rules.toml", sources: sources)
            Issue.record("expected the rules to be refused")
        } catch {
            #expect(error.message == "rules.toml is invalid; nothing was run. Fix:")
            #expect(error.details.count == 4, "\(error.details)")
            #expect(error.details.contains { $0.contains("format 'emale' is unknown") })
            #expect(error.details.contains { $0.contains("op '=<' is unknown") })
            #expect(error.details.contains { $0.contains("severity 'critical' is unknown") })
            #expect(error.details.contains { $0.contains("rules[2].colour is not a known setting") })
        }
    }

    @Test func aWorkflowDecodingErrorNamesThePath() {
        let json = #"{"name": "p", "tasks": [{"task_key": "a", "cdp_task": {"step": "ingest", "source": "crm"}}, {"cdp_task": {"step": "scorecard"}}]}"#
        #expect {
            try ConfigurationLoader.workflow(jsonData: Data(json.utf8), file: "w.json", sources: ["crm"])
        } throws: { error in
            (error as? EngineError)?.message.contains("tasks[1]: `task_key` is missing") == true
        }
    }

    @Test func theShippedTemplateLoads() throws {
        let folder = EngineFixture.temporaryFolder("template")
        try WorkspaceInitializer.initialize(at: folder.path)
        let workspace = try Workspace(at: folder.path)
        #expect(workspace.configuration.sources.count == 5)
        #expect(try workspace.workflow().orderedTasks.count == 9)
        #expect(throws: EngineError.self) { try WorkspaceInitializer.initialize(at: folder.path) }
    }
}

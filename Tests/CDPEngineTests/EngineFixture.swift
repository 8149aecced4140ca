import CDPCore
import CDPStore
import CDPTestSupport
import Foundation
import Testing

@testable import CDPEngine

/// Temporary workspaces for engine tests.
enum EngineFixture {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var sampleData: URL { repositoryRoot.appendingPathComponent("sample-data") }

    static func temporaryFolder(_ name: String) -> URL {
        ScratchFolder.make("cdp-engine-tests", name)
    }

    /// A workspace made from sample-data/.
    static func sampleWorkspace(_ name: String = "sample") throws -> Workspace {
        let folder = temporaryFolder(name)
        try WorkspaceInitializer.initialize(at: folder.path, from: sampleData.path, administrator: "ann")
        return try Workspace(at: folder.path)
    }

    /// Reopens `workspace` with an access file giving ann the admin role, a viewer default, and `roles`/`users`
    /// besides (the owner adopts the file on opening).
    static func withAccess(_ workspace: Workspace, roles: [String: [String]], users: [String: String]) throws -> Workspace {
        let admin = ["view_pii", "remediate_quarantine", "decide_merges", "edit_dictionary", "run_workflows", "act_as"]
        func list(_ permissions: [String]) -> String { "[" + permissions.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }
        let roleLines = (["admin = \(list(admin))", "viewer = []"] + roles.sorted { $0.key < $1.key }.map { "\($0.key) = \(list($0.value))" })
        let userLines = ["ann = \"admin\""] + users.sorted { $0.key < $1.key }.map { "\($0.key) = \"\($0.value)\"" }
        let text = (["default_role = \"viewer\"", "[roles]"] + roleLines + ["[users]"] + userLines).joined(separator: "\n") + "\n"
        try text.write(to: workspace.root.appendingPathComponent(Workspace.accessPath), atomically: true, encoding: .utf8)
        return try Workspace(at: workspace.root.path)
    }

    /// A workspace with one CSV customer source over `inbox/customers*.csv`, with the given rules.
    /// - Parameter sourceTables: TOML appended to the source's settings (after `[sources.mapping]`), such as a
    ///   `[sources.attributes]` table.
    static func customerWorkspace(_ name: String, rules: String, files: [String: String], sourceTables: String = "") throws -> Workspace {
        let folder = temporaryFolder(name)
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("inbox"), withIntermediateDirectories: true)
        try manager.createDirectory(at: folder.appendingPathComponent("governance"), withIntermediateDirectories: true)
        try manager.createDirectory(at: folder.appendingPathComponent("workflows"), withIntermediateDirectories: true)
        try """
            [workspace]
            name = "Test"
            default_country = "GB"

            [[sources]]
            name = "crm"
            entity = "customer"
            format = "csv"
            path = "inbox/customers*.csv"
            primary_key = "id"

            [sources.mapping]
            first_name = "first"
            last_name = "last"
            email = "email"
            birth_date = "born"
            \(sourceTables)
            """.write(to: folder.appendingPathComponent("cdp.toml"), atomically: true, encoding: .utf8)
        try rules.write(to: folder.appendingPathComponent("governance/rules.toml"), atomically: true, encoding: .utf8)
        try """
            {"name": "p", "tasks": [
              {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
              {"task_key": "revalidate", "depends_on": [{"task_key": "ingest"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "scorecard", "depends_on": [{"task_key": "revalidate"}], "cdp_task": {"step": "scorecard"}}
            ]}
            """.write(to: folder.appendingPathComponent("workflows/customer_pipeline.json"), atomically: true, encoding: .utf8)
        for (file, text) in files {
            try Data(text.utf8).write(to: folder.appendingPathComponent("inbox/\(file)"))
        }
        return try Workspace(at: folder.path)
    }

    static let standardRules = """
        [[rules]]
        name = "key_unique"
        dataset = "crm"
        check = "unique"

        [[rules]]
        name = "email_format"
        dataset = "crm"
        check = "format"
        field = "email"
        format = "email"

        [[rules]]
        name = "born_valid"
        dataset = "crm"
        check = "format"
        field = "birth_date"
        format = "date"
        """

    static let clock = Environment.fixed(at: 1_764_300_000, user: "ann")

    @discardableResult
    static func run(_ workspace: Workspace, environment: Environment = clock) throws -> RunSummary {
        try WorkflowRunner(workspace: workspace, environment: environment).run(workspace.workflow())
    }

    static func status(_ workspace: Workspace, _ source: SourceName = "crm") throws -> LakeStore.SourceStatus {
        let entity = try workspace.source(source).entity
        return try #require(try workspace.store.sourceStatuses([(source, entity)]).first)
    }
}

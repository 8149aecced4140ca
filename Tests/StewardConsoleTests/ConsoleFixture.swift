import CDPCore
@testable import CDPEngine
import CDPTestSupport
import Foundation
import TermUI
import TermUITesting
import Testing

@testable import StewardConsole

/// A tiny workspace of our own (one CSV source, three rules), run once through the pipeline, and a
/// console on an in-memory terminal over it.
struct ConsoleFixture {
    let workspace: Workspace
    let backend: InMemoryBackend
    let app: ConsoleApp

    static let clock = Environment.fixed(at: 1_764_300_000, user: "ann")

    /// Line order fixes the quarantine ids: Q1 bob (bad e-mail), Q2 山田 (bad e-mail), Q3–Q5 "n/a"
    /// e-mails, Q6 a bad birth date.
    static let customers = """
        id,first,last,email,born
        C1,Ann,Lee,ann@example.com,1980-01-02
        C2,Bob,Stone,bob at example.com,1975-05-06
        C3,山田,太郎,yamada@@example.jp,1990-03-04
        C4,Cy,Moss,n/a,1970-01-01
        C5,Di,Ray,n/a,1971-01-01
        C6,Ed,Fox,n/a,1972-01-01
        C7,Flo,Kim,flo@example.com,1999-99-99
        C8,Gil,Ng,gil@example.com,1988-08-08

        """

    static let rules = """
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

    init(width: Int = 100, height: Int = 30, theme: Theme = .mono, customers: String = Self.customers, name: String = #function) throws {
        workspace = try Self.makeWorkspace(name, customers: customers)
        _ = try WorkflowRunner(workspace: workspace, environment: Self.clock).run(workspace.workflow())
        backend = InMemoryBackend(width: width, height: height)
        app = ConsoleApp(workspace: workspace, environment: Self.clock, theme: theme, backend: backend)
    }

    /// Types a key script and lets the console handle it; returns the screen text.
    @discardableResult
    func send(_ script: String) throws -> String {
        try backend.enqueue(script: script)
        app.drainEvents(settle: true)
        return backend.screenText()
    }

    var screen: String { backend.screenText() }

    func record(_ id: Int64) throws -> QuarantineRecord {
        try #require(try workspace.store.quarantineRecord(QuarantineID(id)))
    }

    static func makeWorkspace(_ name: String, customers: String = Self.customers) throws -> Workspace {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let folder = ScratchFolder.make("cdp-console-tests", safe)
        let manager = FileManager.default
        for sub in ["inbox", "governance", "workflows"] {
            try manager.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try """
            [workspace]
            name = "Console Test"
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
            """.write(to: folder.appendingPathComponent("cdp.toml"), atomically: true, encoding: .utf8)
        try rules.write(to: folder.appendingPathComponent("governance/rules.toml"), atomically: true, encoding: .utf8)
        try """
            {"name": "p", "tasks": [
              {"task_key": "ingest", "cdp_task": {"step": "ingest", "source": "crm"}},
              {"task_key": "revalidate", "depends_on": [{"task_key": "ingest"}], "cdp_task": {"step": "revalidate"}},
              {"task_key": "scorecard", "depends_on": [{"task_key": "revalidate"}], "cdp_task": {"step": "scorecard"}}
            ]}
            """.write(to: folder.appendingPathComponent("workflows/customer_pipeline.json"), atomically: true, encoding: .utf8)
        try Data(customers.utf8).write(to: folder.appendingPathComponent("inbox/customers.csv"))
        return try Workspace(at: folder.path)
    }

    /// The repository's `themes/` folder.
    static var themesFolder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("themes")
    }
}

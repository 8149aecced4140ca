import CDPCore
import CDPStore
import Foundation
import Testing

@testable import CDPEngine

/// A run's failures can quote the values that failed (a fatal rule's refusal lists them): without `view_pii`
/// they are withheld on every path that shows a run — the runner's events and summary, and the lake reader — as
/// run_event.message and workflow_run.error are from queries.
@Suite struct RunErrorMaskingTests {
    static let fatalEmail = EngineFixture.standardRules.replacingOccurrences(
        of: "name = \"email_format\"", with: "name = \"email_format\"\nseverity = \"fatal\"")

    @Test func aRunsFailuresAreWithheldFromAUserWithoutViewPII() throws {
        let plain = try EngineFixture.customerWorkspace(
            "run-error-masking", rules: Self.fatalEmail,
            files: ["customers.csv": "id,first,last,email,born\nC1,Ann,Lee,ann.lee at example.com,1980-01-02\n"])
        let workspace = try EngineFixture.withAccess(plain, roles: ["analyst": ["run_workflows"]], users: ["ana": "analyst"])
        let ana = Environment.fixed(at: 1_764_300_000, user: "ana")
        let seen = LockedBox<[RunEvent]>([])
        let run = try WorkflowRunner(workspace: workspace, environment: ana).run(workspace.workflow()) { event in
            seen.value.append(event)
        }
        #expect(run.state == .failed)
        // The lake keeps the value for those who may read it.
        let stored = try #require(try workspace.store.run(run.id))
        #expect(stored.error?.contains("ann.lee at example.com") == true, "\(stored.error ?? "")")

        let withheld = PIIMasker.withheldText
        #expect(run.error?.contains("ann.lee") == false && run.error?.hasSuffix(withheld) == true, "\(run.error ?? "")")
        #expect(!seen.value.contains { $0.message.contains("ann.lee") })
        #expect(seen.value.contains { $0.kind == .runFinished && $0.message.hasSuffix(withheld) })
        let reader = workspace.reader(for: ana)
        #expect(try reader.run(run.id)?.error?.contains("ann.lee") == false)
        #expect(try reader.runs().allSatisfy { $0.error?.contains("ann.lee") != true && $0.tasks.allSatisfy { $0.error?.contains("ann.lee") != true } })
        #expect(try !reader.events(of: run.id).contains { $0.message.contains("ann.lee") })
        // What is not a failure stays readable: which tasks started.
        #expect(try reader.events(of: run.id).contains { $0.kind == .runStarted && !$0.message.contains(withheld) })

        let admin = workspace.reader(for: EngineFixture.clock)
        #expect(try admin.run(run.id)?.error?.contains("ann.lee at example.com") == true)
    }
}

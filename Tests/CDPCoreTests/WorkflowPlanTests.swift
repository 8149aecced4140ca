import Testing

@testable import CDPCore

struct WorkflowPlanTests {
    func task(_ key: String, after: [String] = [], step: StepKind = .revalidate, source: String? = nil) -> WorkflowTask {
        WorkflowTask(taskKey: TaskKey(key), dependsOn: after.map { TaskKey($0) }, step: StepInvocation(step: step, source: source.map { SourceName($0) }))
    }

    @Test func ordersByDependencyKeepingDeclarationOrderForTies() throws {
        let plan = try WorkflowPlan(
            WorkflowDefinition(name: "w", tasks: [task("d", after: ["b", "c"]), task("b", after: ["a"]), task("c"), task("a")]),
            sources: [])
        #expect(plan.orderedTasks.map(\.taskKey.rawValue) == ["c", "a", "b", "d"])
        #expect(plan.dependents(of: "a") == ["b", "d"])
    }

    @Test func aCycleIsNamed() {
        #expect {
            try WorkflowPlan(WorkflowDefinition(name: "w", tasks: [task("a", after: ["b"]), task("b", after: ["a"])]), sources: [])
        } throws: { error in
            (error as? WorkflowPlanError)?.problems.first?.contains("dependency cycle: a, b") == true
        }
    }

    @Test func everyProblemIsReportedAtOnce() {
        let workflow = WorkflowDefinition(name: "w", tasks: [
            task("a", after: ["ghost"]), task("a"), task("i", step: .ingest), task("j", step: .ingest, source: "nowhere"),
            WorkflowTask(taskKey: "t", timeoutSeconds: 0, maxRetries: -1, step: StepInvocation(step: .scorecard)),
        ])
        do {
            _ = try WorkflowPlan(workflow, sources: ["crm"])
            Issue.record("expected the plan to be refused")
        } catch {
            #expect(error.problems.count == 6, "\(error.problems)")
            #expect(error.problems == [
                "tasks[1].task_key: 'a' is already the key of tasks[0]; task keys must be unique",
                "tasks[0].depends_on[0].task_key: 'ghost' is not a task of this workflow (tasks: a, i, j, t)",
                "tasks[2].cdp_task: step 'ingest' needs a 'source'",
                "tasks[3].cdp_task.source: 'nowhere' is not a source of cdp.toml (sources: crm)",
                "tasks[4].timeout_seconds: must be positive, found 0",
                "tasks[4].max_retries: must not be negative, found -1",
            ])
        }
    }

    @Test func decodesTheDatabricksJobsShape() throws {
        let json = """
            {"name": "p", "tasks": [
              {"task_key": "x", "cdp_task": {"step": "ingest", "source": "crm"}, "timeout_seconds": 5, "max_retries": 2},
              {"task_key": "y", "depends_on": [{"task_key": "x"}], "cdp_task": {"step": "scorecard"}}
            ]}
            """
        let definition = try JSONDecoder().decode(WorkflowDefinition.self, from: Data(json.utf8))
        #expect(definition.tasks[0].maxRetries == 2)
        #expect(definition.tasks[0].timeoutSeconds == 5)
        #expect(definition.tasks[1].dependsOn == [TaskDependency("x")])
        #expect(definition.tasks[1].step?.step == .scorecard)
    }

    @Test(arguments: [(0.0, "1970-01-01T00:00:00Z"), (951_782_400, "2000-02-29T00:00:00Z"), (1_764_300_000, "2025-11-28T03:20:00Z"), (-1, "1969-12-31T23:59:59Z")])
    func isoTimestampsAreExact(seconds: Double, text: String) {
        #expect(ISOTime.timestamp(seconds) == text)
    }
}

import Foundation

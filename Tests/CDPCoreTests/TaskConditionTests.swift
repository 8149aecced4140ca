import Foundation
import Testing

@testable import CDPCore

/// `run_if`, condition comparisons, `{{…}}` references and job parameters in the plan.
@Suite struct TaskConditionTests {
    typealias O = RunIf.Outcome

    /// Every `run_if` over the same dependency outcomes (succeeded, failed, not run), against its meaning.
    @Test(arguments: [
        ([O.succeeded, .succeeded], [RunIf.allSuccess, .atLeastOneSuccess, .noneFailed, .allDone]),
        ([O.succeeded, .failed], [RunIf.atLeastOneSuccess, .allDone, .atLeastOneFailed]),
        ([O.failed, .failed], [RunIf.allDone, .atLeastOneFailed, .allFailed]),
        ([O.succeeded, .notRun], [RunIf.atLeastOneSuccess, .noneFailed, .allDone]),
        ([O.notRun, .notRun], [RunIf.allDone]),
        ([O.failed, .notRun], [RunIf.allDone, .atLeastOneFailed]),
        ([], RunIf.allCases),
    ])
    func runIfAllowsExactlyWhatItSays(_ outcomes: [O], _ allowed: [RunIf]) {
        for runIf in RunIf.allCases {
            #expect(runIf.allows(outcomes) == allowed.contains(runIf), "\(runIf.rawValue) over \(outcomes)")
        }
    }

    @Test(arguments: [
        ("7.5", ConditionTask.Operator.greaterThan, "5", true), ("10", .greaterThan, "9", true),  // numbers, not text ("10" < "9")
        ("5", .greaterThanOrEqual, "5.0", true), ("4", .lessThan, "4", false), ("4", .lessThanOrEqual, "4", true),
        ("abc", .equalTo, "abc", true), ("abc", .notEqual, "abd", true), ("b", .greaterThan, "a", true), ("5", .equalTo, "5.00", true),
    ])
    func conditionsCompareNumbersAsNumbersAndTextAsText(_ left: String, _ op: ConditionTask.Operator, _ right: String, _ expected: Bool) {
        #expect(ConditionTask.compare(left, op, right) == expected)
    }

    @Test func referencesAreReadAndSubstituted() {
        #expect(
            DynamicValue.references(in: "{{ job.parameters.src }}_{{tasks.a.values.n}}{{x.y}}") == [
                .parameter("src"), .taskValue(task: "a", name: "n"), .unknown("x.y"),
            ])
        #expect(
            DynamicValue.substitute("in_{{job.parameters.src}}_{{tasks.a.values.n}}") { reference in
                if case .parameter("src") = reference { return "crm" }
                return nil
            } == "in_crm_{{tasks.a.values.n}}")
    }

    static func gate(_ left: String) -> WorkflowTask {
        WorkflowTask(
            taskKey: "gate", dependsOn: [TaskDependency("load")], condition: ConditionTask(op: .greaterThan, left: left, right: "5"))
    }

    @Test func parametersFillTaskSettingsAndAGivenValueOverridesTheDefault() throws {
        let workflow = WorkflowDefinition(
            name: "w",
            tasks: [
                WorkflowTask(taskKey: "load", step: StepInvocation(step: .ingest, source: "{{job.parameters.source}}")),
                Self.gate("{{tasks.load.values.quarantine_rate}}"),
                WorkflowTask(taskKey: "check", dependsOn: [], step: StepInvocation(step: .scorecard)),
            ],
            parameters: [JobParameter(name: "source", defaultValue: "crm")])
        #expect(try WorkflowPlan(workflow, sources: ["crm", "web"]).orderedTasks[0].step?.source == "crm")
        let given = try WorkflowPlan(workflow, sources: ["crm", "web"], parameters: ["source": "web"])
        #expect(given.orderedTasks[0].step?.source == "web")
        #expect(given.parameters == ["source": "web"])
        #expect(given.orderedTasks[1].condition?.left == "{{tasks.load.values.quarantine_rate}}")  // resolved when the run gets there
    }

    @Test func badReferencesBranchesAndParametersAreReportedAtOnce() throws {
        var outcome = TaskDependency("check")
        outcome.outcome = "true"
        var maybe = TaskDependency("gate")
        maybe.outcome = "maybe"
        var both = WorkflowTask(taskKey: "both", step: StepInvocation(step: .scorecard))
        both.condition = ConditionTask(op: .equalTo, left: "1", right: "1")
        let workflow = WorkflowDefinition(
            name: "w",
            tasks: [
                WorkflowTask(taskKey: "load", step: StepInvocation(step: .ingest, source: "{{job.parameters.nope}}")),
                Self.gate("{{tasks.check.values.x}}"),
                WorkflowTask(taskKey: "check", step: StepInvocation(step: .scorecard)),
                WorkflowTask(
                    taskKey: "after", dependsOn: [outcome, maybe], condition: ConditionTask(op: .equalTo, left: "{{y}}", right: "1")),
                both,
            ])
        let error = try #require(throws: WorkflowPlanError.self) {
            try WorkflowPlan(workflow, sources: ["crm"], parameters: ["ghost": "1"])
        }
        #expect(
            error.problems == [
                "parameters: 'ghost' is not a parameter of this workflow (it has none)",
                "tasks[0].cdp_task.source: {{job.parameters.nope}}: no parameter 'nope' (the workflow declares none)",
                "tasks[0].cdp_task.source: '{{job.parameters.nope}}' is not a source of cdp.toml (sources: crm)",
                "tasks[1].condition_task.left: {{tasks.check...}}: 'check' is not a task this one depends on; add it to depends_on",
                "tasks[3].depends_on[0].outcome: 'check' is not a condition_task; only a condition's branches have an outcome",
                "tasks[3].depends_on[1].outcome: 'maybe' is not an outcome (\"true\" or \"false\")",
                "tasks[3].condition_task.left: {{y}} is not a reference cdp knows ({{job.parameters.NAME}}, {{tasks.KEY.values.NAME}})",
                "tasks[4]: gives both a cdp_task and a condition_task; a task does one or the other",
            ])
    }
}

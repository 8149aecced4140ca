import CDPCore
import Foundation

extension ConfigurationLoader {
    /// Reads, checks and plans a workflow file (`workflows/*.json`, the Databricks Jobs shape).
    ///
    /// The text is read into a tree that keeps each value's line and column, every setting is checked there
    /// (types, ranges, known steps and keys, keys given twice) and every problem reported at once; then the
    /// tasks are planned against the sources (unknown dependencies, sources, cycles), again naming lines.
    /// Settings of a Databricks job that `cdp` does not run (`job_clusters`, `notebook_task`, `tags`, …) and
    /// keys nobody knows are not problems: the plan lists them in `ignoredSettings`, for the caller to warn.
    /// - Parameter sources: the workspace's sources; nil when cdp.toml could not be read, which leaves out the
    ///   check of the sources the tasks name.
    /// - Throws: `EngineError.configuration` listing every problem as `file:line:column: setting: message`.
    /// - Parameter parameters: job parameter values for this run, overriding the file's defaults.
    public static func workflow(
        jsonData: Data, file: String, sources: [SourceName]?, parameters: [String: String] = [:]
    ) throws(EngineError) -> WorkflowPlan {
        let document: JSONDocument
        do {
            document = try JSONDocument(Array(jsonData))
        } catch {
            throw EngineError.configuration([
                ConfigurationProblem(file: file, position: error.position, ConfigurationIssue("", "is not valid JSON: \(error.message)"))
            ])
        }
        var checker = WorkflowChecker(file: file)
        checker.workflow(document.root)
        guard checker.problems.isEmpty else { throw EngineError.configuration(placed(checker.problems)) }
        let ignored = placed(checker.warnings).map(\.description)
        let positions = WorkflowChecker.positions(of: document.root)
        func problem(_ issue: ConfigurationIssue) -> ConfigurationProblem {
            ConfigurationProblem(file: file, position: SourcePosition.nearest(issue.path, in: positions), issue)
        }
        let definition: WorkflowDefinition
        do {
            definition = try JSONDecoder().decode(WorkflowDefinition.self, from: jsonData)
        } catch let error as DecodingError {
            // Only a setting this checker does not know the type of gets here.
            throw EngineError.configuration([problem(issue(error))])
        } catch {
            throw EngineError.configuration([problem(ConfigurationIssue("", "cannot be read: \(error.localizedDescription)"))])
        }
        do {
            var plan = try WorkflowPlan(
                definition, sources: sources ?? definition.tasks.compactMap { $0.step?.source }, parameters: parameters)
            plan.ignoredSettings = ignored
            return plan
        } catch {
            throw EngineError.configuration(placed(error.issues.map(problem)))
        }
    }

    /// A decoding error in words, naming the setting.
    static func issue(_ error: DecodingError) -> ConfigurationIssue {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return ConfigurationIssue(path(context.codingPath + [key]), "is missing")
        case .typeMismatch(let type, let context):
            return ConfigurationIssue(path(context.codingPath), "has the wrong type (expected \(type))")
        case .valueNotFound(_, let context):
            return ConfigurationIssue(path(context.codingPath), "is null; give it a value")
        case .dataCorrupted(let context):
            return ConfigurationIssue(path(context.codingPath), "is not valid (\(context.debugDescription))")
        @unknown default:
            return ConfigurationIssue("", "cannot be read (\(error))")
        }
    }
}

/// Checks a workflow document setting by setting, each problem at the line and column of the value at fault.
struct WorkflowChecker {
    let file: String
    private(set) var problems: [ConfigurationProblem] = []
    /// Settings read and ignored: a Databricks job's settings cdp does not run, and keys nobody knows.
    private(set) var warnings: [ConfigurationProblem] = []

    init(file: String) { self.file = file }

    typealias Value = JSONDocument.Value

    /// Seconds of a timeout: at least one, at most what every clock in the engine can add (about 68 years).
    static let seconds = 1...Int(Int32.max)
    static let retries = 0...100
    static let concurrentTasks = 1...64
    static let retryMillis = 0...86_400_000

    mutating func report(_ path: String, _ message: String, at position: SourcePosition) {
        problems.append(ConfigurationProblem(file: file, position: position, ConfigurationIssue(path, message)))
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func workflow(_ root: Value) {
        guard
            let members = object(
                root, path: "", known: WorkflowDefinition.settingNames, ignorable: DatabricksJobSettings.job, required: ["name", "tasks"])
        else { return }
        if let name = members["name"] { _ = string(name, path: "name") }
        if let description = members["description"] { _ = string(description, path: "description") }
        if let timeout = members["timeout_seconds"] { whole(timeout, path: "timeout_seconds", in: Self.seconds, unit: " seconds") }
        if let concurrent = members["max_concurrent_runs"] { whole(concurrent, path: "max_concurrent_runs", in: Self.seconds, unit: "") }
        if let tasks = members["max_concurrent_tasks"] { whole(tasks, path: "max_concurrent_tasks", in: Self.concurrentTasks, unit: "") }
        if let schedule = members["schedule"] { self.schedule(schedule) }
        if let trigger = members["trigger"] { self.trigger(trigger) }
        if let emails = members["email_notifications"] { notifications(emails, path: "email_notifications", webhooks: false) }
        if let hooks = members["webhook_notifications"] { notifications(hooks, path: "webhook_notifications", webhooks: true) }
        if let health = members["health"] { self.health(health) }
        if let parameters = members["parameters"] {
            if case .array(let elements) = parameters.kind {
                for (index, element) in elements.enumerated() {
                    let at = "parameters[\(index)]"
                    guard let fields = object(element, path: at, known: JobParameter.settingNames, ignorable: [:], required: ["name", "default"]) else { continue }
                    if let name = fields["name"] { _ = string(name, path: "\(at).name") }
                    if let value = fields["default"] { _ = string(value, path: "\(at).default") }
                }
            } else {
                report("parameters", "must be a list like [{\"name\": \"…\", \"default\": \"…\"}], found \(parameters.found)", at: parameters.position)
            }
        }
        guard let tasks = members["tasks"] else { return }
        guard case .array(let elements) = tasks.kind else {
            report("tasks", "must be a list of tasks ([{…}, …]), found \(tasks.found)", at: tasks.position)
            return
        }
        for (index, element) in elements.enumerated() { task(element, path: "tasks[\(index)]") }
    }

    mutating func schedule(_ value: Value) {
        let path = "schedule"
        guard
            let fields = object(
                value, path: path, known: WorkflowSchedule.settingNames, ignorable: [:], required: ["quartz_cron_expression", "timezone_id"])
        else { return }
        if let cron = fields["quartz_cron_expression"] { _ = string(cron, path: "\(path).quartz_cron_expression") }
        if let zone = fields["timezone_id"] { _ = string(zone, path: "\(path).timezone_id") }
        pauseStatus(fields["pause_status"], path: "\(path).pause_status")
    }

    /// `trigger`: `{"file_arrival": {"url": …, "min_time_between_triggers_seconds": …, "wait_after_last_change_seconds": …}}`.
    mutating func trigger(_ value: Value) {
        guard let fields = object(value, path: "trigger", known: WorkflowTrigger.settingNames, ignorable: DatabricksJobSettings.trigger, required: [])
        else { return }
        pauseStatus(fields["pause_status"], path: "trigger.pause_status")
        guard let arrival = fields["file_arrival"] else { return }
        let path = "trigger.file_arrival"
        guard let members = object(arrival, path: path, known: FileArrivalTrigger.settingNames, ignorable: [:], required: ["url"]) else { return }
        if let url = members["url"] { _ = string(url, path: "\(path).url") }
        for name in ["min_time_between_triggers_seconds", "wait_after_last_change_seconds"] {
            if let seconds = members[name] { whole(seconds, path: "\(path).\(name)", in: 0...Int(Int32.max), unit: " seconds") }
        }
    }

    mutating func pauseStatus(_ value: Value?, path: String) {
        guard let value, let status = string(value, path: path), WorkflowSchedule.PauseStatus(rawValue: status) == nil else { return }
        let known = WorkflowSchedule.PauseStatus.allCases.map(\.rawValue).joined(separator: " or ")
        report(path, "'\(status)' is not a pause status (\(known))", at: value.position)
    }

    /// `email_notifications` (lists of addresses) or `webhook_notifications` (lists of `{"id", "url"}`).
    mutating func notifications(_ value: Value, path: String, webhooks: Bool) {
        let ignorable = [
            "no_alert_for_skipped_runs": "cdp sends no notification for a skipped run anyway",
            "on_streaming_backlog_exceeded": "cdp has no streaming backlog",
        ]
        guard let fields = object(value, path: path, known: NotificationTargets<String>.settingNames, ignorable: ignorable, required: []) else {
            return
        }
        for key in NotificationTargets<String>.settingNames {
            guard let list = fields[key] else { continue }
            let at = "\(path).\(key)"
            guard case .array(let elements) = list.kind else {
                let shape = webhooks ? #"[{"id": "ops", "url": "http://…"}]"# : #"["ops@example.com"]"#
                report(at, "must be a list like \(shape), found \(list.found)", at: list.position)
                continue
            }
            for (index, element) in elements.enumerated() {
                let item = "\(at)[\(index)]"
                if !webhooks {
                    if let address = string(element, path: item), !address.contains("@") {
                        report(item, "'\(address)' is not an e-mail address", at: element.position)
                    }
                    continue
                }
                guard let hook = object(element, path: item, known: Webhook.settingNames, ignorable: [:], required: ["url"]) else { continue }
                if let id = hook["id"] { _ = string(id, path: "\(item).id") }
                if let url = hook["url"], let text = string(url, path: "\(item).url"),
                    URL(string: text).flatMap(\.scheme).map({ ["http", "https"].contains($0) }) != true
                {
                    report("\(item).url", "'\(text)' is not an http(s) URL", at: url.position)
                }
            }
        }
    }

    /// `health`: rules on `RUN_DURATION_SECONDS`, the one metric a run of cdp has.
    mutating func health(_ value: Value) {
        guard let fields = object(value, path: "health", known: JobHealth.settingNames, ignorable: [:], required: ["rules"]) else { return }
        guard let rules = fields["rules"] else { return }
        guard case .array(let elements) = rules.kind else {
            report("health.rules", "must be a list of rules, found \(rules.found)", at: rules.position)
            return
        }
        for (index, element) in elements.enumerated() {
            let at = "health.rules[\(index)]"
            guard let rule = object(element, path: at, known: HealthRule.settingNames, ignorable: [:], required: ["metric", "op", "value"]) else {
                continue
            }
            if let metric = rule["metric"], let text = string(metric, path: "\(at).metric"), text != HealthRule.runDurationSeconds {
                report("\(at).metric", "'\(text)' is not a metric cdp checks (\(HealthRule.runDurationSeconds))", at: metric.position)
            }
            if let op = rule["op"], let text = string(op, path: "\(at).op"), text != HealthRule.greaterThan {
                report("\(at).op", "'\(text)' is not an operator of a health rule (\(HealthRule.greaterThan))", at: op.position)
            }
            if let limit = rule["value"] { whole(limit, path: "\(at).value", in: Self.seconds, unit: " seconds") }
        }
    }

    mutating func task(_ value: Value, path: String) {
        guard
            let members = object(value, path: path, known: WorkflowTask.settingNames, ignorable: DatabricksJobSettings.task, required: ["task_key"])
        else { return }
        guard case .object(let written) = value.kind else { return }
        let runsCdp = written.first { $0.key == "python_wheel_task" }.map { Self.wheelStep($0.value) != nil } ?? false
        if runsCdp {
            // The wheel runs `cdp`: this is a task of a job `cdp workflow export --databricks` wrote, not ignored.
            warnings.removeAll { $0.issue.path == "\(path).python_wheel_task" }
        } else if members["cdp_task"] == nil && members["condition_task"] == nil {
            let types = written.map(\.key).filter { DatabricksJobSettings.taskTypes.contains($0) }
            let steps = StepKind.allCases.map(\.rawValue).joined(separator: ", ")
            let why =
                types.isEmpty
                ? "" : ": cdp does not run a \(types.joined(separator: " or ")); give the task a cdp_task (steps: \(steps)) or a condition_task, or remove it"
            report(Self.join(path, "cdp_task"), "is missing\(why)", at: value.position)
        }
        if let runIf = members["run_if"], let text = string(runIf, path: "\(path).run_if"), RunIf(rawValue: text) == nil {
            report("\(path).run_if", "'\(text)' is not a run_if (\(RunIf.allCases.map(\.rawValue).joined(separator: ", ")))", at: runIf.position)
        }
        if let condition = members["condition_task"] {
            let at = "\(path).condition_task"
            if let fields = object(condition, path: at, known: ConditionTask.settingNames, ignorable: [:], required: ["op", "left", "right"]) {
                if let op = fields["op"], let text = string(op, path: "\(at).op"), ConditionTask.Operator(rawValue: text) == nil {
                    let known = ConditionTask.Operator.allCases.map(\.rawValue).joined(separator: ", ")
                    report("\(at).op", "'\(text)' is not an operator (\(known))", at: op.position)
                }
                for side in ["left", "right"] { if let operand = fields[side] { _ = string(operand, path: "\(at).\(side)") } }
            }
        }
        if let key = members["task_key"] { _ = string(key, path: "\(path).task_key") }
        if let description = members["description"] { _ = string(description, path: "\(path).description") }
        if let timeout = members["timeout_seconds"] { whole(timeout, path: "\(path).timeout_seconds", in: Self.seconds, unit: " seconds") }
        if let retries = members["max_retries"] { whole(retries, path: "\(path).max_retries", in: Self.retries, unit: "") }
        if let interval = members["min_retry_interval_millis"] {
            whole(interval, path: "\(path).min_retry_interval_millis", in: Self.retryMillis, unit: " milliseconds")
        }
        if let dependsOn = members["depends_on"] {
            if case .array(let dependencies) = dependsOn.kind {
                for (position, dependency) in dependencies.enumerated() {
                    let at = "\(path).depends_on[\(position)]"
                    guard
                        let fields = object(
                            dependency, path: at, known: TaskDependency.settingNames, ignorable: DatabricksJobSettings.dependency, required: ["task_key"])
                    else { continue }
                    if let key = fields["task_key"] { _ = string(key, path: "\(at).task_key") }
                    if let outcome = fields["outcome"] { _ = string(outcome, path: "\(at).outcome") }
                }
            } else {
                report("\(path).depends_on", "must be a list like [{\"task_key\": \"…\"}], found \(dependsOn.found)", at: dependsOn.position)
            }
        }
        if let step = members["cdp_task"] {
            let at = "\(path).cdp_task"
            guard let fields = object(step, path: at, known: StepInvocation.settingNames, ignorable: [:], required: ["step"]) else { return }
            if let kind = fields["step"], let name = string(kind, path: "\(at).step"), StepKind(rawValue: name) == nil {
                let known = StepKind.allCases.map(\.rawValue).joined(separator: ", ")
                report("\(at).step", "'\(name)' is not a step (known: \(known))", at: kind.position)
            }
            if let source = fields["source"] { _ = string(source, path: "\(at).source") }
        }
    }

    /// The step a `python_wheel_task` runs when it runs `cdp` (`DatabricksJobExport`), else nil.
    static func wheelStep(_ value: Value) -> StepInvocation? {
        guard case .object(let members) = value.kind else { return nil }
        var strings: [String: String] = [:]
        var parameters: [String] = []
        for member in members {
            switch member.value.kind {
            case .string(let text): strings[member.key] = text
            case .array(let elements) where member.key == "parameters":
                for element in elements {
                    guard case .string(let text) = element.kind else { return nil }
                    parameters.append(text)
                }
            default: return nil
            }
        }
        guard let package = strings["package_name"], let entry = strings["entry_point"] else { return nil }
        return DatabricksJobExport.step(of: DatabricksJob.PythonWheelTask(packageName: package, entryPoint: entry, parameters: parameters))
    }

    /// An object's members by key; reports keys given twice, near misses of known keys, and missing ones.
    /// A key in `ignorable` (a Databricks setting cdp does not run, with why) or one nobody knows is a warning.
    mutating func object(
        _ value: Value, path: String, known: [String], ignorable: [String: String], required: [String]
    ) -> [String: Value]? {
        guard case .object(let members) = value.kind else {
            report(path, "must be an object ({…}), found \(value.found)", at: value.position)
            return nil
        }
        var byKey: [String: Value] = [:]
        var firstLine: [String: Int] = [:]
        for member in members {
            let at = Self.join(path, member.key)
            if let line = firstLine[member.key] {
                report(at, "is given twice (first on line \(line)); keep one", at: member.keyPosition)
                continue
            }
            firstLine[member.key] = member.keyPosition.line
            if known.contains(member.key) {
                byKey[member.key] = member.value
            } else if let why = ignorable[member.key] {
                warnings.append(ConfigurationProblem(file: file, position: member.keyPosition, ConfigurationIssue(at, "ignored: \(why)")))
            } else if Self.isNearMiss(member.key, of: known) {
                report(at, "is not a known setting (expected one of: \(known.joined(separator: ", ")))", at: member.keyPosition)
            } else {
                let message = "ignored: neither cdp nor the Databricks Jobs API has this setting (cdp reads: \(known.joined(separator: ", ")))"
                warnings.append(ConfigurationProblem(file: file, position: member.keyPosition, ConfigurationIssue(at, message)))
            }
        }
        for key in required where byKey[key] == nil && firstLine[key] == nil {
            report(Self.join(path, key), "is missing", at: value.position)
        }
        return byKey
    }

    /// Whether `key` looks like a misspelling of one of `known` (`timout_seconds`, `sorce`): a key a letter
    /// or two away from a setting cdp runs is refused rather than ignored, or a typo would drop a limit.
    static func isNearMiss(_ key: String, of known: [String]) -> Bool {
        known.contains { candidate in
            let allowed = max(1, min(2, candidate.count / 4))
            return abs(candidate.count - key.count) <= allowed
                && StringSimilarity.levenshtein(key.lowercased(), candidate) <= allowed
        }
    }

    mutating func string(_ value: Value, path: String) -> String? {
        guard case .string(let text) = value.kind else {
            report(path, "must be a string, found \(value.found)", at: value.position)
            return nil
        }
        return text
    }

    /// A whole number within `range`; a number no type can hold (`1e400`) is out of range like any other.
    mutating func whole(_ value: Value, path: String, in range: ClosedRange<Int>, unit: String) {
        guard case .number(let text) = value.kind else {
            report(path, "must be a whole number, found \(value.found)", at: value.position)
            return
        }
        let outOfRange = "\(text) is out of range (\(range.lowerBound) to \(range.upperBound)\(unit))"
        if let number = Int(text) {
            if !range.contains(number) { report(path, outOfRange, at: value.position) }
            return
        }
        guard let number = Double(text), number.isFinite, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
            report(path, outOfRange, at: value.position)
            return
        }
        if number != number.rounded() {
            report(path, "must be a whole number, found \(text)", at: value.position)
        } else {
            report(path, "write \(text) as a whole number, without a fraction or an exponent", at: value.position)
        }
    }

    /// Where each setting of the document is written: an object member at its key, a list element at itself.
    static func positions(of root: Value) -> [String: SourcePosition] {
        var positions: [String: SourcePosition] = ["": root.position]
        func walk(_ value: Value, _ path: String) {
            switch value.kind {
            case .object(let members):
                for member in members {
                    let at = join(path, member.key)
                    if positions[at] == nil { positions[at] = member.keyPosition }
                    walk(member.value, at)
                }
            case .array(let elements):
                for (index, element) in elements.enumerated() {
                    let at = "\(path)[\(index)]"
                    positions[at] = element.position
                    walk(element, at)
                }
            default:
                break
            }
        }
        walk(root, "")
        return positions
    }
}

import Foundation

/// When a task runs, judged by how the tasks it depends on ended (Databricks' `run_if`).
public enum RunIf: String, Codable, Sendable, Hashable, CaseIterable {
    /// Every dependency succeeded (the default).
    case allSuccess = "ALL_SUCCESS"
    /// At least one dependency succeeded.
    case atLeastOneSuccess = "AT_LEAST_ONE_SUCCESS"
    /// No dependency failed, and at least one ran and succeeded.
    case noneFailed = "NONE_FAILED"
    /// Whatever the dependencies did (a clean-up or alert task).
    case allDone = "ALL_DONE"
    /// At least one dependency failed.
    case atLeastOneFailed = "AT_LEAST_ONE_FAILED"
    /// Every dependency failed.
    case allFailed = "ALL_FAILED"

    /// How a dependency ended, as `run_if` sees it.
    public enum Outcome: Sendable, Hashable {
        case succeeded
        /// Failed or timed out.
        case failed
        /// Not run: skipped, or excluded by a condition's other branch.
        case notRun
    }

    /// Whether a task with these dependency outcomes runs. A task without dependencies always runs.
    public func allows(_ outcomes: [Outcome]) -> Bool {
        guard !outcomes.isEmpty else { return true }
        let succeeded = outcomes.filter { $0 == .succeeded }.count
        let failed = outcomes.filter { $0 == .failed }.count
        switch self {
        case .allSuccess: return succeeded == outcomes.count
        case .atLeastOneSuccess: return succeeded > 0
        case .noneFailed: return failed == 0 && succeeded > 0
        case .allDone: return true
        case .atLeastOneFailed: return failed > 0
        case .allFailed: return failed == outcomes.count
        }
    }
}

/// A task that compares two values and takes the `true` or `false` branch (Databricks' `condition_task`):
/// `{"op": "GREATER_THAN", "left": "{{tasks.ingest_crm.values.quarantine_rate}}", "right": "5"}`. Tasks that
/// depend on it with `"outcome": "true"` run only when it holds; with `"false"`, only when it does not.
public struct ConditionTask: Hashable, Codable, Sendable {
    public enum Operator: String, Codable, Sendable, Hashable, CaseIterable {
        case equalTo = "EQUAL_TO"
        case notEqual = "NOT_EQUAL"
        case greaterThan = "GREATER_THAN"
        case greaterThanOrEqual = "GREATER_THAN_OR_EQUAL"
        case lessThan = "LESS_THAN"
        case lessThanOrEqual = "LESS_THAN_OR_EQUAL"

        public var symbol: String {
            switch self {
            case .equalTo: "=="
            case .notEqual: "!="
            case .greaterThan: ">"
            case .greaterThanOrEqual: ">="
            case .lessThan: "<"
            case .lessThanOrEqual: "<="
            }
        }
    }

    public var op: Operator
    /// A value, or a reference: `{{tasks.KEY.values.NAME}}` (a value of an upstream task) or
    /// `{{job.parameters.NAME}}`.
    public var left: String
    public var right: String

    enum CodingKeys: String, CodingKey, CaseIterable { case op, left, right }
    /// The settings a `condition_task` may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(op: Operator, left: String, right: String) {
        self.op = op
        self.left = left
        self.right = right
    }

    /// Compares two resolved values: as numbers when both read as numbers, else as text (as Databricks does).
    public static func compare(_ left: String, _ op: Operator, _ right: String) -> Bool {
        if let a = Double(left.trimmingCharacters(in: .whitespaces)), let b = Double(right.trimmingCharacters(in: .whitespaces)) {
            return holds(a, op, b)
        }
        return holds(left, op, right)
    }

    static func holds<T: Comparable>(_ a: T, _ op: Operator, _ b: T) -> Bool {
        switch op {
        case .equalTo: a == b
        case .notEqual: a != b
        case .greaterThan: a > b
        case .greaterThanOrEqual: a >= b
        case .lessThan: a < b
        case .lessThanOrEqual: a <= b
        }
    }
}

/// A job parameter (Databricks' `parameters: [{"name": …, "default": …}]`), given to task settings as
/// `{{job.parameters.NAME}}`; `cdp run --param NAME=VALUE` overrides the default for one run.
public struct JobParameter: Hashable, Codable, Sendable {
    public var name: String
    public var defaultValue: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name
        case defaultValue = "default"
    }
    /// The settings a parameter may give, as written in JSON.
    public static var settingNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    public init(name: String, defaultValue: String) {
        self.name = name
        self.defaultValue = defaultValue
    }
}

/// `{{…}}` references in task settings.
public enum DynamicValue {
    /// A reference as written between `{{` and `}}`, trimmed.
    public enum Reference: Hashable, Sendable {
        case parameter(String)
        case taskValue(task: TaskKey, name: String)
        case unknown(String)
    }

    /// The references in `text`, in order.
    public static func references(in text: String) -> [Reference] {
        var result: [Reference] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            result.append(reference(String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)))
            rest = rest[close.upperBound...]
        }
        return result
    }

    static func reference(_ inner: String) -> Reference {
        let parts = inner.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 3, parts[0] == "job", parts[1] == "parameters", !parts[2].isEmpty { return .parameter(parts[2]) }
        if parts.count == 4, parts[0] == "tasks", parts[2] == "values", !parts[1].isEmpty, !parts[3].isEmpty {
            return .taskValue(task: TaskKey(parts[1]), name: parts[3])
        }
        return .unknown(inner)
    }

    /// `text` with each reference replaced by `resolve`'s value; a reference it returns nil for is kept as written.
    public static func substitute(_ text: String, _ resolve: (Reference) -> String?) -> String {
        var output = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            output += rest[..<open.lowerBound]
            let written = rest[open.lowerBound..<close.upperBound]
            let inner = String(rest[open.upperBound..<close.lowerBound]).trimmingCharacters(in: .whitespaces)
            output += resolve(reference(inner)) ?? String(written)
            rest = rest[close.upperBound...]
        }
        return output + rest
    }
}

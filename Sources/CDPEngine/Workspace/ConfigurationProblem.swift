import CDPCore
import Foundation

/// One problem of a configuration file, where it is: file, line and column (when the file's text gives
/// them), the setting's path and what is wrong. Printed as compilers print theirs, so an editor can jump to it:
/// `governance/rules.toml:118:1: rules[29].min: must be a number, found a string ("five")`.
public struct ConfigurationProblem: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var position: SourcePosition?
    public var issue: ConfigurationIssue

    public init(file: String, position: SourcePosition? = nil, _ issue: ConfigurationIssue) {
        self.file = file
        self.position = position
        self.issue = issue
    }

    public var description: String {
        let place = position.map { "\(file):\($0.line):\($0.column)" } ?? file
        return "\(place): \(issue)"
    }
}

extension EngineError {
    /// The error for configuration problems of one or more files: every problem, in file order, then by line.
    public static func configuration(_ problems: [ConfigurationProblem]) -> EngineError {
        var files: [String] = []
        for problem in problems where !files.contains(problem.file) { files.append(problem.file) }
        let names = files.map { URL(fileURLWithPath: $0).lastPathComponent }
        let place = names.count <= 1 ? (names.first ?? "the configuration") : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
        let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
        var error = EngineError(
            .invalidConfiguration,
            "the configuration has \(count) in \(place); nothing was done. Fix \(problems.count == 1 ? "it" : "each") (`cdp check` lists them again):",
            details: problems.map(\.description))
        error.problems = problems
        return error
    }
}

/// Problems found in configuration files, gathered file by file so every file is reported at once.
struct ConfigurationProblems {
    private(set) var all: [ConfigurationProblem] = []

    var isEmpty: Bool { all.isEmpty }

    /// Runs a loader; its configuration problems are kept and nil returned, any other error is thrown.
    mutating func collect<T>(_ body: () throws(EngineError) -> T) throws(EngineError) -> T? {
        do {
            return try body()
        } catch let error where error.code == .invalidConfiguration && !error.problems.isEmpty {
            all += error.problems
            return nil
        }
    }

    func check() throws(EngineError) {
        if !all.isEmpty { throw EngineError.configuration(all) }
    }
}

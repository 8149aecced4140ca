import CDPCore
import CDPRepositories

/// Every failure the engine reports: what failed, where (file, line, field), and what to do next.
/// `code` maps to a distinct exit code in the CLI.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// A configuration file is invalid; nothing ran.
        case invalidConfiguration = "invalid_configuration"
        /// The workspace folder is missing or incomplete.
        case workspace
        /// A source file cannot be read or does not match its mapping.
        case input
        /// A fatal rule failed; the run stopped before writing.
        case fatalRule = "fatal_rule"
        case notFound = "not_found"
        /// The action is not allowed in the record's current state (e.g. releasing a failing record).
        case refused
        /// The lake's invariants do not hold.
        case verification
        case store
        /// A workflow run failed.
        case runFailed = "run_failed"
        /// The user's role lacks the permission the action needs (`governance/access.toml`).
        case forbidden
        /// A data dictionary edit or import fails validation (unknown owner or rule, …); nothing was saved.
        case invalidEntry = "invalid_entry"
        /// Another run holds the workspace's lake (one run at a time); `cdp run --wait` queues behind it.
        case busy
        /// The user stopped it before it finished (a bulk preview being worked out); nothing changed.
        case cancelled
        /// Someone else holds the record or pair (a claim or an assignment); confirm to take it over.
        case held
    }

    public var code: Code
    public var message: String
    /// Each problem, when there are several (a configuration is reported whole).
    public var details: [String]
    /// For `.invalidConfiguration`: each problem with its file, line and setting (`details` has them as text).
    public var problems: [ConfigurationProblem] = []
    /// The error this one reports, kept whole: a `StoreError`, or a team store's `PostgresStoreError` with
    /// PostgreSQL's SQLSTATE and message and the driver's error under it.
    public var cause: (any Error)?

    public init(_ code: Code, _ message: String, details: [String] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String {
        ([message] + details.map { "  - \($0)" }).joined(separator: "\n")
    }

    public static func store(_ error: StoreError) -> EngineError {
        let code: Code
        switch error.code {
        case .notFound: code = .notFound
        case .conflict: code = .refused
        case .notAuthorized: code = .forbidden
        case .cannotOpen, .io, .database, .readOnly, .schemaOutdated, .interrupted: code = .store
        case .unsupported: code = .refused
        }
        var engineError = EngineError(code, error.description)
        engineError.cause = error
        return engineError
    }
}

/// Runs a store call, turning its error into an engine error.
@inline(__always) @discardableResult
public func storeCall<T>(_ body: () throws(StoreError) -> T) throws(EngineError) -> T {
    do { return try body() } catch { throw EngineError.store(error) }
}

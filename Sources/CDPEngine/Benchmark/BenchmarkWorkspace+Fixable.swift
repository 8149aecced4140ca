import CDPCore
import CDPRepositories
import Foundation

extension BenchmarkWorkspace {
    /// The fix by pattern that makes the records of ``landFixableCustomers(_:in:log:)`` pass: ` at ` → `@` in the e-mail.
    public static let fixablePattern = BulkChange.replace(field: "email", pattern: " at ", replacement: "@")

    /// The held records of `workspace` the fix by pattern (``fixablePattern``) applies to: open, failing `email_format`,
    /// with ` at ` in the e-mail (the generator writes some of those itself).
    public static func fixableCount(in workspace: Workspace, environment: Environment) throws(EngineError) -> Int {
        try QuarantineService(workspace: workspace, environment: environment)
            .plan(fixablePattern, filter: QuarantineFilter(rule: "email_format", statuses: [.open])).ids.count
    }

    /// Lands `count` more CRM customers whose one problem is an e-mail written with " at " for "@" (so ``fixablePattern``
    /// makes them pass) in a file of their own beside the source's, and ingests it. Not timed: the bulk-release
    /// benchmark needs that many fixable held records whatever mix of problems the generator wrote.
    /// - Throws: `.input` when the file cannot be written; `EngineError` when the ingest fails.
    public static func landFixableCustomers(_ count: Int, in workspace: Workspace, log: (String) -> Void = { _ in }) throws(EngineError) {
        guard count > 0 else { return }
        let source = try workspace.source("crm_customers")
        let path = workspace.root.appendingPathComponent(source.path.replacingOccurrences(of: "*", with: "-fixable-\(UUID().uuidString.prefix(8))"))
        var columns = [source.primaryKey]
        for column in source.mapping.values.sorted() where !columns.contains(column) { columns.append(column) }
        let email = columns.firstIndex(of: source.mapping["email"] ?? "email")
        let last = columns.firstIndex(of: source.mapping["last_name"] ?? "last_name")
        let first = columns.firstIndex(of: source.mapping["first_name"] ?? "first_name")
        var text = columns.joined(separator: source.delimiter) + "\n"
        text.reserveCapacity(count * 64)
        for index in 1...count {
            var row = Array(repeating: "", count: columns.count)
            row[0] = "FIX\(index)"
            if let first { row[first] = "Fix" }
            // A name with digits is no name once standardised: the index spelt in letters keeps each one plain.
            if let last { row[last] = "Able" + String(index).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0.wholeNumberValue ?? 0))) } }
            if let email { row[email] = "fix.able\(index) at example.com" }
            text += row.joined(separator: source.delimiter) + "\n"
        }
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: path, atomically: true, encoding: .utf8)
        } catch {
            throw EngineError(.input, "cannot write \(path.path) for the benchmark: \(error.localizedDescription)")
        }
        log("landing \(count) customers with a fixable e-mail (not timed)…")
        _ = try SourceIngestor(workspace: workspace, source: source, environment: try environment(for: workspace), run: nil).ingest()
    }
}

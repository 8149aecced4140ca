import CDPCore
import Foundation

/// A workspace of generated CRM customers, ingested (untimed), that benchmarks run against.
public enum BenchmarkWorkspace {
    /// Returns `folder/workspace`, creating it when absent: generates `customers` CRM customers and ingests them.
    /// - Throws: `EngineError` when generating or ingesting fails.
    public static func prepare(customers: Int, seed: UInt64 = 7, in folder: URL, log: (String) -> Void = { _ in }) throws(EngineError) -> Workspace {
        let workspaceFolder = folder.appendingPathComponent("workspace")
        if FileManager.default.fileExists(atPath: workspaceFolder.appendingPathComponent("lake/lake.sqlite").path) {
            log("reusing \(workspaceFolder.path)")
            return try Workspace(at: workspaceFolder.path)
        }
        let data = folder.appendingPathComponent("data")
        try generateCustomers(customers, seed: seed, into: data, log: log)
        try WorkspaceInitializer.initialize(at: workspaceFolder.path, from: data.path, administrator: "bench")
        let workspace = try Workspace(at: workspaceFolder.path)
        log("ingesting (not timed)…")
        _ = try SourceIngestor(workspace: workspace, source: try workspace.source("crm_customers"), environment: .live(user: "bench"), run: nil).ingest()
        return workspace
    }

    /// Writes `customers` generated CRM customers (and nothing else) into `folder`.
    public static func generateCustomers(_ customers: Int, seed: UInt64, into folder: URL, log: (String) -> Void) throws(EngineError) {
        var options = GeneratorOptions(customers: customers, seed: seed)
        options.include = [.customers]
        log("generating \(customers) customers (not timed)…")
        do {
            _ = try SampleDataGenerator(options: options).write(to: folder)
        } catch {
            throw EngineError(.input, "cannot generate benchmark data in \(folder.path): \(error)")
        }
    }
}

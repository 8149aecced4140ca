import CDPCore
import CDPPostgresStore
import CDPRepositories
import Foundation

/// A workspace of generated CRM customers, ingested (untimed), that benchmarks run against.
public enum BenchmarkWorkspace {
    /// Returns `folder/workspace`, creating it when absent: generates `customers` CRM customers and ingests them,
    /// into the embedded lake or, with `store`, into that team store.
    /// - Throws: `EngineError` when generating or ingesting fails, or `.refused` for a store that holds a lake already.
    public static func prepare(
        customers: Int, seed: UInt64 = 7, in folder: URL, store: String? = nil, log: (String) -> Void = { _ in }
    ) throws(EngineError) -> Workspace {
        let workspaceFolder = folder.appendingPathComponent("workspace")
        if let workspace = try reusable(
            workspaceFolder, log: log,
            holdsWhatIsNeeded: { workspace throws(EngineError) in
                try !storeCall { () throws(StoreError) in try workspace.repositories.batches.batches(source: SourceName("crm_customers")) }
                    .isEmpty
            })
        {
            return workspace
        }
        try requireNoLake(on: store)
        let data = folder.appendingPathComponent("data")
        try generateCustomers(customers, seed: seed, into: data, log: log)
        let workspace = try initialize(at: workspaceFolder, from: data, store: store)
        log("ingesting (not timed)…")
        _ = try SourceIngestor(
            workspace: workspace, source: try workspace.source("crm_customers"), environment: try environment(for: workspace), run: nil
        ).ingest()
        return workspace
    }

    /// Who a benchmark acts as: `bench`, the administrator of the embedded lake it made, or on a team store the login
    /// role (which the database knows by no other name, and which made the store's access file).
    public static func environment(for workspace: Workspace) throws(EngineError) -> Environment {
        guard workspace.configuration.storeAddress != nil else { return .live(user: "bench") }
        return try workspace.session(actingAs: nil)
    }

    /// The workspace a run before left in `folder`, when its lake (embedded or on its team store) holds what the
    /// benchmark needs; nil otherwise. Refused unless all of it is the caller's own (``BenchmarkScratch``).
    static func reusable(
        _ folder: URL, log: (String) -> Void, holdsWhatIsNeeded: (Workspace) throws(EngineError) -> Bool
    ) throws(EngineError) -> Workspace? {
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(Workspace.configurationFileName).path) else {
            return nil
        }
        try BenchmarkScratch.requireOwnWorkspace(folder)
        let workspace = try Workspace(at: folder.path)
        guard try holdsWhatIsNeeded(workspace) else { return nil }
        log("reusing \(folder.path)" + (workspace.configuration.storeAddress.map { " on the team store \($0)" } ?? ""))
        return workspace
    }

    /// Refuses a team store that holds a lake already: a benchmark's rows would mix with it. Nothing to check for the
    /// embedded lake (nil), which a benchmark makes in a folder of its own.
    /// - Throws: `.refused` naming how many batches the store holds; `.store` when it cannot be reached.
    static func requireNoLake(on store: String?) throws(EngineError) {
        guard let store else { return }
        let osUser = OSIdentity.current.user
        let held = try Workspace.teamStore { () async throws(PostgresStoreError) -> Int in
            let settings = try PostgresSettings.parse(store, environment: ProcessInfo.processInfo.environment, osUser: osUser)
            let session = try await PostgresSession.connect(settings, applicationName: "cdp bench")
            do throws(PostgresStoreError) {
                try await PostgresTeamStore.install(session)
                let held = try await PostgresTeamStore.batchCount(session)
                await session.close()
                return held
            } catch {
                await session.close()
                throw error
            }
        }
        guard held == 0 else {
            throw EngineError(
                .refused,
                "the team store \(store) holds \(held) batches of a lake already; a benchmark builds its own lake, so give it an "
                    + "empty database of its own (or the --scratch folder of the run that built this one, to reuse it)")
        }
    }

    /// A fresh workspace in `folder` over the files in `data`: its lake embedded, or on the team store `store`
    /// (checked first with ``requireNoLake(on:)``).
    /// - Throws: what initialising throws.
    static func initialize(at folder: URL, from data: URL, store: String?) throws(EngineError) -> Workspace {
        try? FileManager.default.removeItem(at: folder)
        if let store {
            _ = try WorkspaceInitializer.initialize(at: folder.path, from: data.path, store: store)
        } else {
            try WorkspaceInitializer.initialize(at: folder.path, from: data.path, administrator: "bench")
        }
        return try Workspace(at: folder.path)
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

import CDPCore
import CDPPostgresStore
import CDPRepositories
import Foundation

/// `cdp bench ingest`: every source generated for N customers (CRM customers and orders, marketing contacts,
/// campaigns and campaign events) through parse + standardise + validate + persist, timed, in the order the
/// workspace declares them (an event's contact must be ingested before the event is checked).
public struct IngestBenchmark: Sendable {
    public var customers: Int
    public var seed: UInt64
    public var repetitions: Int
    /// Where generated data and workspaces go (removed afterwards).
    public var scratch: URL
    /// Whether to time each phase (parse, standardise, validate, write, …); costs a little speed.
    public var profilesPhases = false
    /// Only these sources (names from cdp.toml); empty for all. The data of the others is not generated.
    public var sources: [String] = []
    /// A team store to ingest into instead of the embedded lake (`cdp bench ingest --store`). It must hold no batch:
    /// each run's rows are removed from it after the run (untimed), so the next starts as empty.
    public var store: String?

    public init(customers: Int, seed: UInt64 = 7, repetitions: Int = 3, scratch: URL) {
        self.customers = customers
        self.seed = seed
        self.repetitions = repetitions
        self.scratch = scratch
    }

    public struct Result: Sendable, Codable {
        public var customers: Int
        /// Source records read, all sources.
        public var rows: Int
        public var seconds: [Double]
        /// CPU seconds (user + system, all threads) of each run. On a shared machine wall-clock time
        /// mostly measures the neighbours; CPU time per record is the steadier figure.
        public var cpuSeconds: [Double]
        public var medianSeconds: Double
        public var recordsPerSecond: Double
        public var peakMemoryMegabytes: Double
        public var toSilver: Int
        public var quarantined: Int
        /// Each source in the median run.
        public var perSource: [Source]

        public struct Source: Sendable, Codable {
            public var source: String
            public var rows: Int
            public var seconds: Double
            public var recordsPerSecond: Double
            public var cpuMicrosecondsPerRecord: Double
            /// Seconds per phase, when phases were timed.
            public var phases: [Phase]?
        }

        public struct Phase: Sendable, Codable {
            public var phase: String
            public var seconds: Double
            public var microsecondsPerRow: Double
        }
    }

    /// Which generated files hold the data of `sources` (all files when empty): those the sources' path
    /// patterns match.
    static func files(for sources: [String], in configuration: WorkspaceConfiguration) -> Set<GeneratedFile> {
        guard !sources.isEmpty else { return Set(GeneratedFile.allCases).subtracting([.truth]) }
        return Set(GeneratedFile.allCases.filter { file in
            configuration.sources.contains { sources.contains($0.name.rawValue) && fnmatch($0.path, file.relativePath, 0) == 0 }
        })
    }

    /// The sources of the workspace template `cdp init` writes.
    static func templateConfiguration() throws(EngineError) -> WorkspaceConfiguration {
        guard let file = WorkspaceInitializer.templateFolder?.appendingPathComponent(Workspace.configurationFileName),
            let text = try? String(contentsOf: file, encoding: .utf8)
        else { throw EngineError(.workspace, "the workspace template is missing from this build; rebuild cdp") }
        return try ConfigurationLoader.workspace(tomlText: text, file: file.path)
    }

    public func run(log: (String) -> Void) throws(EngineError) -> Result {
        let data = scratch.appendingPathComponent("data")
        let template = try Self.templateConfiguration()
        if let unknown = sources.first(where: { name in !template.sources.contains { $0.name.rawValue == name } }) {
            throw EngineError(
                .notFound, "no source '\(unknown)' in the workspace template; sources: \(template.sources.map(\.name.rawValue).joined(separator: ", "))")
        }
        // The store's run lock, held from the first look at the store to the last emptying: a run of anyone else is
        // refused meanwhile, and the bench refuses to start (or empty anything) while a run holds it.
        let lockHolder = try store.map { store throws(EngineError) in try Self.holdRunLock(of: store) }
        defer {
            if let lockHolder {
                _ = try? Workspace.teamStore { () async throws(PostgresStoreError) in
                    try? await PostgresTeamStore.releaseRunLockAsOwner(lockHolder)
                    await lockHolder.close()
                }
            }
        }
        if let store, let lockHolder {
            let held = try Workspace.teamStore { () async throws(PostgresStoreError) in try await PostgresTeamStore.batchCount(lockHolder) }
            guard held == 0 else {
                throw EngineError(
                    .refused,
                    "the team store \(store) holds \(held) batches; `cdp bench ingest --store` empties what it writes after each run, "
                        + "so it only writes into a store that holds none: give it an empty database of its own")
            }
        }
        var options = GeneratorOptions(customers: customers, seed: seed)
        options.include = Self.files(for: sources, in: template)
        log("generating the sources of \(customers) customers (not timed)…")
        do {
            _ = try SampleDataGenerator(options: options).write(to: data)
        } catch {
            throw EngineError(.input, "cannot generate benchmark data in \(data.path): \(error)")
        }
        var seconds: [Double] = []
        var cpuSeconds: [Double] = []
        var runs: [(total: IngestSummary, perSource: [Result.Source])] = []
        for repetition in 1...max(1, repetitions) {
            let folder = scratch.appendingPathComponent("workspace-\(repetition)")
            try? FileManager.default.removeItem(at: folder)
            if let store {
                _ = try WorkspaceInitializer.initialize(at: folder.path, from: data.path, store: store)
            } else {
                try WorkspaceInitializer.initialize(at: folder.path, from: data.path, administrator: "bench")
            }
            let workspace = try Workspace(at: folder.path)
            var total = IngestSummary(source: "all")
            var perSource: [Result.Source] = []
            var elapsed = 0.0
            var cpu = 0.0
            for source in workspace.configuration.sources where sources.isEmpty || sources.contains(source.name.rawValue) {
                var ingestor = SourceIngestor(workspace: workspace, source: source, environment: .live(user: "bench"), run: nil)
                let profile = profilesPhases ? IngestProfile() : nil
                ingestor.profile = profile
                let started = DispatchTime.now().uptimeNanoseconds
                let cpuStarted = Self.processCPUSeconds()
                let summary = try ingestor.ingest()
                let sourceSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                let sourceCPU = Self.processCPUSeconds() - cpuStarted
                elapsed += sourceSeconds
                cpu += sourceCPU
                let rows = max(1, summary.counts.read)
                total.counts.read += summary.counts.read
                total.counts.silver += summary.counts.silver
                total.counts.quarantined += summary.counts.quarantined
                perSource.append(Result.Source(
                    source: source.name.rawValue, rows: summary.counts.read, seconds: sourceSeconds,
                    recordsPerSecond: Double(summary.counts.read) / sourceSeconds, cpuMicrosecondsPerRecord: sourceCPU * 1e6 / Double(rows),
                    phases: profile.map { profile in
                        profile.seconds.map {
                            Result.Phase(phase: $0.phase.rawValue, seconds: $0.seconds, microsecondsPerRow: $0.seconds * 1e6 / Double(rows))
                        }
                    }))
            }
            seconds.append(elapsed)
            cpuSeconds.append(cpu)
            runs.append((total, perSource))
            log(String(
                format: "  run %d: %.2f s, %.0f records/s · CPU %.2f s (%.2f µs/record, %.1f cores busy)", repetition, elapsed,
                Double(total.counts.read) / elapsed, cpu, cpu * 1e6 / Double(max(1, total.counts.read)), cpu / elapsed))
            try? FileManager.default.removeItem(at: folder)
            if let lockHolder {
                try Workspace.teamStore { () async throws(PostgresStoreError) in try await PostgresTeamStore.clearIngestedRows(lockHolder) }
            }
        }
        let median = seconds.sorted()[seconds.count / 2]
        let medianRun = runs[seconds.firstIndex(of: median) ?? 0]
        return Result(
            customers: customers, rows: medianRun.total.counts.read, seconds: seconds, cpuSeconds: cpuSeconds, medianSeconds: median,
            recordsPerSecond: Double(medianRun.total.counts.read) / median, peakMemoryMegabytes: Self.peakMemoryMegabytes(),
            toSilver: medianRun.total.counts.silver, quarantined: medianRun.total.counts.quarantined, perSource: medianRun.perSource)
    }

    /// A session of the team store at `address` (its schema installed or upgraded) holding the store's run lock as
    /// its owner.
    /// - Throws: `EngineError` from the store's `.busy` naming who holds the lock, or its refusal of a role that
    ///   is not the store's owner.
    static func holdRunLock(of address: String) throws(EngineError) -> PostgresSession {
        let osUser = OSIdentity.current.user
        return try Workspace.teamStore { () async throws(PostgresStoreError) -> PostgresSession in
            let settings = try PostgresSettings.parse(address, environment: ProcessInfo.processInfo.environment, osUser: osUser)
            let session = try await PostgresSession.connect(settings)
            do throws(PostgresStoreError) {
                try await PostgresTeamStore.install(session)
                try await PostgresTeamStore.takeRunLockAsOwner(session, doing: "benchmark an ingest into the team store")
                return session
            } catch {
                await session.close()
                throw error
            }
        }
    }

    /// User and system CPU time of the whole process so far.
    static func processCPUSeconds() -> Double { ProcessTreeMeter.cpuSeconds(RUSAGE_SELF.rawValue) }

    /// The process's peak resident memory so far.
    public static func peakMemoryMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

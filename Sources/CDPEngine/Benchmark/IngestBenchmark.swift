import CDPCore
import CDPStore
import Foundation

/// `cdp bench ingest`: generated CRM customers through parse + standardise + validate + persist, timed.
public struct IngestBenchmark: Sendable {
    public var customers: Int
    public var seed: UInt64
    public var repetitions: Int
    /// Where generated data and workspaces go (removed afterwards).
    public var scratch: URL
    /// Whether to time each phase (parse, standardise, validate, write, …); costs a little speed.
    public var profilesPhases = false

    public init(customers: Int, seed: UInt64 = 7, repetitions: Int = 3, scratch: URL) {
        self.customers = customers
        self.seed = seed
        self.repetitions = repetitions
        self.scratch = scratch
    }

    public struct Result: Sendable, Codable {
        public var customers: Int
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
        /// Seconds per phase in the median run, when phases were timed.
        public var phases: [Phase]?

        public struct Phase: Sendable, Codable {
            public var phase: String
            public var seconds: Double
            public var microsecondsPerRow: Double
        }
    }

    public func run(log: (String) -> Void) throws(EngineError) -> Result {
        let data = scratch.appendingPathComponent("data")
        try BenchmarkWorkspace.generateCustomers(customers, seed: seed, into: data, log: log)
        var seconds: [Double] = []
        var cpuSeconds: [Double] = []
        var last = IngestSummary(source: "crm_customers")
        var profiles: [IngestProfile] = []
        for repetition in 1...max(1, repetitions) {
            let folder = scratch.appendingPathComponent("workspace-\(repetition)")
            try? FileManager.default.removeItem(at: folder)
            try WorkspaceInitializer.initialize(at: folder.path, from: data.path, administrator: "bench")
            let workspace = try Workspace(at: folder.path)
            let source = try workspace.source("crm_customers")
            var ingestor = SourceIngestor(workspace: workspace, source: source, environment: .live(user: "bench"), run: nil)
            if profilesPhases {
                ingestor.profile = IngestProfile()
                profiles.append(ingestor.profile!)
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let cpuStarted = Self.processCPUSeconds()
            last = try ingestor.ingest()
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let cpu = Self.processCPUSeconds() - cpuStarted
            seconds.append(elapsed)
            cpuSeconds.append(cpu)
            log(String(
                format: "  run %d: %.2f s, %.0f records/s · CPU %.2f s (%.2f µs/record, %.1f cores busy)", repetition, elapsed,
                Double(last.counts.read) / elapsed, cpu, cpu * 1e6 / Double(max(1, last.counts.read)), cpu / elapsed))
            try? FileManager.default.removeItem(at: folder)
        }
        let median = seconds.sorted()[seconds.count / 2]
        let medianRun = seconds.firstIndex(of: median) ?? 0
        let rows = max(1, last.counts.read)
        let phases = profiles.isEmpty ? nil : profiles[medianRun].seconds.map {
            Result.Phase(phase: $0.phase.rawValue, seconds: $0.seconds, microsecondsPerRow: $0.seconds * 1e6 / Double(rows))
        }
        return Result(
            customers: customers, rows: last.counts.read, seconds: seconds, cpuSeconds: cpuSeconds, medianSeconds: median,
            recordsPerSecond: Double(last.counts.read) / median, peakMemoryMegabytes: Self.peakMemoryMegabytes(),
            toSilver: last.counts.silver, quarantined: last.counts.quarantined, phases: phases)
    }

    /// User and system CPU time of the whole process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// The process's peak resident memory so far.
    public static func peakMemoryMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

import CDPCore
import CDPRepositories
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `cdp bench match`: generated CRM customers and marketing contacts, ingested (not timed), then matched
/// (timed per phase) and evaluated against the generator's truth.
public struct MatchBenchmark: Sendable {
    public var customers: Int
    public var seed: UInt64
    public var repetitions: Int
    /// Where the generated data and workspace go; a workspace already there is reused.
    public var scratch: URL
    public var persist: Bool

    public init(customers: Int, seed: UInt64 = 7, repetitions: Int = 3, scratch: URL, persist: Bool = false) {
        self.customers = customers
        self.seed = seed
        self.repetitions = repetitions
        self.scratch = scratch
        self.persist = persist
    }

    public struct Result: Sendable, Codable {
        public var customers: Int
        public var records: Int
        /// Each repetition's in-memory match seconds (stitch to golden records: neither the lake's read nor its write).
        public var seconds: [Double]
        /// The median repetition's split: in-memory match, load and persist.
        public var median: PhaseTotals
        /// The median repetition's statistics, phases included.
        public var statistics: MatchPipeline.Statistics
        /// The highest resident memory of any phase of any repetition (each phase's own is in `statistics.phases`).
        public var peakMemoryMegabytes: Double
        public var evaluation: MatchEvaluation?
        /// Review-queue pairs that are true matches (with a truth table).
        public var reviewTrueMatches: Int?
        /// The review queue's most common explanation keys, with how many of each are true matches.
        public var reviewByKey: [MatchService.KeyTally]?
        /// The true pairs blocking never reached, by the explanation key they would have had.
        public var missedByKey: [MatchService.KeyTally]?
        /// Pairs merged that the truth keeps apart, by explanation key.
        public var falseMergesByKey: [MatchService.KeyTally]?
        /// Where recall went: every true pair not put in one cluster, by cause or stage.
        public var lostPairs: MatchService.LostPairs?
        public var model: FellegiSunterModel
    }

    /// A run's seconds split three ways, so the matcher's own work is quoted apart from the lake's I/O.
    public struct PhaseTotals: Sendable, Codable, Equatable {
        /// Reading silver customers, decisions, overrides and previous golden ids.
        public var load: Double
        /// Every phase between loading and persisting: stitch, blocking, scoring, EM, clustering, golden records.
        public var match: Double
        /// Writing candidates, golden records and cross-references (zero without `--persist`).
        public var persist: Double

        /// The phases that only measure a run against the truth: no part of a match outside a benchmark.
        static let evaluationPhases: Set<String> = [MatchPipeline.evaluationPhase, MatchService.evaluationPhase]

        public init(_ phases: [MatchPipeline.Statistics.Phase]) {
            load = phases.filter { $0.name == "load" }.reduce(0) { $0 + $1.seconds }
            persist = phases.filter { $0.name == "persist" }.reduce(0) { $0 + $1.seconds }
            match = phases.filter { $0.name != "load" && $0.name != "persist" && !Self.evaluationPhases.contains($0.name) }
                .reduce(0) { $0 + $1.seconds }
        }
    }

    public func run(log: (String) -> Void) throws(EngineError) -> Result {
        let workspace = try prepare(log: log)
        let truthFile = workspace.root.appendingPathComponent("truth/entities.csv")
        let truth = FileManager.default.fileExists(atPath: truthFile.path) ? try TruthTable(contentsOf: truthFile) : nil
        let service = MatchService(workspace: workspace, environment: .live(user: "bench"))
        // Generating and ingesting are not what is measured: give back what they freed, then start the peak from here.
        PeakMemory.releaseFreedMemory()
        PeakMemory.reset()
        var reports: [MatchService.Report] = []
        for repetition in 1...max(1, repetitions) {
            let report = try service.run(persist: persist, truth: truth, peakMemory: PeakMemory.sinceLastAsked)
            let totals = PhaseTotals(report.statistics.phases)
            let phases = report.statistics.phases.map { String(format: "%@ %.2f", $0.name, $0.seconds) }.joined(separator: ", ")
            log(String(format: "  run %d: match %.2f s (%@)", repetition, totals.match, phases))
            reports.append(report)
        }
        func matchSeconds(_ report: MatchService.Report) -> Double { PhaseTotals(report.statistics.phases).match }
        let median = reports.sorted { matchSeconds($0) < matchSeconds($1) }[reports.count / 2]
        return Result(
            customers: customers, records: median.statistics.records, seconds: reports.map(matchSeconds),
            median: PhaseTotals(median.statistics.phases), statistics: median.statistics,
            peakMemoryMegabytes: Self.peak(of: reports.map(\.statistics.phases), since: PeakMemory.megabytes()),
            evaluation: median.evaluation, reviewTrueMatches: median.reviewTrueMatches,
            reviewByKey: median.reviewByKey, missedByKey: median.missedByKey, falseMergesByKey: median.falseMergesByKey, lostPairs: median.lostPairs,
            model: median.model)
    }

    /// The highest of every phase's peak and the peak since the last phase ended.
    static func peak(of runs: [[MatchPipeline.Statistics.Phase]], since lastPhase: Double) -> Double {
        runs.joined().compactMap(\.peakMegabytes).reduce(lastPhase, max)
    }

    /// Generates customers, contacts and truth, and ingests both customer sources, unless already done.
    func prepare(log: (String) -> Void) throws(EngineError) -> Workspace {
        let folder = scratch.appendingPathComponent("workspace")
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent("lake/lake.sqlite").path) {
            try BenchmarkScratch.requireOwnWorkspace(folder)
            log("reusing \(folder.path)")
            return try Workspace(at: folder.path)
        }
        let data = scratch.appendingPathComponent("data")
        var options = GeneratorOptions(customers: customers, seed: seed)
        options.include = [.customers, .contacts, .truth]
        log("generating \(customers) customers with their marketing contacts (not timed)…")
        do {
            _ = try SampleDataGenerator(options: options).write(to: data)
        } catch {
            throw EngineError(.input, "cannot generate benchmark data in \(data.path): \(error)")
        }
        try WorkspaceInitializer.initialize(at: folder.path, from: data.path, administrator: "bench")
        let workspace = try Workspace(at: folder.path)
        log("ingesting (not timed)…")
        for source in ["crm_customers", "marketing_contacts"] {
            _ = try SourceIngestor(workspace: workspace, source: try workspace.source(SourceName(source)), environment: .live(user: "bench"), run: nil)
                .ingest()
        }
        try? FileManager.default.removeItem(at: data)
        return workspace
    }
}

/// The process's peak resident memory, resettable on Linux (`/proc/self/clear_refs`), so a benchmark can
/// leave its untimed preparation out of the figure.
enum PeakMemory {
    static func reset() {
        try? Data("5".utf8).write(to: URL(fileURLWithPath: "/proc/self/clear_refs"))
    }

    /// The peak since the last reset, then a reset: each phase's own peak.
    @Sendable static func sinceLastAsked() -> Double? {
        defer { reset() }
        return megabytes()
    }

    /// Returns memory the allocator holds freed to the system, so what an earlier stage freed (the generator's and
    /// the ingest's buffers) is not counted in a later stage's resident memory.
    static func releaseFreedMemory() {
        #if canImport(Glibc)
            // glibc's malloc_trim, looked up because Swift's Glibc module leaves malloc.h out.
            typealias Trim = @convention(c) (Int) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
            _ = unsafeBitCast(symbol, to: Trim.self)(0)
        #endif
    }

    /// VmHWM from `/proc/self/status` when readable, else getrusage's lifetime peak.
    static func megabytes() -> Double {
        if let kilobytes = ProcessTreeMeter.kilobytes(of: "VmHWM", in: "/proc/self/status") { return Double(kilobytes) / 1024 }
        return IngestBenchmark.peakMemoryMegabytes()
    }
}

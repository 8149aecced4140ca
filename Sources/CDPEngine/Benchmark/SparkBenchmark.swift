import CDPCore
import Foundation

/// `cdp bench spark`: the same generated sources through the embedded engine and through `cdp spark run`, at
/// several sizes, with the wall time, CPU time and peak memory of each side's whole process tree, and how each
/// grows with the number of customers.
///
/// Both sides do the same work: every source ingested (landed, standardised, checked into silver or quarantine),
/// then the customers matched. The embedded side is `cdp run --step ingest --source S` per source and
/// `cdp run --step match`, each a child process; the Spark side is one `cdp spark run`. Nothing is timed in this
/// process, so neither side pays for the other's memory.
public struct SparkBenchmark: Sendable {
    /// Customer counts to run, smallest first.
    public var sizes: [Int]
    public var seed: UInt64
    /// Where the generated data, the two workspaces and the logs go (one folder per size, removed after it).
    public var scratch: URL
    /// The `cdp` both sides run.
    public var cdp: URL
    public var sparkSubmit: String
    public var master: String
    /// Spark settings `cdp spark run --conf` passes on.
    public var settings: [String]
    /// Keep each size's folder (data, workspaces, logs) instead of removing it.
    public var keepFiles: Bool

    public init(
        sizes: [Int], seed: UInt64 = 7, scratch: URL, cdp: URL, sparkSubmit: String, master: String = "local[2]", settings: [String] = [],
        keepFiles: Bool = false
    ) {
        self.sizes = sizes.sorted()
        self.seed = seed
        self.scratch = scratch
        self.cdp = cdp
        self.sparkSubmit = sparkSubmit
        self.master = master
        self.settings = settings
        self.keepFiles = keepFiles
    }

    /// One size's figures.
    public struct Size: Codable, Sendable {
        public var customers: Int
        /// Rows of every generated source file (what both sides read).
        public var sourceRecords: Int
        public var embedded: ProcessTreeMeter.Measurement
        public var spark: ProcessTreeMeter.Measurement
    }

    /// How one side grows with N, fitted as N^k over the sizes run, and where its memory would run out.
    public struct Growth: Codable, Sendable {
        public var engine: String
        /// k of wall time ∝ N^k (nil with fewer than two sizes).
        public var timeExponent: Double?
        /// k of peak memory ∝ N^k (nil with fewer than two sizes).
        public var memoryExponent: Double?
        /// The customer count at which the fitted peak memory reaches the machine's memory (nil when memory does
        /// not grow measurably).
        public var memoryCeilingCustomers: Int?
    }

    public struct Result: Codable, Sendable {
        public var master: String
        public var machineMemoryMegabytes: Double
        public var sizes: [Size]
        public var growth: [Growth]
    }

    /// Runs every size and fits the growth.
    /// - Throws: `EngineError` when generating, a workspace or either side fails (naming the side's log).
    public func run(log: (String) -> Void) throws(EngineError) -> Result {
        var results: [Size] = []
        for customers in sizes {
            results.append(try run(customers: customers, log: log))
        }
        let memory = Self.machineMemoryMegabytes()
        let growth = [
            Self.growth(engine: "embedded", results.map { ($0.customers, $0.embedded) }, machineMemoryMegabytes: memory),
            Self.growth(engine: "spark", results.map { ($0.customers, $0.spark) }, machineMemoryMegabytes: memory),
        ]
        return Result(master: master, machineMemoryMegabytes: memory, sizes: results, growth: growth)
    }

    func run(customers: Int, log: (String) -> Void) throws(EngineError) -> Size {
        let folder = scratch.appendingPathComponent("\(customers)")
        defer { if !keepFiles { try? FileManager.default.removeItem(at: folder) } }
        try? FileManager.default.removeItem(at: folder)
        let data = folder.appendingPathComponent("data")
        log("\(customers) customers: generating every source (not timed)…")
        let summary: GenerationSummary
        do {
            summary = try SampleDataGenerator(options: GeneratorOptions(customers: customers, seed: seed)).write(to: data)
        } catch {
            throw EngineError(.input, "cannot generate benchmark data in \(data.path): \(error)")
        }
        let records = summary.files.filter { $0.file != .truth }.reduce(0) { $0 + $1.rows }
        let embeddedFolder = folder.appendingPathComponent("embedded")
        let sparkFolder = folder.appendingPathComponent("spark")
        for workspace in [embeddedFolder, sparkFolder] {
            try WorkspaceInitializer.initialize(at: workspace.path, from: data.path, administrator: OSIdentity.current.user)
        }
        let meter = ProcessTreeMeter()
        let logs = folder.appendingPathComponent("logs")
        try? FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)

        log("\(customers) customers: embedded engine (every source's ingest, then match)…")
        var steps: [ProcessTreeMeter.Measurement] = []
        for source in try Workspace(at: embeddedFolder.path).configuration.sources.map(\.name.rawValue) {
            steps.append(
                try meter.measure(
                    cdp, ["run", "-w", embeddedFolder.path, "--step", "ingest", "--source", source],
                    log: logs.appendingPathComponent("embedded-ingest-\(source).log")))
        }
        steps.append(try meter.measure(cdp, ["run", "-w", embeddedFolder.path, "--step", "match"], log: logs.appendingPathComponent("embedded-match.log")))
        let embedded = ProcessTreeMeter.Measurement.sequence(steps)
        log(Self.line("  embedded", embedded))

        log("\(customers) customers: Spark on \(master)…")
        var arguments = ["spark", "run", "-w", sparkFolder.path, "--master", master, "--spark-submit", sparkSubmit]
        for setting in settings { arguments += ["--conf", setting] }
        let spark = try meter.measure(cdp, arguments, log: logs.appendingPathComponent("spark.log"))
        log(Self.line("  spark", spark))
        return Size(customers: customers, sourceRecords: records, embedded: embedded, spark: spark)
    }

    static func line(_ label: String, _ measurement: ProcessTreeMeter.Measurement) -> String {
        String(
            format: "%@: wall %.1f s, CPU %.1f s, peak %.0f MB", label, measurement.wallSeconds, measurement.cpuSeconds,
            measurement.peakMemoryMegabytes)
    }

    /// Fits time and memory as N^k (least squares on logarithms) and extrapolates memory from the largest size
    /// to the machine's memory. A fit from two or three sizes is a rough guide, and says so where it is printed.
    static func growth(
        engine: String, _ points: [(customers: Int, measurement: ProcessTreeMeter.Measurement)], machineMemoryMegabytes: Double
    ) -> Growth {
        let time = exponent(points.map { (Double($0.customers), $0.measurement.wallSeconds) })
        let memory = exponent(points.map { (Double($0.customers), $0.measurement.peakMemoryMegabytes) })
        var ceiling: Int?
        if let memory, memory > 0.05, let largest = points.max(by: { $0.customers < $1.customers }),
            largest.measurement.peakMemoryMegabytes > 0
        {
            let factor = pow(machineMemoryMegabytes / largest.measurement.peakMemoryMegabytes, 1 / memory)
            let customers = Double(largest.customers) * factor
            if customers.isFinite, customers < Double(Int.max) { ceiling = Int(customers) }
        }
        return Growth(engine: engine, timeExponent: time, memoryExponent: memory, memoryCeilingCustomers: ceiling)
    }

    /// k of y ∝ x^k by least squares on (log x, log y); nil with fewer than two distinct positive x.
    static func exponent(_ points: [(x: Double, y: Double)]) -> Double? {
        let logs = points.filter { $0.x > 0 && $0.y > 0 }.map { (log($0.x), log($0.y)) }
        guard Set(logs.map(\.0)).count >= 2 else { return nil }
        let meanX = logs.reduce(0) { $0 + $1.0 } / Double(logs.count)
        let meanY = logs.reduce(0) { $0 + $1.1 } / Double(logs.count)
        let covariance = logs.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let variance = logs.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        return covariance / variance
    }

    /// MemTotal from `/proc/meminfo`, else the physical memory Foundation reports.
    static func machineMemoryMegabytes() -> Double {
        if let kilobytes = ProcessTreeMeter.kilobytes(of: "MemTotal", in: "/proc/meminfo") { return Double(kilobytes) / 1024 }
        return Double(ProcessInfo.processInfo.physicalMemory) / 1_048_576
    }
}

import CDPCore
import CDPRepositories
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `cdp bench delta`: a generated lake of N customers run through the whole pipeline once (not timed), then runs of
/// the pipeline each after a new file per source holding 1% of its records, half of them new (an existing record
/// under a new key) and half changed (an existing key with its last field changed). Each run is timed end to end and
/// by task; gold says how many customers it wrote again.
public struct DeltaBenchmark: Sendable {
    public var customers: Int
    public var seed: UInt64
    public var repetitions: Int
    /// Where the generated workspace goes; one already there (with its gold layer) is reused.
    public var scratch: URL
    /// Share of each source's records in its delta file (half new, half changed).
    public var share: Double

    public init(customers: Int, seed: UInt64 = 7, repetitions: Int = 3, scratch: URL, share: Double = 0.01) {
        self.customers = customers
        self.seed = seed
        self.repetitions = repetitions
        self.scratch = scratch
        self.share = share
    }

    /// One delta run.
    public struct Delta: Sendable, Codable {
        public var seconds: Double
        /// The process's CPU time during the run (user and system, every thread).
        public var cpuSeconds: Double
        /// Records in the delta files, all sources.
        public var records: Int
        /// Each task's seconds, by task key.
        public var tasks: [String: Double]
        /// `customer_360` rows the gold step wrote, of how many.
        public var customersRebuilt: Int
        public var customers: Int
    }

    public struct Result: Sendable, Codable {
        public var customers: Int
        public var deltas: [Delta]
        /// The run of median wall time.
        public var median: Delta
    }

    /// The files a delta copies records from (the workspace's own inbox, as generated), and how a record of each is
    /// given a new key or changed.
    static let sources: [(path: String, json: Bool)] = [
        ("inbox/crm/customers.csv", false), ("inbox/crm/orders.csv", false), ("inbox/marketing/contacts.jsonl", true),
        ("inbox/marketing/campaigns.csv", false), ("inbox/marketing/campaign_events.csv", false),
    ]

    /// - Throws: when the workspace cannot be made, a delta file cannot be written, or a run fails.
    public func run(log: (String) -> Void) throws(EngineError) -> Result {
        let workspace = try prepare(log: log)
        let environment = try BenchmarkWorkspace.environment(for: workspace)
        let tag = "\(getpid())x\(Int(Date().timeIntervalSince1970) % 100_000)"
        var deltas: [Delta] = []
        for repetition in 1...max(repetitions, 1) {
            var records = 0
            for source in Self.sources {
                records += try writeDelta(of: source.path, json: source.json, in: workspace, tag: "\(tag)r\(repetition)", repetition: repetition)
            }
            let cpuBefore = Self.cpuSeconds()
            let started = Date()
            let summary = try WorkflowRunner(workspace: workspace, environment: environment).run(workspace.workflow())
            let seconds = Date().timeIntervalSince(started)
            let cpu = Self.cpuSeconds() - cpuBefore
            guard summary.state == .succeeded else {
                throw EngineError(.runFailed, "delta run \(summary.id) \(summary.state.rawValue): \(summary.error ?? "see `cdp runs show \(summary.id)`")")
            }
            var tasks: [String: Double] = [:]
            for task in summary.tasks { tasks[task.key.rawValue] = Double(task.durationMilliseconds ?? 0) / 1000 }
            let gold = summary.tasks.first { $0.counts["customers_rebuilt"] != nil }
            let delta = Delta(
                seconds: seconds, cpuSeconds: cpu, records: records, tasks: tasks, customersRebuilt: gold?.counts["customers_rebuilt"] ?? 0,
                customers: gold?.counts["customers"] ?? 0)
            log(String(
                format: "delta %d: %d records, %.2f s (%.2f s CPU); gold wrote %d of %d customers", repetition, records, seconds, cpu,
                delta.customersRebuilt, delta.customers))
            deltas.append(delta)
        }
        let median = deltas.sorted { $0.seconds < $1.seconds }[deltas.count / 2]
        return Result(customers: customers, deltas: deltas, median: median)
    }

    /// Writes `<name>_delta_<tag>.<ext>` beside a generated file: every hundredth record (by `share`) copied, half
    /// of them under a new key, half with their last field changed. Returns how many records it holds.
    func writeDelta(of path: String, json: Bool, in workspace: Workspace, tag: String, repetition: Int) throws(EngineError) -> Int {
        let base = workspace.root.appendingPathComponent(path)
        let ext = base.pathExtension
        let target = base.deletingPathExtension().path + "_delta_\(tag).\(ext)"
        let every = max(2, Int((1 / share).rounded()))
        var output = Data()
        var records = 0
        do {
            let handle = try FileHandle(forReadingFrom: base)
            defer { try? handle.close() }
            var index = 0
            try LineReader.forEachLine(handle) { line in
                defer { index += 1 }
                if index == 0 && !json {
                    output.append(line)
                    output.append(0x0A)
                    return
                }
                let slot = (index + 37 * repetition) % every
                guard slot == 0 || slot == every / 2, let text = String(data: line, encoding: .utf8), !text.isEmpty else { return }
                let changed = slot == 0 ? Self.changed(text, json: json) : Self.renamed(text, json: json, prefix: "D\(tag)-")
                output.append(Data(changed.utf8))
                output.append(0x0A)
                records += 1
            }
            // Written aside and moved in, so a run never reads half of it.
            let partial = base.deletingLastPathComponent().appendingPathComponent(".delta-\(tag).part")
            try output.write(to: partial)
            guard rename(partial.path, target) == 0 else { throw EngineError(.input, String(cString: strerror(errno))) }
        } catch {
            throw EngineError(.input, "cannot write the delta file \(target): \(error)")
        }
        return records
    }

    /// The record under a new key: the first field of a CSV line, `contact_id` of a JSON line.
    static func renamed(_ line: String, json: Bool, prefix: String) -> String {
        if json { return line.replacingOccurrences(of: #""contact_id":""#, with: #""contact_id":"\#(prefix)"#) }
        return prefix + line
    }

    /// The record with its last field changed (a CSV line), or its subscription turned over (a JSON line).
    static func changed(_ line: String, json: Bool) -> String {
        if json {
            return line.contains(#""subscribed":true"#)
                ? line.replacingOccurrences(of: #""subscribed":true"#, with: #""subscribed":false"#)
                : line.replacingOccurrences(of: #""subscribed":false"#, with: #""subscribed":true"#)
        }
        guard let comma = line.lastIndex(of: ",") else { return line }
        let last = line[line.index(after: comma)...]
        let replacement: String
        switch last {
        case "Y": replacement = "N"
        case "N": replacement = "Y"
        case "completed": replacement = "refunded"
        case "": replacement = "1.00"
        default: replacement = "completed"
        }
        return line[...comma] + replacement
    }

    /// The generated workspace, run through the whole pipeline once, as `cdp bench customer360` makes it (and reuses
    /// it from the same scratch folder).
    func prepare(log: (String) -> Void) throws(EngineError) -> Workspace {
        try Customer360Benchmark(customers: customers, seed: seed, searches: 0, profiles: 0, scratch: scratch).prepare(log: log)
    }

    /// CPU seconds of this process so far, every thread.
    static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Lines of a file read in large chunks (a generated events file at a million customers is hundreds of megabytes).
enum LineReader {
    static func forEachLine(_ handle: FileHandle, _ body: (Data) throws -> Void) throws {
        var pending = Data()
        while let chunk = try handle.read(upToCount: 4 << 20), !chunk.isEmpty {
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                try body(pending[start..<newline])
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])
        }
        if !pending.isEmpty { try body(pending) }
    }
}

import CDPCore
import CDPRepositories
import Foundation

/// `cdp bench customer360`: a generated lake of N customers run through the whole pipeline (not timed,
/// reused from the scratch folder), then search latency over texts a steward would type (surnames, full
/// names, emails, national phone numbers, typos, shouting, missing accents) and profile load time.
public struct Customer360Benchmark: Sendable {
    public var customers: Int
    public var seed: UInt64
    public var searches: Int
    public var profiles: Int
    public var scratch: URL
    /// A team store to build the lake on instead of the embedded lake (`cdp bench customer360 --store`): an empty
    /// database, or the one a run before built in the same scratch folder.
    public var store: String?

    public init(customers: Int, seed: UInt64 = 7, searches: Int = 2000, profiles: Int = 300, scratch: URL) {
        self.customers = customers
        self.seed = seed
        self.searches = searches
        self.profiles = profiles
        self.scratch = scratch
    }

    /// Latencies in milliseconds, with their percentiles.
    public struct Latencies: Sendable, Codable {
        public var milliseconds: [Double]

        public func percentile(_ p: Double) -> Double {
            let sorted = milliseconds.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[max(0, min(sorted.count - 1, Int((p / 100 * Double(sorted.count - 1)).rounded())))]
        }

        public var p50: Double { percentile(50) }
        public var p95: Double { percentile(95) }
        public var p99: Double { percentile(99) }
    }

    public struct Result: Sendable, Codable {
        public var goldenCustomers: Int
        public var searchKeys: Int
        /// Seconds the pipeline's `build_gold` task took when the lake was built (nil when reused from an older build).
        public var goldRebuildSeconds: Double?
        public var search: Latencies
        /// Per kind of text (`surname`, `full name`, `email`, `phone`, `typo`, …): searches whose customer was
        /// among the first 20 hits, as a fraction.
        public var foundInTop20: [String: Double]
        /// Per kind of text: searches whose customer scored as well as the best hit (ties are other people of
        /// the same name: generated names repeat at scale), and the median number of customers so tied.
        public var amongBest: [String: Double]
        public var medianTie: [String: Int]
        public var profile: Latencies
        public var peakMemoryMegabytes: Double
    }

    public func run(log: (String) -> Void) throws(EngineError) -> Result {
        let workspace = try prepare(log: log)
        let service = Customer360Service(workspace: workspace, environment: try BenchmarkWorkspace.environment(for: workspace))
        let total = try storeCall { () throws(StoreError) in try workspace.repositories.customer360.customer360Count() }
        guard total > 0 else { throw EngineError(.notFound, "the benchmark lake has no gold layer; delete \(scratch.path) and run again") }
        let keys = try storeCall { () throws(StoreError) in try workspace.repositories.customer360.customerSearchKeyCount() }
        var random = SplitMix64(seed: seed)
        let sampleIDs = (0..<max(searches, profiles)).map { _ in GoldenID(Int64(random.next() % UInt64(total)) + 1) }
        let sample = try storeCall { () throws(StoreError) in try workspace.repositories.customer360.customer360(Array(Set(sampleIDs))) }
            .filter { $0.lastName != nil }
        PeakMemory.reset()

        log("searching \(searches) times…")
        var latencies: [Double] = []
        var found: [String: (hits: Int, total: Int)] = [:]
        var best: [String: (hits: Int, total: Int)] = [:]
        var ties: [String: [Int]] = [:]
        for index in 0..<searches {
            let customer = sample[index % sample.count]
            let (kind, text) = Self.query(for: customer, variant: index)
            let started = DispatchTime.now().uptimeNanoseconds
            let hits = try service.search(text, limit: 20)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
            let hit = hits.contains { $0.customer.golden == customer.golden }
            found[kind, default: (0, 0)].hits += hit ? 1 : 0
            found[kind, default: (0, 0)].total += 1
            // Quality, not timed: is the customer among the best-scored hits, and how many tie there?
            let wide = try service.search(text, limit: 1000)
            if let top = wide.first {
                let tied = wide.filter { ($0.wordsMatched, $0.score) == (top.wordsMatched, top.score) }
                best[kind, default: (0, 0)].hits += tied.contains { $0.customer.golden == customer.golden } ? 1 : 0
                ties[kind, default: []].append(tied.count)
            }
            best[kind, default: (0, 0)].total += 1
        }

        log("loading \(profiles) profiles…")
        var profileLatencies: [Double] = []
        for index in 0..<profiles {
            let started = DispatchTime.now().uptimeNanoseconds
            _ = try service.profile(sample[(index * 7) % sample.count].golden)
            profileLatencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6)
        }
        let goldSeconds = try storeCall { () throws(StoreError) in try workspace.repositories.runs.runs(limit: 1) }.first?.tasks
            .first { $0.step == StepKind.gold.rawValue }?.durationMilliseconds.map { Double($0) / 1000 }
        return Result(
            goldenCustomers: total, searchKeys: keys, goldRebuildSeconds: goldSeconds,
            search: Latencies(milliseconds: latencies),
            foundInTop20: found.mapValues { Double($0.hits) / Double(max($0.total, 1)) },
            amongBest: best.mapValues { Double($0.hits) / Double(max($0.total, 1)) },
            medianTie: ties.mapValues { $0.sorted()[$0.count / 2] },
            profile: Latencies(milliseconds: profileLatencies), peakMemoryMegabytes: PeakMemory.megabytes())
    }

    /// What a steward would type to find `customer`, cycling through the kinds of text.
    static func query(for customer: Customer360Row, variant: Int) -> (kind: String, text: String) {
        let first = customer.firstName ?? "", last = customer.lastName ?? ""
        switch variant % 7 {
        case 0: return ("surname + initial", "\(last) \(first.prefix(1))")
        case 1: return ("full name", "\(first) \(last)")
        case 2 where customer.email != nil: return ("email", customer.email ?? "")
        case 3 where customer.phone != nil:
            // As written at home: the national number with a trunk zero, in groups.
            let national = CustomerSearchKeys.nationalNumber((customer.phone ?? "").filter(\.isNumber)) ?? ""
            return ("phone, national", "0" + national.prefix(4) + " " + national.dropFirst(4))
        case 4 where last.count >= 4:
            var letters = Array(last)
            letters.swapAt(1, 2)
            return ("typo in surname", "\(first) \(String(letters))")
        case 5: return ("shouted, no accents", TextNormalization.foldAccents("\(first) \(last)").uppercased())
        default: return ("full name", "\(first) \(last)")
        }
    }

    /// Generates every source for `customers`, and runs the whole pipeline once (on the embedded lake or the team
    /// store), unless already done.
    func prepare(log: (String) -> Void) throws(EngineError) -> Workspace {
        let folder = scratch.appendingPathComponent("workspace")
        let holdsGold = { (workspace: Workspace) throws(EngineError) -> Bool in
            try storeCall { () throws(StoreError) in try workspace.repositories.customer360.customer360Count() } > 0
        }
        if let workspace = try BenchmarkWorkspace.reusable(folder, log: log, holdsWhatIsNeeded: holdsGold) { return workspace }
        try BenchmarkWorkspace.requireNoLake(on: store)
        let data = scratch.appendingPathComponent("data")
        log("generating \(customers) customers with orders, contacts, campaigns and events (not timed)…")
        do {
            _ = try SampleDataGenerator(options: GeneratorOptions(customers: customers, seed: seed)).write(to: data)
        } catch {
            throw EngineError(.input, "cannot generate benchmark data in \(data.path): \(error)")
        }
        let workspace = try BenchmarkWorkspace.initialize(at: folder, from: data, store: store)
        log("running the pipeline: ingest, validate, match, gold (not timed)…")
        let started = Date()
        let environment = try BenchmarkWorkspace.environment(for: workspace)
        let summary = try WorkflowRunner(workspace: workspace, environment: environment).run(workspace.workflow())
        for task in summary.tasks {
            log(String(format: "  %@ %.1f s", task.key.rawValue, Double(task.durationMilliseconds ?? 0) / 1000))
        }
        log(String(format: "pipeline done in %.0f s", Date().timeIntervalSince(started)))
        try? FileManager.default.removeItem(at: data)
        return workspace
    }
}

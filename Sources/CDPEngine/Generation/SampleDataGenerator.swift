import CDPCore
import Foundation

/// Writes a deterministic, realistic and deliberately dirty set of CRM and marketing files, plus the
/// truth that says which records belong to the same person.
///
/// The same options give byte-identical files on every run and machine: all randomness comes from
/// seeded per-record generators, and numbers and dates are formatted by hand.
public struct SampleDataGenerator: Sendable {
    public var options: GeneratorOptions

    /// Rows between progress reports.
    static let progressInterval = 50_000

    public init(options: GeneratorOptions) {
        self.options = options
    }

    /// Writes the included files under `directory` (see `GeneratedFile.relativePath`).
    ///
    /// - Parameter progress: called with the file and the rows written so far, every 50,000 rows and
    ///   when a file is complete.
    /// - Returns: rows, deliberate problems and bytes per written file.
    /// - Throws: `GenerationError` when the options are out of range or a file cannot be written.
    public func write(
        to directory: URL, progress: ((GeneratedFile, Int) -> Void)? = nil
    ) throws -> GenerationSummary {
        try validate()
        let plan = GenerationPlan(options: options)
        let context = GenerationContext(options: options, plan: plan, progress: progress)
        var files: [GenerationSummary.FileSummary] = []
        for file in GeneratedFile.allCases where options.include.contains(file) {
            let sink = try ByteSink(url: directory.appendingPathComponent(file.relativePath))
            var tally = ProblemTally(file: file)
            let rows: Int
            switch file {
            case .customers: rows = try context.writeCustomers(to: sink, tally: &tally)
            case .orders: rows = try context.writeOrders(to: sink, tally: &tally)
            case .contacts: rows = try context.writeContacts(to: sink, tally: &tally)
            case .campaigns: rows = try context.writeCampaigns(to: sink, tally: &tally)
            case .events: rows = try context.writeEvents(to: sink, tally: &tally)
            case .truth: rows = try context.writeTruth(to: sink)
            }
            try sink.close()
            progress?(file, rows)
            files.append(tally.summary(path: file.relativePath, rows: rows, bytes: sink.bytesWritten))
        }
        return GenerationSummary(
            people: plan.people, crmPeople: plan.crmPeople, marketingOnlyPeople: plan.marketingOnlyPeople,
            reRegistrations: plan.reRegistrations, files: files)
    }

    private func validate() throws {
        var problems: [String] = []
        if options.customers < 20 || options.customers > 9_000_000 {
            problems.append("customers must be between 20 and 9,000,000 (got \(options.customers))")
        }
        if options.campaigns < 1 || options.campaigns > 998 {
            problems.append("campaigns must be between 1 and 998 (got \(options.campaigns))")
        }
        for (name, value, limit) in [
            ("contactsPerCustomer", options.contactsPerCustomer, 5.0),
            ("ordersPerCustomer", options.ordersPerCustomer, 50.0),
            ("eventsPerCustomer", options.eventsPerCustomer, 200.0),
            ("problemRate", options.problemRate, 0.5),
        ] where !(value >= 0 && value <= limit) {
            problems.append("\(name) must be between 0 and \(limit) (got \(value))")
        }
        if options.contactsPerCustomer * Double(options.customers) > 9_000_000 {
            problems.append("contacts would exceed the 7-digit contact id")
        }
        guard problems.isEmpty else {
            throw GenerationError(
                code: .invalidOptions,
                message: "invalid generator options: " + problems.joined(separator: "; "), cause: nil)
        }
    }
}

/// Counts deliberate problems per kind for one file.
struct ProblemTally {
    let file: GeneratedFile
    let kinds: [GeneratedProblem]
    private(set) var counts: [Int]
    private(set) var problemRows = 0
    /// How many problems were injected so far; picks the next kind in turn so every kind occurs.
    private(set) var injected = 0

    init(file: GeneratedFile) {
        self.file = file
        kinds = GeneratedProblem.kinds(in: file)
        counts = Array(repeating: 0, count: kinds.count)
    }

    mutating func record(_ problem: GeneratedProblem) {
        if let index = kinds.firstIndex(of: problem) { counts[index] += 1 }
        problemRows += 1
    }

    /// The next kind in rotation among `rotation`.
    mutating func next(of rotation: [GeneratedProblem]) -> GeneratedProblem {
        defer { injected += 1 }
        return rotation[injected % rotation.count]
    }

    func summary(path: String, rows: Int, bytes: Int) -> GenerationSummary.FileSummary {
        GenerationSummary.FileSummary(
            file: file, path: path, rows: rows, problemRows: problemRows,
            problems: zip(kinds, counts).map { GenerationSummary.ProblemCount(problem: $0, rows: $1) },
            bytes: bytes)
    }
}

/// What every file writer shares: options, the plan, the people and the campaign calendar.
struct GenerationContext {
    let options: GeneratorOptions
    let plan: GenerationPlan
    let people: PersonFactory
    let progress: ((GeneratedFile, Int) -> Void)?
    let campaigns: [Campaign]

    init(options: GeneratorOptions, plan: GenerationPlan, progress: ((GeneratedFile, Int) -> Void)?) {
        self.options = options
        self.plan = plan
        self.progress = progress
        people = PersonFactory(seed: options.seed, people: plan.people)
        campaigns = Campaign.all(seed: options.seed, count: options.campaigns, problemRate: options.problemRate)
    }

    func random(_ stream: UInt64, _ index: Int) -> SplitMix64 {
        SplitMix64.record(seed: options.seed, stream: stream, index: index)
    }

    func report(_ file: GeneratedFile, _ rows: Int) {
        if rows % SampleDataGenerator.progressInterval == 0 { progress?(file, rows) }
    }

    /// Days since the epoch of the data's "today": nothing happens after it.
    static let lastDay = CivilDate.days(2025, 11, 15)
}

import ArgumentParser
import CDPEngine
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that print their figures (medians).", subcommands: [Ingest.self])

    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse + standardise + validate + persist N generated CRM customers; prints records/s and peak memory.")
        @Option(help: "How many customers.") var customers: Int = 1_000_000
        @Option(help: "Timed repetitions; the median is reported.") var runs: Int = 3
        @Option(help: "Scratch folder (default: a temporary folder).") var scratch: String?
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let folder = URL(fileURLWithPath: scratch ?? NSTemporaryDirectory()).appendingPathComponent("cdp-bench-\(getpid())")
            defer { try? FileManager.default.removeItem(at: folder) }
            let benchmark = IngestBenchmark(customers: customers, repetitions: runs, scratch: folder)
            let result = try present { () throws(EngineError) in try benchmark.run(log: { print($0) }) }
            if json { return Output.json(result) }
            print(String(
                format: "ingest %@ rows: median %.2f s → %@ records/s · peak memory %.0f MB · %@ to silver, %@ quarantined",
                Output.grouped(result.rows), result.medianSeconds, Output.grouped(Int(result.recordsPerSecond)),
                result.peakMemoryMegabytes, Output.grouped(result.toSilver), Output.grouped(result.quarantined)))
        }
    }
}

import ArgumentParser
import CDPEngine
import StewardConsole
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that print their figures (medians).", subcommands: [Ingest.self, Console.self])

    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse + standardise + validate + persist N generated CRM customers; prints records/s and peak memory.")
        @Option(help: "How many customers.") var customers: Int = 1_000_000
        @Option(help: "Timed repetitions; the median is reported.") var runs: Int = 3
        @Option(help: "Scratch folder (default: a temporary folder).") var scratch: String?
        @Flag(help: "Print as JSON.") var json = false
        @Flag(help: "Also time each phase (parse, standardise, validate, write, commit, …) of the median run.") var phases = false

        func run() throws {
            let folder = URL(fileURLWithPath: scratch ?? NSTemporaryDirectory()).appendingPathComponent("cdp-bench-\(getpid())")
            defer { try? FileManager.default.removeItem(at: folder) }
            var benchmark = IngestBenchmark(customers: customers, repetitions: runs, scratch: folder)
            benchmark.profilesPhases = phases
            let result = try present { () throws(EngineError) in try benchmark.run(log: { print($0) }) }
            if json { return Output.json(result) }
            print(String(
                format: "ingest %@ rows: median %.2f s → %@ records/s · peak memory %.0f MB · %@ to silver, %@ quarantined",
                Output.grouped(result.rows), result.medianSeconds, Output.grouped(Int(result.recordsPerSecond)),
                result.peakMemoryMegabytes, Output.grouped(result.toSilver), Output.grouped(result.quarantined)))
            let cpu = result.cpuSeconds.sorted()[result.cpuSeconds.count / 2]
            print(String(format: "  median CPU %.2f s: %.2f µs per record", cpu, cpu * 1e6 / Double(max(1, result.rows))))
            for phase in result.phases ?? [] {
                print(String(format: "  %8.3f s  %6.2f µs/row  %@", phase.seconds, phase.microsecondsPerRow, phase.phase))
            }
        }
    }

    struct Console: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drive the console headless over N generated customers: first frame, key→frame latency percentiles, peak memory.")
        @Option(help: "How many customers.") var customers: Int = 1_000_000
        @Option(help: "Timed repetitions of the key script; the median run is reported.") var runs: Int = 3
        @Option(help: "Scratch folder; a workspace left there is reused.") var scratch: String?

        func run() throws {
            let folder = URL(fileURLWithPath: scratch ?? NSTemporaryDirectory()).appendingPathComponent(scratch == nil ? "cdp-bench-console-\(getpid())" : "")
            defer { if scratch == nil { try? FileManager.default.removeItem(at: folder) } }
            let workspace = try present { () throws(EngineError) in
                try BenchmarkWorkspace.prepare(customers: customers, in: folder, log: { print($0) })
            }
            var results: [ConsoleBenchmark.Result] = []
            for index in 1...max(1, runs) {
                let result = ConsoleBenchmark(workspace: workspace, environment: .live(user: "bench")).run()
                print(String(format: "  run %d: first frame %.1f ms, p99 %.2f ms", index, result.firstFrameMilliseconds, result.p99))
                results.append(result)
            }
            let median = results.sorted { $0.p99 < $1.p99 }[results.count / 2]
            print("median run of \(results.count):")
            print(median.report)
        }
    }
}

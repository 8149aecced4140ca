import ArgumentParser
import CDPEngine
import Foundation

extension BenchCommand {
    struct Spark: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The same generated sources through the embedded engine and through Spark: wall, CPU and peak memory of each, and how they grow.",
            discussion: """
                For each size, every source is generated for N customers (about 14 N records) into two fresh \
                workspaces; one runs `cdp run --step ingest` per source and `cdp run --step match`, the other \
                `cdp spark run`. Each side is measured as a whole process tree (Spark's JVM, Python and cdp workers \
                included): wall time, CPU time, and the peak of the tree's summed PSS. Growth is fitted as N^k over \
                the sizes run, and each side's memory is extrapolated to this machine's memory: a rough guide from \
                a few points, not a promise.
                """)
        @Option(
            name: .customLong("customers"), parsing: .upToNextOption,
            help: ArgumentHelp("Customer counts to run (several, space- or comma-separated), e.g. 100000,300000,1000000.", valueName: "N"))
        var customerLists: [String] = ["100000", "300000", "1000000"]
        @Option(help: "The generator's seed.") var seed: UInt64 = 7
        @Option(help: "The Spark master: local[2], spark://HOST:7077, …") var master = "local[2]"
        @Option(help: "The spark-submit to use (default: $SPARK_HOME/bin, the PATH, or pyspark's).") var sparkSubmit: String?
        @Option(name: .customLong("conf"), help: "A Spark setting KEY=VALUE passed to spark-submit (repeatable).") var settings: [String] = []
        @Option(help: "Scratch folder (default: a temporary folder); each size's files are removed after it.") var scratch: String?
        @Flag(help: "Keep each size's data, workspaces and logs in the scratch folder.") var keepFiles = false
        @Flag(help: "Print as JSON.") var json = false

        var customers: [Int] {
            get throws {
                try customerLists.flatMap { $0.split(separator: ",") }.map { text in
                    let digits = text.replacingOccurrences(of: "_", with: "").trimmingCharacters(in: .whitespaces)
                    guard let count = Int(digits), count > 0 else {
                        throw ValidationError("--customers takes positive counts, not '\(text)'")
                    }
                    return count
                }
            }
        }

        func validate() throws {
            guard try !customers.isEmpty else { throw ValidationError("--customers needs at least one count") }
        }

        func run() throws {
            let place = try present { () throws(EngineError) in try BenchmarkScratch.resolve(scratch, name: "spark") }
            let folder = place.isTemporary ? place.folder : place.folder.appendingPathComponent("cdp-bench-spark-\(getpid())")
            defer { if !keepFiles { try? FileManager.default.removeItem(at: folder) } }
            let given = sparkSubmit
            let submit = try present { () throws(EngineError) -> String in
                if let given { return given }
                return try SparkSubmitter.locate()
            }
            let cdp = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let benchmark = SparkBenchmark(
                sizes: try customers, seed: seed, scratch: folder, cdp: cdp, sparkSubmit: submit, master: master, settings: settings, keepFiles: keepFiles)
            let result = try present { () throws(EngineError) in try benchmark.run(log: { if !json { print($0) } }) }
            if json { return Output.json(result) }
            Self.report(result)
        }

        static func report(_ result: SparkBenchmark.Result) {
            func padded(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
            func figures(_ side: ProcessTreeMeter.Measurement) -> String {
                padded(String(format: "%.1f s", side.wallSeconds), 10) + padded(String(format: "%.1f s", side.cpuSeconds), 10)
                    + padded(String(format: "%.0f MB", side.peakMemoryMegabytes), 10)
            }
            print("")
            print("each side's whole process tree: wall time · CPU time · peak PSS; Spark on \(result.master)")
            print(padded("customers", 10) + padded("records", 12) + " │ embedded" + padded("", 22) + " │ spark")
            for size in result.sizes {
                print(padded(Output.grouped(size.customers), 10) + padded(Output.grouped(size.sourceRecords), 12) + " │" + figures(size.embedded)
                    + " │" + figures(size.spark))
            }
            for growth in result.growth {
                guard let time = growth.timeExponent, let memory = growth.memoryExponent else {
                    print("\(growth.engine): growth needs two sizes or more")
                    continue
                }
                let ceiling = growth.memoryCeilingCustomers.map {
                    "its memory would reach this machine's \(Output.grouped(Int(result.machineMemoryMegabytes))) MB at about \(Output.grouped($0)) customers"
                } ?? "its memory does not grow measurably with N"
                print(String(format: "%@: wall time grows as N^%.2f, peak memory as N^%.2f; ", growth.engine, time, memory) + ceiling
                    + " (fitted on \(result.sizes.count) sizes)")
            }
        }
    }
}

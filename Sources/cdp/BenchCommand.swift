import ArgumentParser
import CDPEngine
import CDPRepositories
import Foundation
import StewardConsole

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks that print their figures (medians).", subcommands: [Ingest.self, Console.self, Watch.self, Match.self, Customer360.self, Arrival.self, Delta.self, Spark.self])

    struct Ingest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse + standardise + validate + persist every source generated for N customers; prints records/s and peak memory.",
            discussion: """
                At N customers the generator writes about N CRM customers, 2.4 N orders, 0.8 N marketing contacts, \
                40 campaigns and 10 N campaign events. They are ingested in the order cdp.toml lists them, each \
                into a fresh lake per run; the figures are the median run's, in total and per source.
                """)
        @Option(help: "How many customers.") var customers: Int = 1_000_000
        @Option(help: "Timed repetitions; the median is reported.") var runs: Int = 3
        @Option(help: "Scratch folder (default: a temporary folder).") var scratch: String?
        @Option(name: .customLong("source"), help: "Only this source (repeat for several), e.g. crm_customers; default: all.")
        var sources: [String] = []
        @Flag(help: "Print as JSON.") var json = false
        @Flag(help: "Also time each phase (parse, standardise, validate, write, commit, …) of the median run.") var phases = false
        @Option(
            help: ArgumentHelp(
                "Also ingest into this PostgreSQL team store (an empty database; each run's rows are removed after it) and print its "
                    + "figures beside the embedded lake's.", valueName: "address"))
        var store: String?

        /// The embedded lake's figures and, with `--store`, the team store's.
        struct Comparison: Codable {
            var embedded: IngestBenchmark.Result
            var teamStore: IngestBenchmark.Result
        }

        func run() throws {
            // As `cdp run` does: a headless bulk write, SQLite need not count its memory.
            Workspace.stopCountingSQLiteMemory()
            let place = try present { () throws(EngineError) in try BenchmarkScratch.resolve(scratch, name: "ingest") }
            let folder = place.isTemporary ? place.folder : place.folder.appendingPathComponent("cdp-bench-\(getpid())")
            defer { try? FileManager.default.removeItem(at: folder) }
            var benchmark = IngestBenchmark(customers: customers, repetitions: runs, scratch: folder)
            benchmark.profilesPhases = phases
            benchmark.sources = sources
            if !json, store != nil { print("embedded lake:") }
            let result = try present { () throws(EngineError) in try benchmark.run(log: { if !json { print($0) } }) }
            var onStore: IngestBenchmark.Result?
            if let store {
                benchmark.store = store
                benchmark.scratch = folder.appendingPathComponent("store")
                if !json { print("team store \(store):") }
                onStore = try present { () throws(EngineError) in try benchmark.run(log: { if !json { print($0) } }) }
            }
            if json {
                if let onStore { return Output.json(Comparison(embedded: result, teamStore: onStore)) }
                return Output.json(result)
            }
            Self.report(result, label: onStore == nil ? "" : "embedded lake: ")
            if let onStore { Self.report(onStore, label: "team store:    ") }
        }

        static func report(_ result: IngestBenchmark.Result, label: String) {
            print(String(
                format: "%@ingest %@ source records: median %.2f s → %@ records/s · peak memory %.0f MB · %@ to silver, %@ quarantined", label,
                Output.grouped(result.rows), result.medianSeconds, Output.grouped(Int(result.recordsPerSecond)),
                result.peakMemoryMegabytes, Output.grouped(result.toSilver), Output.grouped(result.quarantined)))
            let cpu = result.cpuSeconds.sorted()[result.cpuSeconds.count / 2]
            print(String(format: "  median CPU %.2f s: %.2f µs per record", cpu, cpu * 1e6 / Double(max(1, result.rows))))
            for source in result.perSource {
                print(String(
                    format: "  %@ %@ rows in %.2f s → %@ records/s, %.2f µs CPU a record", source.source.padding(toLength: 20, withPad: " ", startingAt: 0),
                    Output.grouped(source.rows), source.seconds, Output.grouped(Int(source.recordsPerSecond)), source.cpuMicrosecondsPerRecord))
                for phase in source.phases ?? [] {
                    print(String(format: "    %8.3f s  %6.2f µs/row  %@", phase.seconds, phase.microsecondsPerRow, phase.phase))
                }
            }
        }
    }

    struct Console: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Drive the console headless over N generated customers: first frame, key→frame latency percentiles, peak memory.")
        @Option(help: "How many customers.") var customers: Int = 1_000_000
        @Option(help: "Timed repetitions of the key script; the median run is reported.") var runs: Int = 3
        @Option(help: "Scratch folder; a workspace left there is reused.") var scratch: String?
        @Flag(help: "Also print every key's latency (the median run).") var everyKey = false
        @Option(help: "Then release this many fixed records through the console's bulk release, in the background, while keys keep coming (0: skip; changes the lake).")
        var release: Int = 10_000
        @Option(help: "Times the rule picker is opened (its median is reported; 0: skip).") var pickerRuns: Int = 15
        @Option(
            help: ArgumentHelp(
                "Build the workspace's lake on this PostgreSQL team store (an empty database, or the one a run before built from the same "
                    + "--scratch) and drive the console over it.", valueName: "address"))
        var store: String?

        func run() throws {
            let place = try present { () throws(EngineError) in try BenchmarkScratch.resolve(scratch, name: "console") }
            let folder = place.folder
            defer { place.removeIfTemporary() }
            let workspace = try present { () throws(EngineError) in
                try BenchmarkWorkspace.prepare(customers: customers, in: folder, store: store, log: { print($0) })
            }
            let environment = try present { () throws(EngineError) in try BenchmarkWorkspace.environment(for: workspace) }
            var results: [ConsoleBenchmark.Result] = []
            for index in 1...max(1, runs) {
                let result = ConsoleBenchmark(workspace: workspace, environment: environment).run()
                print(String(format: "  run %d: first frame %.1f ms, p99 %.2f ms", index, result.firstFrameMilliseconds, result.p99))
                results.append(result)
            }
            let median = results.sorted { $0.p99 < $1.p99 }[results.count / 2]
            print("median run of \(results.count):")
            print(median.report)
            if everyKey {
                for (index, ms) in median.keyLatenciesMilliseconds.enumerated() {
                    print(String(format: "  #%3d %-8@ %8.2f ms", index + 1, median.keys.indices.contains(index) ? median.keys[index] : "?", ms))
                }
            }
            let benchmark = ConsoleBenchmark(workspace: workspace, environment: environment)
            if pickerRuns > 0 {
                let picker = benchmark.runRulePicker(repetitions: pickerRuns)
                let sorted = picker.milliseconds.sorted()
                print(String(
                    format: "rule picker:           median %.2f ms · max %.2f ms to open over %d openings (%d rules)", sorted[sorted.count / 2],
                    sorted.last ?? 0, sorted.count, picker.rules))
            }
            if release > 0 {
                let result = try present { () throws(EngineError) in try benchmark.runBulkRelease(count: release, log: { print($0) }) }
                print(result.report)
            }
        }
    }

    struct Watch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "How soon a console shows another steward's change (claims by a second session) on this workspace's lake, and what its look costs.")
        @OptionGroup var options: WorkspaceOptions
        @Option(help: "How many changes (claims and let-gos of the workbench's first record, in turns).") var rounds: Int = 20

        func run() throws {
            let workspace = try options.open()
            let environment = try options.environment(in: workspace)
            let result = try present { () throws(EngineError) in
                try ConsoleBenchmark(workspace: workspace, environment: environment).runSecondSteward(rounds: rounds)
            }
            print(result.report)
        }
    }

    struct Match: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate N customers with marketing contacts, ingest them, then match: time per phase, comparisons, peak memory, accuracy.")
        @Option(help: "How many CRM customers (marketing contacts add about 0.7 per customer).") var customers: Int = 1_000_000
        @Option(help: "The generator's seed (a workspace left in --scratch keeps the data it was made with).") var seed: UInt64 = 7
        @Option(help: "Timed repetitions; the median is reported.") var runs: Int = 3
        @Option(help: "Scratch folder; a workspace left there is reused.") var scratch: String?
        @Flag(help: "Also write candidates and golden records to the lake (timed as `persist`).") var persist = false
        @Flag(help: "Print as JSON.") var json = false

        func run() throws {
            let place = try present { () throws(EngineError) in try BenchmarkScratch.resolve(scratch, name: "match") }
            let folder = place.folder
            defer { place.removeIfTemporary() }
            let benchmark = MatchBenchmark(customers: customers, seed: seed, repetitions: runs, scratch: folder, persist: persist)
            let result = try present { () throws(EngineError) in try benchmark.run(log: { print($0) }) }
            if json { return Output.json(result) }
            let s = result.statistics
            let median = result.median
            print(String(
                format: "match %@ records: in-memory match (stitch to golden) median %.2f s · load %.2f s · persist %@ · peak memory %.0f MB",
                Output.grouped(result.records), median.match, median.load, persist ? String(format: "%.2f s", median.persist) : "not run",
                result.peakMemoryMegabytes))
            print("\(Output.grouped(s.candidatePairs)) candidate pairs, \(Output.grouped(s.comparisons)) comparisons")
            if let recall = s.blockingRecall {
                print(String(
                    format: "blocking recall %.4f: %@ of %@ true pairs compared (%@ only through hard identifiers), %@ reached by no rule; by rule, first rule only:",
                    recall.recall, Output.grouped(recall.reached), Output.grouped(recall.truePairs), Output.grouped(recall.reachedOnlyByIdentifiers),
                    Output.grouped(recall.missed)))
                for (name, count) in zip(recall.rules, recall.reachedPerRule) { print("  \(Output.grouped(count))  \(name)") }
            }
            if let tallies = result.missedByKey, !tallies.isEmpty {
                print("true pairs no rule reaches, by explanation key:")
                for tally in tallies { print("  \(Output.grouped(tally.pairs))  \(tally.key)") }
            }
            print("phases (median run), each with its peak memory: " + s.phases.map { phase in
                String(format: "%@ %.2f s", phase.name, phase.seconds) + (phase.peakMegabytes.map { String(format: " (%.0f MB)", $0) } ?? "")
            }.joined(separator: " · "))
            if let bands = s.calibration, !bands.isEmpty {
                print("calibration: candidate pairs by the model's match probability (pairs · true matches · true share · mean probability):")
                for band in bands where band.pairs > 0 {
                    let range = String(format: band.high == 1 ? "[%.3f, %.3f]" : "[%.3f, %.3f)", band.low, band.high)
                    print(String(format: "  %@  %@ · %@ · %.3f · %.3f", range, Output.grouped(band.pairs), Output.grouped(band.trueMatches), band.trueShare, band.meanProbability))
                }
            }
            print("review queue \(Output.grouped(s.reviewPairs)) pairs" + (result.reviewTrueMatches.map { ", \(Output.grouped($0)) true matches" } ?? ""))
            if let tallies = result.reviewByKey, !tallies.isEmpty {
                print("review queue by explanation key (pairs · true matches):")
                for tally in tallies { print("  \(Output.grouped(tally.pairs)) · \(Output.grouped(tally.trueMatches))  \(tally.key)") }
            }
            if let tallies = result.falseMergesByKey, !tallies.isEmpty {
                print("false merges (pairs in one cluster the truth keeps apart) by explanation key:")
                for tally in tallies { print("  \(Output.grouped(tally.pairs))  \(tally.key)") }
            }
            print(String(format: "model: prior %.6f, EM %d iterations", result.model.prior, result.model.iterations))
            print("m (u) per level, null level left out:")
            for (c, row) in result.model.m.enumerated() {
                let levels = row.indices.dropFirst().map { String(format: "%.3f (%.3f)", row[$0], result.model.u[c][$0]) }
                let name = c < s.comparisonNames.count ? s.comparisonNames[c] : "comparison \(c)"
                print("  \(name): " + levels.joined(separator: " · "))
            }
            if let given = result.model.givenAgreement {
                print("u among pairs agreeing on the u_given comparisons (\(Output.grouped(Int(given.pairs))) non-matching pairs), as a multiple of u:")
                for (c, row) in given.u.enumerated() where given.mask >> (UInt64(c) * 4) & 0xF == 0 {
                    let levels = row.indices.dropFirst().map { String(format: "%.2f×", row[$0] / max(result.model.u[c][$0], 1e-12)) }
                    let name = c < s.comparisonNames.count ? s.comparisonNames[c] : "comparison \(c)"
                    print("  \(name): " + levels.joined(separator: " · "))
                }
            }
            print(MatchReportText.training(s.training))
            print("sessions (share of pairs taken for matches, then m of each trained comparison's last level, \"else\"):")
            for session in s.training {
                let elses = zip(session.comparisons, session.m.compactMap { $0 }).map { "\($0) \(String(format: "%.3f", $1.last ?? 0))" }
                print(String(format: "  %@ · %@ pairs · prior %.3f · %d iterations · ", session.rule, Output.grouped(session.pairs), session.prior, session.iterations)
                    + elses.joined(separator: ", "))
            }
            if let evaluation = result.evaluation { print(MatchReportText.evaluation(evaluation)) }
            if let lost = result.lostPairs { print(MatchReportText.lostPairs(lost, truePairs: result.evaluation?.truePairs)) }
        }
    }

    struct Arrival: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "From a file dropped into a watched inbox to its customer in customer_360, on the sample workspace, by phase (medians).",
            discussion: """
                Builds the sample workspace and runs its pipeline once (not timed), then runs the scheduler's loop on a \
                workflow started by files arriving in inbox/marketing/ (ingest the marketing contacts, revalidate, match, \
                gold) and moves in one new contacts file per run, timing until another connection finds its contact.
                """)
        @Option(help: "The sample data to build the workspace from.") var from: String = "sample-data"
        @Option(help: "Files dropped (one run each); the median is reported.") var runs: Int = 5
        @Option(help: ArgumentHelp("The trigger's wait_after_last_change_seconds.", valueName: "seconds")) var settle: Int = 1
        @Option(help: "Scratch folder; a workspace left there is reused.") var scratch: String?
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            if runs < 1 { throw ValidationError("--runs must be at least 1") }
            if settle < 0 { throw ValidationError("--settle must not be negative") }
        }

        func run() throws {
            let place = try present { () throws(EngineError) in try BenchmarkScratch.resolve(scratch, name: "arrival") }
            let folder = place.folder
            defer { place.removeIfTemporary() }
            let benchmark = ArrivalBenchmark(sampleData: URL(fileURLWithPath: from), scratch: folder, repetitions: runs, settleSeconds: settle)
            let result = try present { () throws(EngineError) in try benchmark.run(log: { if !json { print($0) } }) }
            if json { return Output.json(result) }
            let m = result.median
            print(String(
                format: "file → customer_360 median %.2f s over %d files (%@ golden customers; trigger settles after %d s): "
                    + "trigger %.2f · ingest %.2f · revalidate %.2f · match %.2f · gold %.2f",
                m.visible, result.arrivals.count, Output.grouped(result.goldenCustomers), result.settleSeconds, m.trigger, m.ingest, m.revalidate,
                m.match, m.gold))
        }
    }

    struct Delta: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A pipeline run after a new file per source holding 1% of its records (half new, half changed), at N customers (medians).",
            discussion: """
                Generates N customers and runs the whole pipeline once (not timed; a workspace left in --scratch by this \
                or `cdp bench customer360` is reused), then for each of --runs writes a delta file beside each source's \
                generated file and runs the pipeline, timing it end to end (wall and CPU) and by task.
                """)
        @Option(help: "How many CRM customers (contacts, orders and events follow the sample's proportions).") var customers: Int = 100_000
        @Option(help: "The generator's seed.") var seed: UInt64 = 7
        @Option(help: "Delta runs; the median is reported.") var runs: Int = 3
        @Option(help: "Scratch folder; a workspace left there is reused.") var scratch: String?
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            if runs < 1 { throw ValidationError("--runs must be at least 1") }
        }

        func run() throws {
            let place = try present { () throws(EngineError) in try BenchmarkScratch.resolve(scratch, name: "delta") }
            let folder = place.folder
            defer { place.removeIfTemporary() }
            let benchmark = DeltaBenchmark(customers: customers, seed: seed, repetitions: runs, scratch: folder)
            let result = try present { () throws(EngineError) in try benchmark.run(log: { if !json { print($0) } }) }
            if json { return Output.json(result) }
            let m = result.median
            print(String(
                format: "delta of %@ records at %@ customers: median %.2f s wall, %.2f s CPU; gold wrote %@ of %@ customers",
                Output.grouped(m.records), Output.grouped(result.customers), m.seconds, m.cpuSeconds, Output.grouped(m.customersRebuilt),
                Output.grouped(m.customers)))
            print("by task (median run): " + m.tasks.sorted { $0.value > $1.value }.map { String(format: "%@ %.2f s", $0.key, $0.value) }.joined(separator: " · "))
        }
    }

    struct Customer360: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "customer360",
            abstract: "Build a lake of N generated customers through the whole pipeline, then time search and profile loads.")
        @Option(help: "How many CRM customers (contacts, orders and events follow the sample's proportions).") var customers: Int = 1_000_000
        @Option(help: "Searches to time.") var searches: Int = 2000
        @Option(help: "Profiles to load.") var profiles: Int = 300
        @Option(help: "Scratch folder; a lake left there is reused.") var scratch: String?
        @Flag(help: "Print as JSON.") var json = false
        @Option(
            help: ArgumentHelp(
                "Build the lake on this PostgreSQL team store (an empty database, or the one a run before built from the same --scratch) "
                    + "and search it there.", valueName: "address"))
        var store: String?

        func run() throws {
            let place = try present { () throws(EngineError) in try BenchmarkScratch.resolve(scratch, name: "c360") }
            let folder = place.folder
            defer { place.removeIfTemporary() }
            var benchmark = Customer360Benchmark(customers: customers, searches: searches, profiles: profiles, scratch: folder)
            benchmark.store = store
            let result = try present { () throws(EngineError) in try benchmark.run(log: { if !json { print($0) } }) }
            if json { return Output.json(result) }
            print(String(
                format: "customer 360 over %@ golden customers (%@ search keys)%@",
                Output.grouped(result.goldenCustomers), Output.grouped(result.searchKeys),
                result.goldRebuildSeconds.map { String(format: "; gold rebuild %.1f s", $0) } ?? ""))
            print(String(
                format: "search  (%d): p50 %.2f ms · p95 %.2f ms · p99 %.2f ms   (target p99 ≤ 100 ms)",
                result.search.milliseconds.count, result.search.p50, result.search.p95, result.search.p99))
            print(String(
                format: "profile (%d): p50 %.2f ms · p95 %.2f ms · p99 %.2f ms   (target ≤ 50 ms)",
                result.profile.milliseconds.count, result.profile.p50, result.profile.p95, result.profile.p99))
            print("quality by kind of text: in the first 20 hits · among the best-scored hits (median customers tied)")
            for (kind, top20) in result.foundInTop20.sorted(by: { $0.key < $1.key }) {
                print("  " + kind.padding(toLength: 22, withPad: " ", startingAt: 0) + String(
                    format: " %5.1f%% · %5.1f%% (%d tied)", top20 * 100, (result.amongBest[kind] ?? 0) * 100, result.medianTie[kind] ?? 0))
            }
            print(String(format: "peak memory while searching: %.0f MB", result.peakMemoryMegabytes))
        }
    }
}

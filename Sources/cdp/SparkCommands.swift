import ArgumentParser
import CDPCore
import CDPEngine
import Foundation

struct SparkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spark",
        abstract: "Run the workspace's ingest on Apache Spark, with the engine's own checks on the executors.",
        discussion: """
            `cdp spark plan` writes the job (driver, configuration, how to submit it); `cdp spark run` submits it. \
            The executors run `cdp spark worker`, which is not run by hand (README, "Scale out on Spark").
            """,
        subcommands: [Plan.self, Run.self, Import.self, Worker.self])

    /// Options `plan` and `run` share.
    struct JobOptions: ParsableArguments {
        @Option(name: [.short, .long], help: "The workspace folder (default: $CDP_WORKSPACE or the current folder).")
        var workspace: String?
        @Option(help: "The URI the sources' paths are relative to (default: the workspace folder; e.g. s3a://bucket/acme/).")
        var input: String?
        @Option(help: "Where runs are written, runs/RUN_ID/… below it (default: spark-output/ in the workspace).")
        var output: String?

        var root: URL {
            URL(
                fileURLWithPath: workspace ?? ProcessInfo.processInfo.environment["CDP_WORKSPACE"]
                    ?? FileManager.default.currentDirectoryPath)
        }

        /// The job, with the `cdp` running now as the executors' `cdp`.
        func job(shipped: Bool) throws -> SparkJob {
            let cdp = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
            let today = CDPCore.Environment.live(user: "").today
            let root = self.root
            return try present { () throws(EngineError) in
                try SparkJob.plan(workspaceAt: root, input: input, output: output, cdp: cdp, shipped: shipped, today: today)
            }
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the Spark job: job.json (sources, configuration, output), cdp_spark.py and submit.sh.")
        @OptionGroup var options: JobOptions
        @Option(help: "The folder to write the job into.") var out: String
        @Flag(help: "Ship cdp to the executors with --files (for a cluster whose executors do not share this machine's files).")
        var ship = false
        @Option(name: .customLong("as"), help: "Act as this user (default: the OS user; needs the act_as permission in governance/access.toml).")
        var user: String?

        func run() throws {
            var job = try options.job(shipped: ship)
            let folder = URL(fileURLWithPath: out)
            let root = options.root.path
            let user = self.user
            let handed = try present { () throws(EngineError) -> SparkDecisions in
                let workspace = try Workspace(at: root)
                let environment = try workspace.session(actingAs: user)
                // A folder the user names is written as the account cdp runs as: never while acting for another user.
                try ExportFile.checkDestination(folder.path, in: workspace, for: environment)
                try workspace.authorizeSparkPlan(environment, folder: folder)
                // The steward's work goes with the job as with `cdp spark run`, so a run of the plan applies it too.
                return try SparkDecisions.hand(from: workspace, to: folder, job: &job)
            }
            let files = try present { () throws(EngineError) in try job.write(to: folder) }
            for file in files { print("wrote \(file.path)") }
            print("wrote \(folder.appendingPathComponent(SparkDecisions.fileName).path) (owner only): \(handed.summary)")
            print("submit with: \(folder.appendingPathComponent("submit.sh").path) local[2]   (or spark://HOST:7077, yarn)")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Plan the job and run it with spark-submit; prints the run's id and output folder.")
        @OptionGroup var options: JobOptions
        @Option(help: "The Spark master: local[2], spark://HOST:7077, yarn, …") var master = "local[2]"
        @Option(name: .customLong("run"), help: "The run's id (default: the time and a random suffix).") var runID: String?
        @Option(help: "The spark-submit to use (default: $SPARK_HOME/bin, the PATH, or pyspark's).") var sparkSubmit: String?
        @Option(help: "Also write the run's datasets as JSON lines into this folder (what `cdp spark import` reads).") var export: String?
        @Option(name: .customLong("conf"), help: "A Spark setting KEY=VALUE passed to spark-submit (repeatable).")
        var settings: [String] = []

        @Option(name: .customLong("as"), help: "Act as this user (default: the OS user; needs the act_as permission in governance/access.toml).")
        var user: String?

        func run() throws {
            var job = try options.job(shipped: !SparkSubmitter.isLocal(master))
            // Who runs it is decided and recorded in the lake, as for `cdp run`; the output is made private before
            // Spark writes personal values into it.
            let root = options.root.path
            let user = self.user
            let export = self.export.map { URL(fileURLWithPath: $0) }
            let folder = try present { () throws(EngineError) in try SparkJob.privateFolder() }
            defer { try? FileManager.default.removeItem(at: folder) }
            let choices: [(String, Bool)] = [
                ("--spark-submit", sparkSubmit != nil), ("--output", options.output != nil), ("--input", options.input != nil),
                ("--conf", !settings.isEmpty), ("--run", runID != nil),
            ]
            let chosen = choices.filter(\.1).map(\.0)
            let output = options.output
            try present { () throws(EngineError) in
                let workspace = try Workspace(at: root)
                let environment = try workspace.session(actingAs: user)
                // A folder the user names is written as the account cdp runs as: never while acting for another user,
                // never among the workspace's own files.
                if let export { try ExportFile.checkDestination(export.path, in: workspace, for: environment) }
                try workspace.checkSparkRunChoices(chosen, output: output, for: environment)
                try workspace.authorizeSparkRun(environment, master: master, output: job.output, export: export)
                try Workspace.keepSparkOutputPrivate(job.output)
                if let export { try Workspace.keepSparkOutputPrivate(export.path) }
                // The steward's work in the lake goes with the job, so the run applies it (README, "decisions round trip").
                let handed = try SparkDecisions.hand(from: workspace, to: folder, job: &job)
                FileHandle.standardError.write(Data("cdp spark run: applying \(handed.summary)\n".utf8))
            }
            let given = sparkSubmit
            let submitter = try present { () throws(EngineError) -> SparkSubmitter in
                let path: String
                if let given { path = given } else { path = try SparkSubmitter.locate() }
                return SparkSubmitter(sparkSubmit: path, master: master, settings: settings)
            }
            let runID = self.runID
            try present { () throws(EngineError) in
                try job.write(to: folder)
                try submitter.submit(job: job, folder: folder, runID: runID, export: export)
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring a Spark run's files, silver, quarantine, golden records and review queue into the workspace's lake.",
            discussion: """
                FOLDER holds the run's datasets as JSON lines: what `cdp spark run --export FOLDER` writes. Files the lake \
                holds already are left as they are, so importing a run twice changes nothing; steward decisions are kept.
                """)
        @Option(name: [.short, .long], help: "The workspace folder (default: $CDP_WORKSPACE or the current folder).")
        var workspace: String?
        @Option(name: .customLong("from"), help: "The run's export folder (JSON lines per dataset).") var from: String
        @Option(name: .customLong("as"), help: "Act as this user (default: the OS user; needs the act_as permission in governance/access.toml).")
        var user: String?

        func run() throws {
            let root = workspace ?? ProcessInfo.processInfo.environment["CDP_WORKSPACE"] ?? FileManager.default.currentDirectoryPath
            let folder = URL(fileURLWithPath: from)
            let user = self.user
            let summary = try present { () throws(EngineError) -> SparkRunImport.Summary in
                let workspace = try Workspace(at: root)
                let environment = try workspace.session(actingAs: user)
                return try SparkRunImport(workspace: workspace, environment: environment, folder: folder).run()
            }
            print(
                "imported Spark run \(summary.run): \(summary.filesImported) files (\(summary.silverRows) silver rows, "
                    + "\(summary.quarantinedRows) quarantined), \(summary.filesAlreadyInLake) already in the lake")
            if summary.matchWritten {
                print("golden records: \(summary.goldenRecords); pairs for review: \(summary.reviewPairs)")
            } else {
                print("golden records and review queue: the lake already holds this run's (nothing written)")
            }
        }
    }

    /// The executor side of a Spark run (hidden from help; README documents the protocol).
    struct Worker: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The executor side of a Spark run: reads frames on stdin, writes JSON lines on stdout.",
            shouldDisplay: false,
            subcommands: [Ingest.self, MatchKeys.self, Stitch.self, Compare.self, RandomPairs.self, Train.self, Score.self, Cluster.self, GoldenIDs.self, Golden.self])

        struct Ingest: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check a source's files (framed on stdin) and write silver and quarantine rows as JSON lines.")
            @Option(name: [.short, .long], help: "The workspace folder holding cdp.toml and governance/rules.toml (no lake is opened).")
            var workspace: String
            @Option(help: "The source whose files are on stdin.") var source: String
            @Option(help: "The run's date (YYYY-MM-DD), the same on every executor.") var today: String
            @Option(help: "SOURCE=FILE: the current keys of a source a reference rule reads, one a line (repeatable).")
            var referenceKeys: [String] = []
            @Option(help: "The steward's released records (the job's decisions file): each such row is checked with the steward's values.")
            var releases: String?

            func run() throws {
                var files: [SourceName: URL] = [:]
                for pair in referenceKeys {
                    guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                        throw ValidationError("--reference-keys takes SOURCE=FILE, not '\(pair)'")
                    }
                    files[SourceName(String(pair[..<equals]))] = URL(fileURLWithPath: String(pair[pair.index(after: equals)...]))
                }
                let root = URL(fileURLWithPath: workspace)
                let releasesFile = releases.map { URL(fileURLWithPath: $0) }
                let worker = try present { () throws(EngineError) in
                    try SparkIngestWorker(
                        workspaceAt: root, source: SourceName(source), today: today, referenceKeyFiles: files, releasesFile: releasesFile)
                }
                let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
                try present { () throws(EngineError) in
                    try worker.run(input: input) { (bytes) throws(EngineError) in
                        do { try FileHandle.standardOutput.write(contentsOf: bytes) } catch {
                            throw EngineError(.input, "cannot write to stdout: \(error.localizedDescription)")
                        }
                    }
                }
            }
        }
    
        /// Options every matching stage takes.
        struct MatchOptions: ParsableArguments {
            @Option(name: [.short, .long], help: "The workspace folder holding cdp.toml and governance/matching.toml (no lake is opened).")
            var workspace: String

            func worker() throws -> SparkMatchWorker {
                let root = URL(fileURLWithPath: workspace)
                return try present { () throws(EngineError) in try SparkMatchWorker(workspaceAt: root) }
            }
        }

        /// Runs a matching stage over stdin and prints what it gives.
        static func stage(_ body: ([UInt8]) throws(EngineError) -> String) throws {
            let input = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            let output = try present { () throws(EngineError) in try body(input) }
            FileHandle.standardOutput.write(Data(output.utf8))
        }

        struct MatchKeys: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "match-keys", abstract: "Blocking keys, hard-identifier groups and term-frequency values of the records on stdin.")
            @OptionGroup var options: MatchOptions
            func run() throws {
                let worker = try options.worker()
                try Worker.stage { (input) throws(EngineError) in try worker.matchKeys(input) }
            }
        }

        struct Stitch: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Hard-identifier links of the groups of records on stdin.")
            @OptionGroup var options: MatchOptions
            func run() throws {
                let worker = try options.worker()
                try Worker.stage { (input) throws(EngineError) in try worker.stitch(input) }
            }
        }

        struct Compare: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Comparison patterns of the record pairs on stdin.")
            @OptionGroup var options: MatchOptions
            func run() throws {
                let worker = try options.worker()
                try Worker.stage { (input) throws(EngineError) in try worker.compare(input) }
            }
        }

        struct RandomPairs: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "random-pairs", abstract: "The seeded random record pairs u is estimated on, one {\"a\":N,\"b\":M} a line.")
            @OptionGroup var options: MatchOptions
            @Option(help: "How many records the whole set has.") var records: Int
            func run() throws {
                let pipeline = MatchPipeline(configuration: try options.worker().configuration)
                var output = ""
                for (index, pair) in pipeline.randomPairs(count: records).enumerated() {
                    output += "{\"draw\":\(index),\"a\":\(pair >> 32),\"b\":\(pair & 0xFFFF_FFFF)}\n"
                }
                FileHandle.standardOutput.write(Data(output.utf8))
            }
        }

        struct Train: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "The model from the pattern histograms, links and linked records on stdin.")
            @OptionGroup var options: MatchOptions
            @Option(help: "How many records the whole set has.") var records: Int
            func run() throws {
                let worker = try options.worker()
                let count = records
                try Worker.stage { (input) throws(EngineError) in try worker.train(input, recordCount: count) }
            }
        }

        struct Score: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Weights of the pairs on stdin under a trained model.")
            @OptionGroup var options: MatchOptions
            @Option(help: "The model file `train` wrote.") var model: String
            @Option(help: "How many records the whole set has.") var records: Int
            func run() throws {
                let worker = try options.worker()
                let file = URL(fileURLWithPath: model)
                let count = records
                let model = try present { () throws(EngineError) in try SparkMatchWorker.model(file: file) }
                try Worker.stage { (input) throws(EngineError) in try worker.score(input, model: model, recordCount: count) }
            }
        }

        struct Cluster: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Clusters of the strong edges and records on stdin.")
            @OptionGroup var options: MatchOptions
            func run() throws {
                let worker = try options.worker()
                try Worker.stage { (input) throws(EngineError) in try worker.cluster(input) }
            }
        }

        struct GoldenIDs: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "golden-ids", abstract: "The previous golden ids the clusters on stdin keep, from their records' votes.")
            @OptionGroup var options: MatchOptions
            func run() throws {
                let worker = try options.worker()
                try Worker.stage { (input) throws(EngineError) in try worker.goldenIDs(input) }
            }
        }

        struct Golden: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Golden records (survivorship and overrides) of the clusters on stdin.")
            @OptionGroup var options: MatchOptions
            func run() throws {
                let worker = try options.worker()
                try Worker.stage { (input) throws(EngineError) in try worker.golden(input) }
            }
        }
    }
}

import CDPCore
import Foundation

/// A Spark run of a workspace's ingest, as the driver (`cdp_spark.py`) reads it from `job.json`: where each source's
/// files are, the order reference rules need, the workspace's configuration (shipped inside the job, so an executor
/// needs no copy of the workspace), where to write, and which `cdp` runs the checks.
public struct SparkJob: Codable, Sendable, Hashable {
    public struct Source: Codable, Sendable, Hashable {
        public var name: String
        public var format: String
        /// The files' URI, a glob (`file:///…/inbox/crm/customers*.csv`, `s3a://bucket/acme/inbox/crm/customers*.csv`).
        public var input: String
        /// The folder the files are named under in messages and lineage, as the embedded lake names them (`inbox/crm/`).
        public var folder: String
        /// Sources this one's reference rules read the keys of.
        public var references: [String]
    }

    public var workspaceName: String
    /// The run's date (ISO), fixed when the job is planned so every executor checks against the same day.
    public var today: String
    /// Where runs are written (`runs/RUN_ID/…` below it).
    public var output: String
    /// The `cdp` the executors run: an absolute path, or a file name shipped with `--files` when `cdpShipped`.
    public var cdp: String
    public var cdpShipped: Bool
    /// The workspace's configuration files by path (`cdp.toml`, `governance/rules.toml`), as text.
    public var configuration: [String: String]
    public var sources: [Source]
    /// The sources of customers (the canonical `customer` entity): what matching reads from silver.
    public var customerSources: [String] = []
    /// The matching configuration's blocking rules' names and the auto-merge and review weights, for the driver.
    public var matching: Matching?
    /// The steward's decisions, overrides and golden ids the run applies (`SparkDecisions`' file, beside job.json), or
    /// nil: a run with none starts from no decisions, and keeps the golden ids of the latest earlier run.
    public var decisions: String?

    public struct Matching: Codable, Sendable, Hashable {
        public var rules: [String]
        public var comparisons: [String]
        public var maxBlockSize: Int
        /// Blocking trains each rule on at most this many pairs an earlier rule produced.
        public var trainingLimit: Int
        public var autoMergeWeight: Double
        public var reviewWeight: Double
    }

    /// Plans the job for the workspace at `root`, reading only its configuration.
    /// - Parameters:
    ///   - input: the URI the sources' paths are taken relative to (default: the workspace folder).
    ///   - output: where runs are written (default: `spark-output/` in the workspace).
    ///   - cdp: the `cdp` executable the executors run; `shipped` when spark-submit ships it with `--files`.
    /// - Throws: `EngineError.invalidConfiguration` when the configuration does not load, or asks for what Spark does
    ///   not do yet (`estimation.u_given`).
    public static func plan(
        workspaceAt root: URL, input: String? = nil, output: String? = nil, cdp: String, shipped: Bool, today: String
    ) throws(EngineError) -> SparkJob {
        let configuration = try Workspace.loadConfiguration(root: root)
        let rules = try Workspace.loadRules(root: root, sources: configuration.sources)
        var files: [String: String] = [:]
        for path in [Workspace.configurationFileName, Workspace.rulesPath, MatchingConfigurationLoader.path] {
            let url = root.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            files[path] = try Workspace.readText(url, label: path)
        }
        var base = input ?? root.standardizedFileURL.absoluteString
        if !base.hasSuffix("/") { base += "/" }
        let sources = configuration.sources.map { source in
            let checks = SourceChecks(source: source, rules: rules, defaultCountry: configuration.defaultCountry)
            let folder = (source.path as NSString).deletingLastPathComponent
            return Source(
                name: source.name.rawValue, format: source.format.rawValue, input: base + source.path,
                folder: folder.isEmpty ? "" : folder + "/", references: checks.referencedSources.map(\.rawValue))
        }
        let matching = try SparkMatchWorker(workspaceAt: root).configuration
        // The driver draws no sample of pairs that agree, so it would train another model than the embedded match.
        guard matching.estimation.uGiven.isEmpty else {
            throw EngineError(
                .invalidConfiguration,
                "\(MatchingConfigurationLoader.path): estimation.u_given (\(matching.estimation.uGiven.joined(separator: ", "))) is not done on Spark yet; remove it for `cdp spark run`, or match with `cdp match run`")
        }
        let pipeline = MatchPipeline(configuration: matching)
        return SparkJob(
            workspaceName: configuration.name, today: today,
            output: output ?? root.appendingPathComponent("spark-output").standardizedFileURL.absoluteString, cdp: cdp, cdpShipped: shipped,
            configuration: files, sources: sources,
            customerSources: configuration.sources.filter { $0.entity == .customer }.map(\.name.rawValue),
            matching: Matching(
                rules: matching.blocking.rules.map(\.name), comparisons: matching.comparisons.map(\.name),
                maxBlockSize: matching.blocking.maxBlockSize, trainingLimit: Blocker.trainingLimit,
                autoMergeWeight: pipeline.autoMergeWeight, reviewWeight: pipeline.reviewWeight))
    }

    /// A new folder only this user may enter (mkdtemp, mode 0700) to write a job into before submitting it: a
    /// name others can predict in a shared temporary folder lets them place a link or a driver of their own there.
    /// - Throws: `EngineError.workspace` when the temporary folder cannot be written.
    public static func privateFolder() throws(EngineError) -> URL {
        try PrivateTemporaryFolder.make(prefix: "cdp-spark-job")
    }

    /// The driver's source, shipped with the engine.
    public static func driverSource() throws(EngineError) -> String {
        guard
            let url = Bundle.module.url(forResource: "Spark/cdp_spark", withExtension: "py")
                ?? Bundle.module.url(forResource: "cdp_spark", withExtension: "py", subdirectory: "Spark")
        else {
            throw EngineError(.workspace, "the Spark driver (cdp_spark.py) is missing from cdp's resources; reinstall cdp")
        }
        return try Workspace.readText(url, label: "cdp_spark.py")
    }

    /// Writes the job into `folder`: `job.json`, `cdp_spark.py` and `submit.sh` (how to submit it). Returns the files.
    /// - Throws: `EngineError.workspace` when the folder cannot be written.
    @discardableResult
    public func write(to folder: URL) throws(EngineError) -> [URL] {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let job = folder.appendingPathComponent("job.json")
        let driver = folder.appendingPathComponent("cdp_spark.py")
        let submit = folder.appendingPathComponent("submit.sh")
        let files = cdpShipped ? " --files \(Self.shellQuoted(cdp))" : ""
        let script = """
            #!/bin/sh
            # Submits this Spark job: ./submit.sh [MASTER] (default local[2]; spark://host:7077, yarn, …).
            # spark-submit comes with `pip install pyspark==4.3.0` or a Spark install ($SPARK_HOME/bin).
            here=$(cd "$(dirname "$0")" && pwd)
            exec spark-submit --master "${1:-local[2]}"\(files) "$here/cdp_spark.py" run --job "$here/job.json"

            """
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try encoder.encode(self).write(to: job, options: .atomic)
            try Data(try Self.driverSource().utf8).write(to: driver, options: .atomic)
            try Data(script.utf8).write(to: submit, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: submit.path)
        } catch let error as EngineError {
            throw error
        } catch {
            throw EngineError(.workspace, "cannot write the Spark job to \(folder.path): \(error.localizedDescription)")
        }
        return [job, driver, submit]
    }

    static func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

import Foundation

/// Starts `spark-submit` on a planned job and waits for it, its output going straight to the caller's terminal.
public struct SparkSubmitter: Sendable {
    /// The `spark-submit` to run.
    public var sparkSubmit: String
    public var master: String
    /// Spark settings passed on as `--conf KEY=VALUE` (executor memory, the driver's host, …).
    public var settings: [String]

    public init(sparkSubmit: String, master: String, settings: [String] = []) {
        self.sparkSubmit = sparkSubmit
        self.master = master
        self.settings = settings
    }

    /// The Hadoop setting that decides the permissions of the files and folders a run writes.
    static let umaskSetting = "spark.hadoop.fs.permissions.umask-mode"

    /// Whether executors share this machine's files (a `local` master): they can then run `cdp` by its absolute
    /// path; any other master gets it shipped with `--files`.
    public static func isLocal(_ master: String) -> Bool { master == "local" || master.hasPrefix("local[") }

    /// `spark-submit` from `$SPARK_HOME/bin`, else the PATH, else the one pyspark installs beside itself.
    /// - Throws: `EngineError.notFound` when there is none, saying how to get one.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(EngineError) -> String {
        var candidates: [String] = []
        if let home = environment["SPARK_HOME"] { candidates.append(home + "/bin/spark-submit") }
        for folder in (environment["PATH"] ?? "").split(separator: ":") { candidates.append(folder + "/spark-submit") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) { return found }
        // pip's pyspark keeps its own bin/ inside the package.
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import os, pyspark; print(os.path.dirname(pyspark.__file__))"]
        let output = Pipe()
        probe.standardOutput = output
        probe.standardError = FileHandle.nullDevice
        if (try? probe.run()) != nil {
            let folder = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            probe.waitUntilExit()
            let path = folder + "/bin/spark-submit"
            if probe.terminationStatus == 0, FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw EngineError(
            .notFound,
            "no spark-submit: set SPARK_HOME, put spark-submit on the PATH, or `pip install pyspark==4.3.0` (Java 17 needed)")
    }

    /// Submits the job planned in `folder` (``SparkJob/write(to:)``) and waits.
    /// - Throws: `EngineError.runFailed` when spark-submit cannot start or exits with an error (its log went to stderr).
    /// - Parameter export: a folder to write the run's silver, quarantine and batches into as JSON lines too.
    public func submit(job: SparkJob, folder: URL, runID: String? = nil, export: URL? = nil) throws(EngineError) {
        var arguments = ["--master", master]
        // What the run writes holds personal values: Hadoop's writers (local or HDFS) create it for the owner only.
        if !settings.contains(where: { $0.hasPrefix(Self.umaskSetting + "=") }) { arguments += ["--conf", Self.umaskSetting + "=077"] }
        for setting in settings { arguments += ["--conf", setting] }
        if job.cdpShipped { arguments += ["--files", job.cdp] }
        arguments += [folder.appendingPathComponent("cdp_spark.py").path, "run", "--job", folder.appendingPathComponent("job.json").path]
        if let runID { arguments += ["--run", runID] }
        if let export { arguments += ["--export", export.path] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sparkSubmit)
        process.arguments = arguments
        // A local master stays on the loopback interface (Spark otherwise binds the machine's network address).
        if Self.isLocal(master), ProcessInfo.processInfo.environment["SPARK_LOCAL_IP"] == nil {
            var environment = ProcessInfo.processInfo.environment
            environment["SPARK_LOCAL_IP"] = "127.0.0.1"
            process.environment = environment
        }
        // The driver's and workers' own files (Python's folders, the JVM's scratch) are the owner's only too.
        let previousMask = umask(0o077)
        defer { umask(previousMask) }
        do { try process.run() } catch {
            throw EngineError(.runFailed, "\(sparkSubmit) could not start: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw EngineError(
                .runFailed,
                "spark-submit exited \(process.terminationStatus) (its log is above); the run's output stays in runs/_staging-… under \(job.output), never in runs/"
            )
        }
    }
}

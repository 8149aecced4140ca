import Foundation
import Testing

/// The `enterprise_cdp` wheel that an exported Databricks job names: built by `scripts/databricks/build_wheel.py`,
/// installed by pip, and its entry point run the way a `python_wheel_task` runs it (the task's package name, entry
/// point and parameters, read from the job `cdp workflow export --databricks` wrote).
@Suite(.serialized) struct DatabricksWheelCLITests {
    /// The first `python3` on PATH (the one CI installs pyspark into), else the system's.
    static let interpreter: URL? = ((ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init) + ["/usr/bin"])
        .map { URL(fileURLWithPath: $0).appendingPathComponent("python3") }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }

    static func python(_ arguments: [String], environment extra: [String: String] = [:]) throws -> CLI.Result {
        let process = Process()
        process.executableURL = interpreter ?? URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self), stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test(.enabled(if: interpreter != nil, "needs python3 with pip"))
    func anExportedJobsTaskRunsCdpFromTheWheel() throws {
        let folder = CLI.temporaryFolder("wheel")
        let workspace = folder.appendingPathComponent("acme")
        #expect(try CLI.run(["init", workspace.path, "--from", "sample-data"]).status == 0)
        let job = folder.appendingPathComponent("job.json")
        let export = try CLI.run(["workflow", "export", "--databricks", job.path, "--location", workspace.path, "--workspace", workspace.path])
        try #require(export.status == 0, "\(export.stderr)")

        let built = try Self.python([
            CLI.repositoryRoot.appendingPathComponent("scripts/databricks/build_wheel.py").path,
            "--cdp", try CLI.executable.path, "--out", folder.appendingPathComponent("dist").path, "--version", "1.0.0+test",
        ])
        try #require(built.status == 0, "\(built.stderr)")
        let wheel = built.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(wheel.hasSuffix(".whl") && wheel.contains("/enterprise_cdp-1.0.0+test-py3-none-"), "\(wheel)")
        let site = folder.appendingPathComponent("site").path
        let installed = try Self.python(["-m", "pip", "install", "--no-deps", "--no-index", "--quiet", "--target", site, wheel])
        try #require(installed.status == 0, "\(installed.stderr)")

        // What Databricks does for a python_wheel_task: find the named entry point in the installed package's
        // metadata and call it with the task's parameters as the command line.
        let runTask = """
            import json, sys
            from importlib.metadata import distribution
            job = json.load(open(sys.argv[1]))
            location = next(p["default"] for p in job["parameters"] if p["name"] == "cdp_workspace")
            task = next(t for t in job["tasks"] if "python_wheel_task" in t and not t.get("depends_on"))
            wheel = task["python_wheel_task"]
            entry = next(e for e in distribution(wheel["package_name"]).entry_points if e.name == wheel["entry_point"])
            sys.argv = [wheel["entry_point"]] + [a.replace("{{job.parameters.cdp_workspace}}", location) for a in wheel["parameters"]]
            print("task", task["task_key"], flush=True)
            entry.load()()
            """
        let ran = try Self.python(["-c", runTask, job.path], environment: ["PYTHONPATH": site])
        #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
        let taskKey = try #require(ran.stdout.split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        #expect(ran.stdout.contains("run R1 step"), "\(ran.stdout)")
        let runs = try CLI.run(["runs", "--workspace", workspace.path])
        #expect(runs.status == 0 && runs.stdout.contains("R1"), "\(runs.stdout)\(runs.stderr)")
        #expect(!taskKey.isEmpty)

        // cdp's exit status is the task's: a refusal fails the task.
        let failing = """
            import sys
            from importlib.metadata import distribution
            entry = next(e for e in distribution("enterprise_cdp").entry_points if e.name == "cdp")
            sys.argv = ["cdp", "run", "--workspace", sys.argv[1], "--step", "no_such_step"]
            entry.load()()
            """
        let failed = try Self.python(["-c", failing, workspace.path], environment: ["PYTHONPATH": site])
        #expect(failed.status != 0, "\(failed.stdout)\(failed.stderr)")
    }

    @Test(.enabled(if: interpreter != nil, "needs python3"))
    func theBuilderRefusesWhatIsNotACdpBinary() throws {
        let folder = CLI.temporaryFolder("wheel-refused")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = folder.appendingPathComponent("cdp")
        try "#!/bin/sh\necho hi\n".write(to: text, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: text.path)
        let script = CLI.repositoryRoot.appendingPathComponent("scripts/databricks/build_wheel.py").path
        let notELF = try Self.python([script, "--cdp", text.path, "--out", folder.path])
        #expect(notELF.status != 0 && notELF.stderr.contains("is not an ELF binary"), "\(notELF.stderr)")
        let missing = try Self.python([script, "--cdp", folder.appendingPathComponent("nothing").path, "--out", folder.path])
        #expect(missing.status != 0 && missing.stderr.contains("is not an executable cdp binary"), "\(missing.stderr)")
        let badVersion = try Self.python([script, "--cdp", try CLI.executable.path, "--out", folder.path, "--version", "latest"])
        #expect(badVersion.status != 0 && badVersion.stderr.contains("is not a PEP 440 version"), "\(badVersion.stderr)")
    }
}

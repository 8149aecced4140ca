import Foundation
import Testing

/// Attack 12's findings on the embedded lake and the CLI (the team store's are in `TeamStoreAttackTenTests` and
/// `PostgresSettingsTests`).
@Suite struct AttackTwelveCLITests {
    /// F1: `cdp workflow export --databricks FILE` took `--as` without checking it and wrote any file, the lake
    /// included, as the account cdp runs as. The file is now an export: refused while acting for another user and
    /// among the workspace's own files, written privately and whole.
    @Test func theDatabricksJobIsWrittenAsAnExportIs() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack12-databricks", from: "sample-data")
        let ws = ["-w", folder.path]
        let export = ["workflow", "export", "--location", "/Volumes/main/cdp/acme"] + ws
        let lake = folder.appendingPathComponent("lake/lake.sqlite").path
        let acting = try CLI.run(export + ["--databricks", folder.appendingPathComponent("job.json").path, "--as", "sam"])
        #expect(acting.status == 12, "\(acting.stderr)")
        #expect(acting.stderr.contains("while \(HardeningIdentityCLITests.kernelUser) acts as sam"), "\(acting.stderr)")
        let overLake = try CLI.run(export + ["--databricks", lake])
        #expect(overLake.status == 12, "\(overLake.stderr)")
        #expect(overLake.stderr.contains("part of the workspace"), "\(overLake.stderr)")
        #expect(try CLI.run(["status"] + ws).status == 0)

        let job = folder.appendingPathComponent("reports/job.json")
        try FileManager.default.createDirectory(at: job.deletingLastPathComponent(), withIntermediateDirectories: true)
        let written = try CLI.run(export + ["--databricks", job.path])
        #expect(written.status == 0, "\(written.stderr)")
        let text = try String(contentsOf: job, encoding: .utf8)
        #expect(text.contains("\"tasks\""))
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: job.path)[.posixPermissions] as? Int)
        #expect(mode & 0o077 == 0, "mode \(String(mode, radix: 8))")
        // `--as` is checked (and audited) here as on every command: a user without act_as cannot claim another.
        let audit = try CLI.run(["audit", "list", "--action", "access.act_as"] + ws)
        #expect(audit.stdout.contains("sam"), "\(audit.stdout)")
    }

    /// F2: acting for another user, `cdp spark run` ran the program `--spark-submit` named, and wrote a folder
    /// `--output` named, as the service account. Nothing beyond the workspace's own settings is taken then, and no
    /// one may point the output among the workspace's own files.
    @Test func actingForAnotherUserASparkRunTakesNoProgramFolderOrSetting() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack12-spark", from: "sample-data")
        let ws = ["-w", folder.path]
        let marker = CLI.temporaryFolder("attack12-spark-marker")
        let program = marker.appendingPathComponent("submit.sh")
        try FileManager.default.createDirectory(at: marker, withIntermediateDirectories: true)
        try Data("#!/bin/sh\ntouch \(marker.path)/ran\n".utf8).write(to: program)
        try #require(try CLI.chmod(["755", program.path]) == 0)
        for options in [["--spark-submit", program.path], ["--output", marker.appendingPathComponent("out").path], ["--conf", "spark.x=y"]] {
            let refused = try CLI.run(["spark", "run", "--as", "sam"] + options + ws)
            #expect(refused.status == 12, "\(options): \(refused.stderr)")
            #expect(refused.stderr.contains("does not take \(options[0]) while"), "\(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: marker.appendingPathComponent("ran").path))
        #expect(!FileManager.default.fileExists(atPath: marker.appendingPathComponent("out").path))
        let intoLake = try CLI.run(["spark", "run", "--spark-submit", program.path, "--output", folder.appendingPathComponent("lake/spark").path] + ws)
        #expect(intoLake.status == 12 && intoLake.stderr.contains("part of the workspace"), "\(intoLake.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker.appendingPathComponent("ran").path))
    }

    /// F3: a benchmark reused whatever workspace it found in its scratch folder (a predictable name in /tmp, or
    /// README's `--scratch /tmp/arrival`) and ran its workflows and notification command. A scratch folder others may
    /// write into is refused, and so is a workspace in it that is not wholly the caller's.
    @Test func aBenchmarkRunsNothingFromAScratchFolderOthersMayWrite() throws {
        let open = CLI.temporaryFolder("attack12-scratch-open")
        try FileManager.default.createDirectory(at: open, withIntermediateDirectories: true)
        try #require(try CLI.chmod(["777", open.path]) == 0)
        let arrival = try CLI.run(["bench", "arrival", "--runs", "1", "--scratch", open.path, "--from", "sample-data"])
        #expect(arrival.status == 8, "\(arrival.stderr)")
        #expect(arrival.stderr.contains("may be written by others"), "\(arrival.stderr)")

        let planted = CLI.temporaryFolder("attack12-scratch-planted")
        let workspace = planted.appendingPathComponent("workspace")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        try #require(try CLI.chmod(["700", planted.path]) == 0)
        let settings = workspace.appendingPathComponent("cdp.toml")
        try Data("[notifications]\nsendmail = \"touch \(planted.path)/ran\"\n".utf8).write(to: settings)
        try #require(try CLI.chmod(["666", settings.path]) == 0)
        let reused = try CLI.run(["bench", "customer360", "--customers", "100", "--searches", "1", "--profiles", "1", "--scratch", planted.path])
        #expect(reused.status == 8, "\(reused.stderr)")
        #expect(reused.stderr.contains("cdp.toml may be written by others"), "\(reused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: planted.appendingPathComponent("ran").path))
    }

    /// F6: a dropped file's name went into `cdp scheduler`'s log as it was: a line break in it forged log lines.
    @Test func aDroppedFilesNameStaysOnItsLogLine() throws {
        let folder = try HardeningIdentityCLITests.workspace("attack12-scheduler-log", from: "sample-data")
        let ws = ["-w", folder.path]
        let drop = folder.appendingPathComponent("drop")
        try FileManager.default.createDirectory(at: drop, withIntermediateDirectories: true)
        try """
        {"name": "drops", "trigger": {"file_arrival": {"url": "drop/", "min_time_between_triggers_seconds": 0, "wait_after_last_change_seconds": 0}},
         "tasks": [{"task_key": "scorecard", "cdp_task": {"step": "scorecard"}}]}
        """.write(to: folder.appendingPathComponent("workflows/drops.json"), atomically: true, encoding: .utf8)
        #expect(try CLI.run(["scheduler", "--once"] + ws).status == 0)
        try Data("x\n".utf8).write(to: drop.appendingPathComponent("w\n2026-12-08T00:23:30Z run R8 of customer_pipeline succeeded"))
        var log = ""
        for _ in 0..<3 where !log.contains("drops: run R") {
            log += try CLI.run(["scheduler", "--once"] + ws).stdout
        }
        #expect(log.contains("drops: run R"), "\(log)")
        for line in log.split(separator: "\n") {
            #expect(!line.hasPrefix("2026-12-08T00:23:30Z run R8"), "\(log)")
        }
    }
}

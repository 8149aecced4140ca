import Foundation
import Testing

@testable import CDPEngine

/// The meter `cdp bench spark` measures both engines with: a process's descendants count, and a failure names its log.
struct ProcessTreeMeterTests {
    /// A Python that leaves the work to a child Python and waits: the parent alone holds some 10 MB and no CPU, so
    /// only a meter that sums the whole tree sees the child's 150 MB and its busy half second.
    @Test func theWholeProcessTreeIsMeasured() throws {
        let folder = EngineFixture.temporaryFolder("meter")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let child = "x = b'\\x01' * (150 * 1024 * 1024)\nimport time\nstart = time.process_time()\nwhile time.process_time() - start < 0.5: pass\n"
        let parent = "import subprocess, sys\nsubprocess.run([sys.executable, '-c', sys.argv[1]], check=True)\n"
        let measurement = try ProcessTreeMeter(interval: 0.02).measure(
            URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", parent, child], log: folder.appendingPathComponent("tree.log"))
        #expect(measurement.peakMemoryMegabytes >= 140, "peak \(measurement.peakMemoryMegabytes) MB")
        #expect(measurement.cpuSeconds >= 0.45, "CPU \(measurement.cpuSeconds) s")
        #expect(measurement.wallSeconds >= 0.5)
    }

    @Test func aFailingCommandNamesItsLog() throws {
        let folder = EngineFixture.temporaryFolder("meter-failing")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("failing.log")
        let error = #expect(throws: EngineError.self) {
            try ProcessTreeMeter().measure(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo the reason >&2; exit 3"], log: log)
        }
        #expect(error?.code == .runFailed)
        #expect(error?.message.contains("exited 3") == true)
        #expect(error?.message.contains(log.path) == true)
        #expect(error?.message.contains("the reason") == true)
    }

    /// A command name may hold spaces and parentheses: fields are counted after the last `)`.
    @Test func statFieldsSkipTheCommandName() throws {
        let stat = "4242 (java (main) x) S 17 4242 4242 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 30 0 1234 5678 90"
        let fields = try #require(ProcessTreeMeter.statFields(stat))
        #expect(fields.parent == 17)
        #expect(fields.cpuTicks == 281)
    }

    /// Sequential steps: times add, the peak is the largest step's.
    @Test func stepsRunOneAfterAnotherAddTheirTimes() {
        let total = ProcessTreeMeter.Measurement.sequence([
            .init(wallSeconds: 2, cpuSeconds: 1.5, peakMemoryMegabytes: 300), .init(wallSeconds: 3, cpuSeconds: 2, peakMemoryMegabytes: 200),
        ])
        #expect(total == .init(wallSeconds: 5, cpuSeconds: 3.5, peakMemoryMegabytes: 300))
    }
}

/// How `cdp bench spark` fits growth and where it says memory runs out.
struct SparkBenchmarkGrowthTests {
    @Test func growthIsFittedOnLogarithms() throws {
        let linear = try #require(SparkBenchmark.exponent([(1_000, 2), (10_000, 20), (100_000, 200)]))
        #expect(abs(linear - 1) < 1e-9)
        let quadratic = try #require(SparkBenchmark.exponent([(10, 1), (20, 4)]))
        #expect(abs(quadratic - 2) < 1e-9)
        #expect(SparkBenchmark.exponent([(10, 1)]) == nil)
        #expect(SparkBenchmark.exponent([(10, 1), (10, 2)]) == nil)
    }

    /// Memory growing linearly from 1,000 MB at 100k customers reaches 24,000 MB at 2.4M; flat memory has no ceiling.
    @Test func theMemoryCeilingIsExtrapolatedFromTheLargestSize() throws {
        func measured(_ megabytes: Double) -> ProcessTreeMeter.Measurement { .init(wallSeconds: 10, cpuSeconds: 10, peakMemoryMegabytes: megabytes) }
        let growing = SparkBenchmark.growth(engine: "embedded", [(10_000, measured(100)), (100_000, measured(1_000))], machineMemoryMegabytes: 24_000)
        let ceiling = try #require(growing.memoryCeilingCustomers)
        #expect(abs(ceiling - 2_400_000) <= 1)
        #expect(growing.timeExponent == 0)
        let flat = SparkBenchmark.growth(engine: "spark", [(10_000, measured(900)), (100_000, measured(900))], machineMemoryMegabytes: 24_000)
        #expect(flat.memoryCeilingCustomers == nil)
    }
}

/// Where a Spark run writes personal values is its owner's alone (attack 8: `spark-output/` was 0755).
struct SparkOutputPrivacyTests {
    @Test func aLocalOutputFolderIsMadePrivateAndObjectStorageIsLeftAlone() throws {
        let parent = EngineFixture.temporaryFolder("spark-private")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        func mode(_ url: URL) throws -> Int? { try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int }
        let fresh = parent.appendingPathComponent("fresh/spark-output")
        try Workspace.keepSparkOutputPrivate(fresh.absoluteString)
        #expect(try mode(fresh) == 0o700)
        let existing = parent.appendingPathComponent("existing")
        try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try Workspace.keepSparkOutputPrivate(existing.path)
        #expect(try mode(existing) == 0o700)
        try Workspace.keepSparkOutputPrivate("s3a://bucket/acme/")
        #expect(!FileManager.default.fileExists(atPath: "s3a:"))
    }
}

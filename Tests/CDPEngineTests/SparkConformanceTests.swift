import CDPCore
import Foundation
import Testing

@testable import CDPEngine

/// What needs a real Spark (`pyspark` 4.3 and Java 17): a JVM start costs some 15 s, so these run only when
/// `CDP_REQUIRE_SPARK=1` (`.ci/run`'s Spark step sets it), and then a missing Spark fails them instead of
/// leaving them out.
enum SparkTestEnvironment {
    static var isRequired: Bool { ProcessInfo.processInfo.environment["CDP_REQUIRE_SPARK"] == "1" }

    /// The `cdp` built beside the tests, which `cdp spark run` also hands the executors.
    static var cdp: URL {
        get throws {
            let built = EngineFixture.repositoryRoot.appendingPathComponent(".build/debug/cdp")
            try #require(FileManager.default.isExecutableFile(atPath: built.path), "build cdp first: swift build")
            return built
        }
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try cdp
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// Every line of the JSON files Spark wrote into `folder` (one `part-*.json` per task).
    static func jsonLines(in folder: URL) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasPrefix("part-") && $0.hasSuffix(".json")
        }
        return try names.flatMap { name in
            try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8).split(separator: "\n").map(String.init)
        }
    }
}

@Suite(.enabled(if: SparkTestEnvironment.isRequired), .serialized)
struct SparkConformanceTests {
    /// The sample workspace through the embedded ingest and through `cdp spark run --master local[2]`: the same
    /// silver and quarantine rows, line for line, values, warnings and reasons included; and the run's lineage.
    @Test func sampleWorkspaceOnLocalSparkMatchesTheEmbeddedLake() throws {
        let workspace = try EngineFixture.sampleWorkspace("spark-conformance")
        let environment = Environment.live(user: "tester")
        for name in SparkIngestWorkerTests.order {
            _ = try SourceIngestor(workspace: workspace, source: try workspace.source(name), environment: environment, run: nil).ingest()
        }
        let export = EngineFixture.temporaryFolder("spark-export")
        let output = EngineFixture.temporaryFolder("spark-output")
        let run = try SparkTestEnvironment.run([
            "spark", "run", "-w", workspace.root.path, "--master", "local[2]", "--run", "conformance",
            "--output", output.absoluteString, "--export", export.path,
        ])
        try #require(run.status == 0, "cdp spark run failed: \(run.output.suffix(3000))")
        #expect(run.output.contains(#"{"run": "conformance", "output": "\#(output.absoluteString)/runs/conformance"}"#))
        // Whole or absent: the staging folder is gone once the run is renamed into place.
        let runs = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("runs").path)
        #expect(runs == ["conformance"])
        for dataset in ["bronze", "silver", "quarantine", "batches"] {
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/conformance/\(dataset)/_SUCCESS").path))
        }
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("runs/conformance/silver/source=crm_customers").path))

        let silver = try SparkTestEnvironment.jsonLines(in: export.appendingPathComponent("silver"))
        let quarantine = try SparkTestEnvironment.jsonLines(in: export.appendingPathComponent("quarantine"))
        let sparkRows =
            try silver.map { try SparkIngestWorkerTests.comparable(workerLine: $0, kind: "silver") }
            + quarantine.map { try SparkIngestWorkerTests.comparable(workerLine: $0, kind: "quarantine") }
        let lakeRows = try SparkIngestWorkerTests.lakeRows(workspace)
        let missing = Set(lakeRows).subtracting(sparkRows).sorted()
        let extra = Set(sparkRows).subtracting(lakeRows).sorted()
        #expect(missing.isEmpty, "rows of the lake Spark did not write: \(missing.prefix(3))")
        #expect(extra.isEmpty, "rows Spark wrote that the lake does not hold: \(extra.prefix(3))")
        #expect(sparkRows.count == lakeRows.count)

        // Lineage: one batch per file, with the file's SHA-256 as the embedded lake records it.
        let batches = try SparkTestEnvironment.jsonLines(in: export.appendingPathComponent("batches")).map {
            try JSONLineParser.parseDictionary($0)
        }
        #expect(batches.count == 5)
        let landed = try workspace.store.batches(source: "crm_customers")
        let customers = try #require(batches.first { $0["source"]?.text == "crm_customers" })
        #expect(customers["sha256"]?.text == landed.first?.sha256)
        #expect(customers["file"]?.text == "inbox/crm/customers.csv")
        #expect(customers["read"]?.text == "5024")
    }
}

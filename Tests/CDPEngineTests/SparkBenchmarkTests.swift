import Foundation
import Testing

@testable import CDPEngine

extension SparkConformanceTests {
    /// `cdp bench spark` at a small size: both engines run every source and matching in child processes, each side
    /// measured as a whole tree (Spark's JVM is most of its memory). One size keeps CI's Spark step short (a Spark run
    /// is minutes on a busy machine), so no growth is fitted: `SparkBenchmarkGrowthTests` checks the fit.
    /// Part of the serialized Spark suite, so no two JVMs start at once.
    @Test func benchSparkMeasuresBothEnginesAtEverySize() throws {
        SparkTestEnvironment.progress("bench: cdp bench spark at 200 customers")
        let scratch = EngineFixture.temporaryFolder("spark-bench")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let run = try SparkTestEnvironment.run(
            ["bench", "spark", "--customers", "200", "--master", "local[2]", "--scratch", scratch.path, "--json"], log: "bench", seconds: 600)
        try #require(run.status == 0, "cdp bench spark failed: \(run.output.suffix(3000))")
        let json = try #require(run.output.range(of: "{").map { String(run.output[$0.lowerBound...]) })
        let result = try JSONDecoder().decode(SparkBenchmark.Result.self, from: Data(json.utf8))
        #expect(result.sizes.map(\.customers) == [200])
        for size in result.sizes {
            #expect(size.sourceRecords > 10 * size.customers)
            for side in [size.embedded, size.spark] {
                #expect(side.wallSeconds > 0 && side.cpuSeconds > 0 && side.peakMemoryMegabytes > 0)
            }
            // A JVM with Spark's jars loaded is far larger than the embedded engine on a few thousand records.
            #expect(size.spark.peakMemoryMegabytes > size.embedded.peakMemoryMegabytes)
        }
        #expect(result.growth.map(\.engine) == ["embedded", "spark"])
        #expect(result.growth.allSatisfy { $0.timeExponent == nil && $0.memoryExponent == nil && $0.memoryCeilingCustomers == nil })
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "the bench removes its files")
    }
}

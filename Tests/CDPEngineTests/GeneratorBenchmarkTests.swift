import Foundation
import Testing

@testable import CDPEngine

/// Prints generation times for a million customers; runs only with `CDP_GENERATOR_BENCHMARK=1`
/// (best in release: `swift test -c release -Xswiftc -enable-testing --filter GeneratorBenchmark`).
@Suite(.serialized) struct GeneratorBenchmarkTests {
    static let enabled = ProcessInfo.processInfo.environment["CDP_GENERATOR_BENCHMARK"] == "1"

    @Test(.enabled(if: enabled), arguments: [false, true])
    func millionCustomers(fullShape: Bool) throws {
        let directory = GeneratorFixture.temporaryDirectory("benchmark")
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = GeneratorOptions(customers: 1_000_000, seed: 1)
        if !fullShape { options.include = [.customers] }
        let clock = ContinuousClock()
        var summary: GenerationSummary?
        let elapsed = try clock.measure {
            summary = try SampleDataGenerator(options: options).write(to: directory)
        }
        let written = try #require(summary)
        print("generator benchmark: 1,000,000 customers, \(fullShape ? "full shape" : "customers only"): \(elapsed)")
        for file in written.files {
            print("  \(file.path): \(file.rows) rows, \(file.problemRows) problems, \(file.bytes) bytes")
        }
        #expect(written.file(.customers) != nil)
    }
}

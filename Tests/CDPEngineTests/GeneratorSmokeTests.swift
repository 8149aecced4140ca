import Foundation
import Testing

@testable import CDPEngine

@Suite struct GeneratorSmokeTests {
    @Test func writesSmallSet() throws {
        let directory = URL(fileURLWithPath: "/tmp/gen-smoke")
        let summary = try SampleDataGenerator(options: GeneratorOptions(customers: 2000, seed: 1)).write(to: directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(summary)
        try data.write(to: directory.appendingPathComponent("summary.json"))
        #expect(summary.files.count == 6)
    }
}

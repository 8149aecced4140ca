import Foundation
import Testing

@testable import CDPEngine

/// The committed sample data under `sample-data/` is exactly what the generator writes for these options.
///
/// Run with `CDP_REGENERATE_SAMPLE_DATA=1` to rewrite the committed files after a deliberate change.
@Suite(.serialized) struct GeneratorSampleDataTests {
    /// Defaults except events: 7.5 per customer (≈ 37,500 rows) rather than 10, which would take the
    /// committed data past its 5 MB budget (≈ 5.4 MB).
    static let options = GeneratorOptions(customers: 5000, seed: 7, eventsPerCustomer: 7.5)
    static let files: [GeneratedFile] = [.customers, .orders, .contacts, .campaigns, .events, .truth]

    static var sampleDataDirectory: URL {
        // Tests/CDPEngineTests/ThisFile.swift → repository root.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("sample-data")
    }

    @Test func committedSampleDataMatchesAFreshGeneration() throws {
        let generator = SampleDataGenerator(options: Self.options)
        if ProcessInfo.processInfo.environment["CDP_REGENERATE_SAMPLE_DATA"] == "1" {
            let summary = try generator.write(to: Self.sampleDataDirectory)
            print("regenerated sample data: \(summary.bytes) bytes")
            return
        }
        let fresh = GeneratorFixture.temporaryDirectory("sample")
        _ = try generator.write(to: fresh)
        for file in Self.files {
            let committed = Self.sampleDataDirectory.appendingPathComponent(file.relativePath)
            let expected = try Data(contentsOf: fresh.appendingPathComponent(file.relativePath))
            let actual = try #require(
                FileManager.default.contents(atPath: committed.path),
                "missing \(committed.path); run the tests with CDP_REGENERATE_SAMPLE_DATA=1")
            #expect(
                actual == expected,
                "\(file.relativePath) differs from a fresh generation; run the tests with CDP_REGENERATE_SAMPLE_DATA=1 if the change is deliberate"
            )
        }
    }

    @Test func committedSampleDataStaysUnderFiveMegabytes() throws {
        var total = 0
        for file in Self.files {
            let path = Self.sampleDataDirectory.appendingPathComponent(file.relativePath).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            total += (attributes[.size] as? Int) ?? 0
        }
        #expect(total > 0 && total < 5_000_000, "\(total) bytes")
    }
}

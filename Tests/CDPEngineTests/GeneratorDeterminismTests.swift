import Foundation
import Testing

@testable import CDPEngine

@Suite struct GeneratorDeterminismTests {
    private func generate(_ options: GeneratorOptions) throws -> (URL, GenerationSummary) {
        let directory = GeneratorFixture.temporaryDirectory("determinism")
        let summary = try SampleDataGenerator(options: options).write(to: directory)
        return (directory, summary)
    }

    private func bytes(_ directory: URL, _ file: GeneratedFile) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(file.relativePath))
    }

    @Test func sameSeedGivesIdenticalBytes() throws {
        let options = GeneratorOptions(customers: 600, seed: 99)
        let (first, firstSummary) = try generate(options)
        let (second, secondSummary) = try generate(options)
        for file in GeneratedFile.allCases {
            #expect(try bytes(first, file) == bytes(second, file), "\(file.relativePath) differs between runs")
        }
        #expect(firstSummary == secondSummary)
    }

    @Test func differentSeedGivesDifferentFiles() throws {
        let (first, _) = try generate(GeneratorOptions(customers: 600, seed: 99))
        let (second, _) = try generate(GeneratorOptions(customers: 600, seed: 100))
        for file in GeneratedFile.allCases where file != .truth {
            #expect(try bytes(first, file) != bytes(second, file), "\(file.relativePath) ignores the seed")
        }
    }

    @Test func aFileDoesNotDependOnWhichOthersAreIncluded() throws {
        let full = try GeneratorFixture.load()
        var options = GeneratorFixture.options
        options.include = [.contacts, .events]
        let (partial, summary) = try generate(options)
        #expect(summary.files.map(\.file) == [.contacts, .events])
        #expect(try bytes(partial, .contacts) == full.data(.contacts))
        #expect(try bytes(partial, .events) == full.data(.events))
        #expect(!FileManager.default.fileExists(atPath: partial.appendingPathComponent("inbox/crm/customers.csv").path))
    }

    @Test func progressReportsEachFileWhenComplete() throws {
        final class Log: @unchecked Sendable { var entries: [(GeneratedFile, Int)] = [] }
        let log = Log()
        let directory = GeneratorFixture.temporaryDirectory("progress")
        let summary = try SampleDataGenerator(options: GeneratorOptions(customers: 300, seed: 1))
            .write(to: directory) { file, rows in log.entries.append((file, rows)) }
        for file in summary.files {
            #expect(log.entries.contains { $0.0 == file.file && $0.1 == file.rows })
        }
    }

    @Test func invalidOptionsAreReportedTogether() {
        let options = GeneratorOptions(customers: 5, seed: 1, campaigns: 0, problemRate: 2)
        #expect {
            try SampleDataGenerator(options: options).write(to: GeneratorFixture.temporaryDirectory("invalid"))
        } throws: { error in
            guard let error = error as? GenerationError else { return false }
            return error.code == .invalidOptions && error.message.contains("customers")
                && error.message.contains("campaigns") && error.message.contains("problemRate")
        }
    }
}

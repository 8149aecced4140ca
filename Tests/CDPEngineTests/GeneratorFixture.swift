import CDPTestSupport
import Foundation
import Testing

@testable import CDPEngine

/// One generated data set (N = 2,000) shared by the generator tests, written once into a temp folder.
struct GeneratorFixture: Sendable {
    let directory: URL
    let summary: GenerationSummary

    static let options = GeneratorOptions(customers: 2000, seed: 11)

    static let shared: Result<GeneratorFixture, GenerationError> = {
        let directory = temporaryDirectory("fixture")
        do {
            let summary = try SampleDataGenerator(options: options).write(to: directory)
            return .success(GeneratorFixture(directory: directory, summary: summary))
        } catch let error as GenerationError {
            return .failure(error)
        } catch {
            return .failure(GenerationError(code: .cannotWrite, message: "unexpected", cause: "\(error)"))
        }
    }()

    static func load() throws -> GeneratorFixture {
        try shared.get()
    }

    static func temporaryDirectory(_ name: String) -> URL {
        ScratchFolder.make("cdp-generator-tests", name)
    }

    func data(_ file: GeneratedFile) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(file.relativePath))
    }

    /// The file's data lines as raw bytes, split on LF (a CR before it stays), CSV header dropped.
    func rawRows(_ file: GeneratedFile) throws -> [Data] {
        let data = try data(file)
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Data($0) }
        if lines.last?.isEmpty == true { lines.removeLast() }
        return file == .contacts ? lines : Array(lines.dropFirst())
    }

    /// The data rows of a CSV file as fields (lines must be valid UTF-8 unless `lossy`).
    func csvRows(_ file: GeneratedFile) throws -> [[String]] {
        try rawRows(file).map { line in
            var text = String(decoding: line, as: UTF8.self)
            if text.hasSuffix("\r") { text.removeLast() }
            return CSV.fields(text)
        }
    }

    /// Record id → entity id from the truth file, per source.
    func truth() throws -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for row in try csvRows(.truth) {
            result[row[0], default: [:]][row[1]] = row[2]
        }
        return result
    }
}

/// A minimal RFC 4180 field splitter for one line (the generated files have no quoted line breaks).
enum CSV {
    static func fields(_ line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var quoted = false
        var characters = Array(line)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        current.append("\"")
                        characters.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}

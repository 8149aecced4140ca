import CDPCore
import CDPRepositories
import Foundation

/// The ingest stage of a Spark run, on an executor: a source's files in, silver and quarantine rows out, judged by
/// the embedded ingest's own reader and ``RowChecker``.
///
/// Input (stdin): the source's files in the order the embedded ingest takes them (by name), each as one frame: a
/// header line `{"batch":"…","file":"inbox/crm/customers.csv","bytes":N}` and then exactly N bytes, the file as
/// stored. Spark reads the files from their URIs (`binaryFile`) and the engine parses the bytes itself: Spark's
/// CSV and text readers decode as UTF-8 (an invalid byte becomes U+FFFD) and drop carriage returns, and the
/// quarantine reasons for encoding, quoting and column counts are the engine's to give.
///
/// Output (stdout): one JSON line per row (``SparkRowWriter``), then a `batch` summary line per file.
///
/// Files of one source go through one worker in order: change detection and the unique-key rule compare a row with
/// every earlier row of the source, so a later file sees the rows of the earlier ones as the lake would hold them.
/// Sources run side by side. A reference rule (an order's customer must exist) reads the referenced source's
/// current keys from a file the driver writes once that source's stage is done: one key a line, given as
/// `--reference-keys SOURCE=PATH`.
public struct SparkIngestWorker: Sendable {
    let checks: SourceChecks
    let validation: ValidationEnvironment
    /// The held rows of this source a steward fixed and released in the lake, by batch and line: each is checked with
    /// the steward's values instead of the file's, as the lake's release checked it, so it reaches silver here too.
    let releases: [String: SparkRelease]

    /// - Parameters:
    ///   - today: the run's date (ISO), the same on every executor, for rules comparing with today.
    ///   - referenceKeys: the current keys of each source the source's reference rules name.
    /// - Throws: `EngineError.notFound` for an unknown source; `.input` for a reference rule without its keys.
    /// - Parameter releases: the lake's released records (of any source: this one's are kept).
    public init(
        configuration: WorkspaceConfiguration, rules: RuleSet, source name: SourceName, today: String, referenceKeys: [SourceName: KeySet],
        releases: [SparkRelease] = []
    ) throws(EngineError) {
        guard let source = configuration.sources.first(where: { $0.name == name }) else {
            throw EngineError(
                .notFound,
                "no source '\(name)' in cdp.toml (sources: \(configuration.sources.map(\.name.rawValue).joined(separator: ", ")))")
        }
        let checks = SourceChecks(source: source, rules: rules, defaultCountry: configuration.defaultCountry)
        self.checks = checks
        let referenced = checks.referencedSources
        let missing = referenced.filter { referenceKeys[$0] == nil }
        guard missing.isEmpty else {
            throw EngineError(
                .input,
                "source '\(name)' has reference rules on \(missing.map(\.rawValue).joined(separator: ", ")); pass each one's current keys "
                    + "with --reference-keys SOURCE=FILE (one key a line; an empty file when the source has no rows yet)")
        }
        validation = ValidationEnvironment(today: today, referenceKeys: referenceKeys.filter { referenced.contains($0.key) })
        var byRow: [String: SparkRelease] = [:]
        for release in releases where release.source == name.rawValue { byRow[Self.rowKey(batch: release.batch, line: release.line)] = release }
        self.releases = byRow
    }

    static func rowKey(batch: String, line: Int) -> String { "\(batch)\u{1}\(line)" }

    /// The worker of `source` in the workspace at `root`, reading only its configuration (cdp.toml and
    /// governance/rules.toml; an executor has no lake) and each referenced source's keys from its file.
    /// - Throws: `EngineError.invalidConfiguration` for a configuration that does not load, as `cdp check` reports it.
    /// - Parameter releasesFile: the steward's released records (`SparkDecisions`' `release` lines), if any.
    public init(
        workspaceAt root: URL, source: SourceName, today: String, referenceKeyFiles: [SourceName: URL], releasesFile: URL? = nil
    ) throws(EngineError) {
        let configuration = try Workspace.loadConfiguration(root: root)
        let rules = try Workspace.loadRules(root: root, sources: configuration.sources)
        var keys: [SourceName: KeySet] = [:]
        for (name, file) in referenceKeyFiles { keys[name] = try Self.referenceKeys(file: file, source: name) }
        let releases = try releasesFile.map { (file) throws(EngineError) in try SparkRelease.read(file: file) } ?? []
        try self.init(configuration: configuration, rules: rules, source: source, today: today, referenceKeys: keys, releases: releases)
    }

    /// Reads a keys file: one key a line (a key may not hold a line break; the lake's keys are trimmed of them).
    public static func referenceKeys(file: URL, source: SourceName) throws(EngineError) -> KeySet {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw EngineError(.input, "cannot read the keys of source '\(source)' from \(file.path); the driver writes it before the stage")
        }
        var keys = KeySet()
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            _ = keys.insert(String(decoding: line, as: UTF8.self))
        }
        return keys
    }

    /// Checks every file framed in `input` and hands `output` the JSON lines, a file at a time.
    /// - Throws: `EngineError.input` when a frame is malformed (names the frame and what is wrong), or what `output` throws.
    public func run(input: [UInt8], output: ([UInt8]) throws(EngineError) -> Void) throws(EngineError) {
        var latestHashes: [String: Int64] = [:]
        var currentKeys = KeySet()
        var writer = SparkRowWriter(source: checks.source)
        var frames = SparkFrameReader(input)
        while let frame = try frames.next() {
            writer.batch = frame.batch
            writer.file = frame.file
            let reader = SourceRowReader(source: checks.source, contents: frame.contents, displayName: frame.file)
            var checker = checks.checker(
                fileName: frame.file, validation: validation, latestHashes: latestHashes, currentKeys: currentKeys, expectedRows: 1024,
                sink: writer, profile: nil)
            // What this file leaves behind, for the next file of the source: each key's latest content (silver or
            // held in quarantine) and the keys current in silver, as the lake would hold them after the batch.
            try reader.read(
                { row throws(EngineError) in
                    var parsed = ParsedRow(row: row, record: nil)
                    if !releases.isEmpty, let release = releases[Self.rowKey(batch: frame.batch, line: row.line)] {
                        // The steward's values, key and all; what reading the file found wrong is what they fixed.
                        parsed.row.values = checks.source.rawValues(heldFields: release.fields)
                        parsed.row.sourceKey = release.sourceKey
                        parsed.row.problems = []
                    }
                    let key = parsed.row.sourceKey
                    let before = checker.counts
                    checker.check(&parsed)
                    let after = checker.counts
                    guard !key.isEmpty, after.unchanged == before.unchanged else { return }
                    latestHashes[key] = row.contentHash
                    if after.silver > before.silver { _ = currentKeys.insert(key) }
                }, progress: { _ throws(EngineError) in })
            writer = checker.chunk
            writer.appendSummary(checker.counts)
            try output(writer.take())
        }
    }
}

/// One file of the worker's input.
struct SparkFrame {
    var batch: String
    var file: String
    var contents: [UInt8]
}

/// Splits the worker's input into frames (a JSON header line, then the bytes it announces).
struct SparkFrameReader {
    private let input: [UInt8]
    private var position = 0
    private var number = 0

    init(_ input: [UInt8]) { self.input = input }

    mutating func next() throws(EngineError) -> SparkFrame? {
        guard position < input.count else { return nil }
        number += 1
        guard let end = input[position...].firstIndex(of: UInt8(ascii: "\n")) else {
            throw problem("the header line has no end (expected {\"batch\":…,\"file\":…,\"bytes\":N} and a line break)")
        }
        let header: [String: JSONScalar]
        do throws(JSONLineError) {
            header = try JSONLineParser.parseDictionary(String(decoding: input[position..<end], as: UTF8.self))
        } catch {
            throw problem("the header line is not JSON: \(error.message)")
        }
        guard case .string(let batch)? = header["batch"], case .string(let file)? = header["file"] else {
            throw problem("the header needs \"batch\" and \"file\" as strings")
        }
        guard case .number(let text)? = header["bytes"], let count = Int(text), count >= 0 else {
            throw problem("the header of \(file) needs \"bytes\" as a whole number")
        }
        let start = end + 1
        guard input.count - start >= count else {
            throw problem("\(file) announces \(count) bytes but only \(input.count - start) follow; was the input cut short?")
        }
        position = start + count
        return SparkFrame(batch: batch, file: file, contents: Array(input[start..<position]))
    }

    private func problem(_ message: String) -> EngineError {
        EngineError(.input, "spark worker input, frame \(number): \(message)")
    }
}

/// A held record a steward fixed and released in the lake, as a Spark run applies it: the row of `batch` (the file's
/// first 16 hex digits of SHA-256, Spark's batch id) at `line` is checked with `fields` (raw values by canonical field,
/// extra attributes as `attributes.NAME`) and `sourceKey` instead of what the file holds.
public struct SparkRelease: Sendable, Hashable, Codable {
    public var source: String
    public var batch: String
    public var line: Int
    public var sourceKey: String
    public var fields: [String: String]

    enum CodingKeys: String, CodingKey {
        case source, batch, line, fields
        case sourceKey = "source_key"
    }

    public init(source: String, batch: String, line: Int, sourceKey: String, fields: [String: String]) {
        self.source = source
        self.batch = batch
        self.line = line
        self.sourceKey = sourceKey
        self.fields = fields
    }

    /// The `release` lines of a decisions file (other kinds are left out).
    /// - Throws: `EngineError.input` naming the file and line of a release that does not read.
    public static func read(file: URL) throws(EngineError) -> [SparkRelease] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw EngineError(.input, "cannot read the steward's released records from \(file.path); the driver ships it with the job")
        }
        var releases: [SparkRelease] = []
        let decoder = JSONDecoder()
        for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where line.starts(with: Array(#"{"kind":"release""#.utf8)) {
            do { releases.append(try decoder.decode(SparkRelease.self, from: Data(line))) } catch {
                throw EngineError(.input, "\(file.path):\(offset + 1): not a released record (source, batch, line, source_key, fields): \(error)")
            }
        }
        return releases
    }
}

import CDPCore
import CDPRepositories
import CDPStore

/// The checking step of ingestion, row by row in file order: change detection against what the lake holds
/// and the rows before in this file, standardisation of rows the parser left, validation, and routing into
/// the chunk the writer takes next.
///
/// The embedded ingest hands its rows to an ``IngestChunk`` bound for the lake; the Spark worker hands them to
/// a ``SparkRowWriter`` bound for stdout. Both run this one checker, so a row is judged the same in both.
///
/// One value owning its state, so the hot loop mutates plain stored properties: nothing is boxed for a
/// closure to capture, and no access is checked for exclusivity at run time (the key table is a struct for
/// the same reason).
struct RowChecker<Sink: CheckedRowSink> {
    let source: SourceConfiguration
    /// The file's name as people know it, for messages.
    let fileName: String
    let standardizer: RecordStandardizer
    let validator: RecordValidator
    let validation: ValidationEnvironment
    /// Keys of the source's current silver rows, before this file.
    let currentKeys: KeySet
    let profile: IngestProfile?
    /// A held row keeps its raw values as JSON keyed by field name, keys in order.
    private let fieldNames: [String]
    private let fieldsByName: [Int]

    /// Each key's latest content hash and the line of this file that first claimed it.
    var keys: SourceKeyTable
    var ledger: UniquenessLedger
    var counts = BatchCounts()
    var failedByRule: [String: Int] = [:]
    /// Rows bound for the writer.
    var chunk: Sink
    /// When the current phase started (when profiling).
    var mark: UInt64 = 0

    init(
        source: SourceConfiguration, fileName: String, standardizer: RecordStandardizer, validator: RecordValidator,
        validation: ValidationEnvironment, latestHashes: [String: Int64], currentKeys: KeySet, expectedRows: Int,
        chunk: Sink, profile: IngestProfile?
    ) {
        self.source = source
        self.fileName = fileName
        self.standardizer = standardizer
        self.validator = validator
        self.validation = validation
        self.currentKeys = currentKeys
        self.profile = profile
        // Room for this file's keys too, so the tables do not rehash as they grow.
        keys = SourceKeyTable(expectedKeys: latestHashes.count + expectedRows)
        for (key, hash) in latestHashes { keys.seed(key, contentHash: hash) }
        ledger = UniquenessLedger(expectedValues: expectedRows)
        ledger.sourceKeyClaimedAt = 0
        self.chunk = chunk
        // A held row keeps its extra attributes beside the canonical fields (`attributes.NAME`), so a release
        // writes them to silver as an ingest would.
        fieldNames = source.entity.fields.map(\.name) + source.attributeNames.map { MatchField.attributePrefix + $0 }
        fieldsByName = fieldNames.indices.sorted { [fieldNames] in fieldNames[$0] < fieldNames[$1] }
    }

    /// Adds the time since the last mark to `phase` (when profiling).
    @inline(__always)
    mutating func lap(_ phase: IngestProfile.Phase) {
        guard let profile else { return }
        let now = IngestProfile.now()
        profile.add(phase, nanoseconds: now &- mark)
        mark = now
    }

    /// Checks one row and, unless it is unchanged, adds it to the chunk.
    ///
    /// `inout` only to read the row where it lies (its address is passed) and pass its parts on borrowed:
    /// a row read from a buffer or a pointer by value is copied, retaining each of its strings and arrays
    /// (and releasing them after), a tenth of this thread. Nothing of the row is changed.
    mutating func check(_ parsed: inout ParsedRow) {
        check(parsed.row, standardized: parsed.record)
    }

    private mutating func check(_ row: borrowing SourceRow, standardized: borrowing StandardizedRecord?) {
        if profile != nil { mark = IngestProfile.now() }
        counts.read += 1
        // One hash of the key: record this row's content, learn the key's previous content and whether a row
        // of this file claimed it already.
        if !row.sourceKey.isEmpty {
            let seen = keys.record(row.sourceKey, contentHash: row.contentHash, line: row.line, clean: row.problems.isEmpty)
            if seen.unchanged {
                counts.unchanged += 1
                lap(.route)
                return
            }
            ledger.sourceKeyClaimedAt = seen.claimedAt
        }
        lap(.route)
        let record = copy standardized ?? standardizer.standardize(sourceKey: row.sourceKey, raw: row.values)
        lap(.standardise)
        var failures = row.problems
        if row.sourceKey.isEmpty && row.problems.isEmpty {
            failures.append(RuleFailure(
                rule: BuiltInRule.missingKey, field: source.primaryKey, value: nil,
                message: "\(fileName):\(row.line): the key column \(source.primaryKey) is empty", severity: .error))
        }
        failures += validator.validate(record, line: row.line, environment: validation, ledger: &ledger)
        lap(.validate)
        for failure in failures { failedByRule[failure.rule, default: 0] += 1 }
        if !failures.contains(where: { $0.severity >= .error }) {
            counts.silver += 1
            var values = record.values
            if !failures.isEmpty {
                counts.warned += 1
                // A value left out of silver is said where it lies, so the warning alone leads back to it. Once
                // left out it is a warning like any other (a silver row's warnings are of severity warn, on the
                // lake, the team store and Spark alike); the rule's own severity stays in the rule's tally.
                if failures.contains(where: { $0.severity == .omitValue }) {
                    values = validator.silverValues(record, failures: failures)
                    for index in failures.indices where failures[index].severity == .omitValue {
                        failures[index].message = "\(fileName):\(row.line): \(failures[index].message)"
                        failures[index].severity = .warn
                    }
                }
            }
            chunk.appendSilver(
                line: row.line, sourceKey: row.sourceKey, contentHash: row.contentHash, record: row.record, values: values,
                supersedes: !currentKeys.isEmpty && currentKeys.contains(row.sourceKey), warnings: failures)
        } else {
            counts.quarantined += 1
            var fields: [(key: String, value: String)] = []
            for index in fieldsByName where index < row.values.count {
                if let value = row.values[index] { fields.append((fieldNames[index], value)) }
            }
            chunk.appendQuarantine(
                line: row.line, sourceKey: row.sourceKey, contentHash: row.contentHash, record: row.record, sortedFields: fields,
                failures: failures)
        }
        lap(.route)
    }
}

/// Where the checker sends the rows it routed: silver (with the standardised values and any warnings) or
/// quarantine (with the raw values and every failure).
protocol CheckedRowSink {
    mutating func appendSilver(
        line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan, values: [FieldValue?], supersedes: Bool,
        warnings: [RuleFailure])
    mutating func appendQuarantine(
        line: Int, sourceKey: String, contentHash: Int64, record: RecordSpan, sortedFields: [(key: String, value: String)],
        failures: [RuleFailure])
}

extension IngestChunk: CheckedRowSink {}

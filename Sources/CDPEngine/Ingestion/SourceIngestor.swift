import CDPCore
import CDPRepositories
import CDPStore
import Foundation

/// Progress of one ingestion, reported after every written chunk.
public struct IngestProgress: Sendable {
    public var file: String
    public var rowsProcessed: Int
    /// Estimated from bytes read so far until the file is done, then exact.
    public var rowsEstimated: Int
}

/// What ingesting a source did.
public struct IngestSummary: Sendable, Hashable, Codable {
    public var source: SourceName
    public var filesLanded = 0
    public var filesSkipped = 0
    /// Entries matching the source's pattern that are not regular files (folders, pipes, links leading out).
    public var filesPassedOver = 0
    public var counts = BatchCounts()

    public init(source: SourceName) { self.source = source }

    public var asCounts: [String: Int] {
        var counts = [
            "files_landed": filesLanded, "files_already_landed": filesSkipped, "rows_read": counts.read,
            "rows_unchanged": counts.unchanged, "rows_to_silver": counts.silver, "rows_quarantined": counts.quarantined,
            "rows_warned": counts.warned,
        ]
        if filesPassedOver > 0 { counts["files_passed_over"] = filesPassedOver }
        return counts
    }
}

/// A row as the parser thread hands it over: read, and standardised unless its content is already stored.
struct ParsedRow {
    var row: SourceRow
    var record: StandardizedRecord?
}

/// Lands a source's new files in bronze and sends each row to silver or quarantine.
///
/// Three threads form a pipeline: one reads, parses and standardises the file (work that needs no state
/// beyond the row), the calling thread detects changes and validates in file order (uniqueness and change
/// detection need every earlier row), and a third writes chunks to the lake, each its own transaction. The
/// writer is the one step that cannot be split, so the others hand it chunks laid out for binding
/// (``IngestChunk``). A batch interrupted midway (a killed process) is discarded and redone by the next
/// run, so rows are never lost or duplicated.
public struct SourceIngestor: Sendable {
    public let workspace: Workspace
    public let source: SourceConfiguration
    public let environment: Environment
    public let run: RunID?
    public var chunkSize = 20_000
    /// A chunk is written early once its text reaches this many bytes, so very long rows cannot fill memory.
    static let chunkTextLimit = 64 << 20
    /// Rows the parser thread hands over at a time.
    static let parsedBatchSize = 2_048
    /// When set, ingestion adds the time of each phase to it (for benchmarks).
    public var profile: IngestProfile?

    public init(workspace: Workspace, source: SourceConfiguration, environment: Environment, run: RunID?) {
        self.workspace = workspace
        self.source = source
        self.environment = environment
        self.run = run
    }

    /// About how many rows `file` holds: its size over the width of the rows in its first 256 KiB. For
    /// sizing tables up front; wrong only in how much memory is reserved.
    static func estimatedRows(file: URL, bytes: Int64) -> Int {
        guard let handle = try? InboxFile.openForReading(file.path, displayName: file.path) else { return Int(bytes / 100) }
        defer { try? handle.close() }
        guard let sample = try? handle.read(upToCount: 256 << 10), !sample.isEmpty else { return 0 }
        let lines = max(1, sample.withUnsafeBytes { bytes in bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } })
        return Int(Double(bytes) * Double(lines) / Double(sample.count)) + 1
    }

    /// Whether a thread of its own standardises the rows the parser read. People's names, emails, phones and
    /// dates cost about three times their parsing, so one parser thread was the whole pipeline's pace while
    /// the checker waited; for the other entities the hand-over would cost more than it spreads.
    static func standardisesApart(_ entity: CanonicalEntity) -> Bool { entity == .customer }

    /// Files of this source not ingested yet, paired with the batch they were landed as, if any.
    func pendingFiles() throws(EngineError) -> [(file: URL, sha256: String, bytes: Int64, batch: BatchRecord?)] {
        var pending: [(URL, String, Int64, BatchRecord?)] = []
        for file in workspace.files(for: source).files {
            let digest = try profile.measure(.digest) { () throws(EngineError) -> (hex: String, bytes: Int64) in
                let name = relativePath(file)
                let handle = try InboxFile.openForReading(file.path, displayName: name)
                defer { try? handle.close() }
                return try storeCall { () throws(StoreError) in try FileDigest.sha256(readingFrom: handle, name: name) }
            }
            let existing = try storeCall { () throws(StoreError) in try workspace.repositories.batches.batch(source: source.name, sha256: digest.hex) }
            if let existing, existing.state == .ingested { continue }
            pending.append((file, digest.hex, digest.bytes, existing))
        }
        return pending
    }

    /// A problem that refuses a run before anything is written.
    public struct PreflightProblem: Sendable, Hashable {
        /// `.input` for a file that cannot be read as configured, `.fatalRule` for a fatal rule that failed.
        public var code: EngineError.Code
        public var message: String
    }

    /// Checks new files before anything is written: the header fits the mapping and no fatal rule fails.
    /// Returns every problem found.
    public func preflight() throws(EngineError) -> [PreflightProblem] {
        var problems: [PreflightProblem] = []
        let matched = workspace.files(for: source)
        if matched.files.isEmpty {
            let landed = try storeCall { () throws(StoreError) in try workspace.repositories.batches.batches(source: source.name) }
            if landed.isEmpty {
                let passedOver = matched.passedOver.isEmpty ? "" : " (passed over: \(matched.passedOver.joined(separator: "; ")))"
                problems.append(PreflightProblem(
                    code: .input, message: "source '\(source.name)': no file matches \(source.path) in \(workspace.root.path)\(passedOver)"))
            }
            return problems
        }
        let fatalRules = workspace.rules.rules(for: source.name).filter { $0.severity == .fatal }
        for pending in try pendingFiles() {
            let reader = SourceRowReader(source: source, file: pending.file, displayName: relativePath(pending.file))
            let headerProblems = try reader.headerProblems()
            problems += headerProblems.map { PreflightProblem(code: .input, message: $0) }
            if headerProblems.isEmpty && !fatalRules.isEmpty {
                problems += try fatalProblems(reader, fatalRules).map { PreflightProblem(code: .fatalRule, message: $0) }
            }
        }
        return problems
    }

    private func fatalProblems(_ reader: SourceRowReader, _ rules: [RuleDefinition]) throws(EngineError) -> [String] {
        let checks = SourceChecks(source: source, rules: rules, defaultCountry: workspace.configuration.defaultCountry)
        let validator = checks.validator
        let standardizer = checks.standardizer
        let environment = try workspace.validationEnvironment(for: rules, today: self.environment.today)
        // Dataset-level rules only need the row count: skip standardising then.
        let checksRows = rules.contains { $0.check.isRowLevel }
        var reader = reader
        // Rules that only count rows are decided once the count reaches every minimum, when none sets a
        // maximum: a whole pass over a large file only to learn it is not empty is wasted.
        let counts = rules.compactMap { rule -> (low: Int?, high: Int?)? in
            guard case .rowCount(let low, let high) = rule.check else { return nil }
            return (low, high)
        }
        if !checksRows && counts.allSatisfy({ $0.high == nil }) {
            reader.rowLimit = counts.compactMap(\.low).max() ?? 0
        }
        var ledger = UniquenessLedger()
        var rows = 0
        var problems: [String] = []
        try reader.read({ row throws(EngineError) in
            rows += 1
            guard checksRows, problems.count < 10 else { return }
            let record = standardizer.standardize(sourceKey: row.sourceKey, raw: row.values)
            for failure in validator.validate(record, line: row.line, environment: environment, ledger: &ledger)
            where failure.severity == .fatal {
                problems.append("\(reader.displayName):\(row.line): fatal rule '\(failure.rule)' failed: \(failure.message)")
            }
        }, progress: { _ throws(EngineError) in })
        for rule in rules {
            guard case .rowCount(let low, let high) = rule.check else { continue }
            if let low, rows < low {
                problems.append("\(reader.displayName): fatal rule '\(rule.name)': \(rows) rows, fewer than the minimum \(low)")
            }
            if let high, rows > high {
                problems.append("\(reader.displayName): fatal rule '\(rule.name)': \(rows) rows, more than the maximum \(high)")
            }
        }
        return problems
    }

    /// Lands and ingests every new file of the source.
    /// - Parameter warning: told of each entry matching the source's pattern that is passed over (a folder,
    ///   a named pipe, a symbolic link leading nowhere or out of the workspace), in words.
    public func ingest(
        progress: @escaping @Sendable (IngestProgress) -> Void = { _ in },
        shouldStop: @escaping @Sendable () -> EngineError? = { nil },
        warning: (String) -> Void = { _ in }
    ) throws(EngineError) -> IngestSummary {
        var summary = IngestSummary(source: source.name)
        let store = workspace.repositories.batches
        let embeddedLake = workspace.embeddedLake
        let allFiles = workspace.files(for: source)
        for reason in allFiles.passedOver { warning("passed over \(reason)") }
        summary.filesPassedOver = allFiles.passedOver.count
        let pending = try pendingFiles()
        summary.filesSkipped = allFiles.files.count - pending.count
        for file in pending {
            var batch: BatchID
            if let existing = file.batch {
                batch = existing.id
                // Left half-written by an interrupted run: start the batch over.
                try storeCall { () throws(StoreError) in try store.discardRows(of: batch) }
            } else {
                batch = try storeCall { () throws(StoreError) in
                    try store.createBatch(
                        source: source.name, fileName: relativePath(file.file), landedPath: landedPath(file.file, sha256: file.sha256),
                        sha256: file.sha256, bytes: file.bytes, landedAt: environment.timestamp, run: run)
                }
            }
            // The immutable copy is made while the rows are ingested (reading the file is what both need);
            // the batch counts as ingested only once the copy is in place, so a killed run makes it again.
            let landing = Landing { () throws(EngineError) in
                try profile.measure(.land) { () throws(EngineError) in try land(file.file, sha256: file.sha256, bytes: file.bytes) }
            }
            let counts: BatchCounts
            do {
                let writer = try storeCall { () throws(StoreError) in
                    try store.rowWriter(
                        batch: batch, run: run, source: source.name, entity: source.entity, timestamp: environment.timestamp,
                        keepsAttributes: !source.attributes.isEmpty)
                }
                let ingest = { () throws(EngineError) -> BatchCounts in
                    try Self.closing(writer) { () throws(EngineError) -> BatchCounts in
                        try ingestBatch(
                            batch, writer: writer, file: file.file, bytes: file.bytes, landing: landing, progress: progress, shouldStop: shouldStop)
                    }
                }
                // The embedded lake's write-ahead log is checkpointed beside the writer, not by it.
                if let embeddedLake {
                    counts = try embeddedLake.withBackgroundCheckpoints(ingest)
                } else {
                    counts = try ingest()
                }
            } catch {
                _ = landing.result()
                throw error
            }
            summary.filesLanded += 1
            summary.counts.read += counts.read
            summary.counts.unchanged += counts.unchanged
            summary.counts.silver += counts.silver
            summary.counts.quarantined += counts.quarantined
            summary.counts.warned += counts.warned
        }
        return summary
    }

    /// Where `file` is kept in the lake's landing folder (relative to the workspace): named by its hash.
    private func landedPath(_ file: URL, sha256: String) -> String {
        workspace.landedPath(source: source.name, fileName: file.lastPathComponent, sha256: sha256)
    }

    /// Copies the file into the lake's landing folder, read-only, unless it is there already. `bytes` is the
    /// size its digest was taken at: a copy of another size is refused, since the copy is named by that digest.
    private func land(_ file: URL, sha256: String, bytes: Int64) throws(EngineError) {
        let target = workspace.root.appendingPathComponent(landedPath(file, sha256: sha256))
        let folder = target.deletingLastPathComponent()
        let manager = FileManager.default
        func cannotLand(_ error: any Error) -> EngineError {
            EngineError(.input, "cannot land \(file.path) in \(folder.path): \(error.localizedDescription)")
        }
        do { try manager.createDirectory(at: folder, withIntermediateDirectories: true) } catch { throw cannotLand(error) }
        guard !manager.fileExists(atPath: target.path) else { return }
        let partial = target.appendingPathExtension("partial")
        try? manager.removeItem(at: partial)
        let copied = try FileCopy.copy(file, to: partial, sourceName: relativePath(file))
        guard copied == bytes else {
            try? manager.removeItem(at: partial)
            throw EngineError(
                .input,
                "\(relativePath(file)) changed while it was being landed (\(bytes) bytes when read, \(copied) when copied); run again once nothing writes to it")
        }
        do {
            try manager.moveItem(at: partial, to: target)
            try manager.setAttributes([.posixPermissions: 0o444], ofItemAtPath: target.path)
        } catch {
            throw cannotLand(error)
        }
    }

    func relativePath(_ file: URL) -> String { workspace.relativePath(file) }

    /// Runs `body`, then closes `writer` whatever happened. A writer that fails to close (a team store's first load
    /// stopped early whose left-out indexes could not be built again) fails the batch when `body` succeeded, and is
    /// added to the details of the failure that ended it when it did not.
    static func closing<T>(_ writer: any BatchRowWriter, _ body: () throws(EngineError) -> T) throws(EngineError) -> T {
        let outcome: Result<T, EngineError>
        do throws(EngineError) { outcome = .success(try body()) } catch { outcome = .failure(error) }
        do throws(StoreError) {
            try writer.close()
        } catch {
            guard case .failure(var failure) = outcome else { throw EngineError.store(error) }
            failure.details.append(error.description)
            throw failure
        }
        return try outcome.get()
    }

    private func ingestBatch(
        _ batch: BatchID, writer: any BatchRowWriter, file: URL, bytes: Int64, landing: Landing,
        progress: @escaping @Sendable (IngestProgress) -> Void, shouldStop: @escaping @Sendable () -> EngineError?
    ) throws(EngineError) -> BatchCounts {
        let store = workspace.repositories.batches
        let name = relativePath(file)
        let profile = self.profile
        let prepareStarted = IngestProfile.now()
        try storeCall { () throws(StoreError) in try store.setBatchState(batch, .ingesting, run: run, error: nil) }
        let checks = SourceChecks(source: source, rules: workspace.rules, defaultCountry: workspace.configuration.defaultCountry)
        let rules = checks.rules
        let standardizer = checks.standardizer
        let validation = try workspace.validationEnvironment(for: rules, today: environment.today)
        let latestHashes = try storeCall { () throws(StoreError) in try store.latestContentHashes(source: source.name, entity: source.entity) }
        let currentKeys = try storeCall { () throws(StoreError) in try store.currentKeys(source: source.name, entity: source.entity) }
        let expectedRows = Self.estimatedRows(file: file, bytes: bytes)
        profile?.add(.prepare, nanoseconds: IngestProfile.now() &- prepareStarted)

        // The writer thread: takes chunks in order, one transaction each.
        let channel = BoundedChannel<IngestChunk>(capacity: 3)
        // Written chunks come back emptied, so their storage is reused rather than allocated (and
        // page-faulted in) again for every chunk.
        let emptied = BoundedChannel<IngestChunk>(capacity: 5)
        let writeError = LockedBox<StoreError?>(StoreError?.none)
        let written = LockedBox(0)
        // Rows in the file, from its size and the width of its first rows until the parser has read a chunk
        // (8 MiB): the writer reports progress long before that, and an estimate of 0 showed it as done.
        let estimate = LockedBox(expectedRows)
        let done = DispatchSemaphore(value: 0)
        Self.startThread(signalling: done) {
            let cpuStarted = IngestProfile.threadCPU()
            while var rows = profile.measure(.writerWaits, { channel.receive() }) {
                do {
                    try profile.measure(.writeRows) { () throws(StoreError) in try writer.write(rows, event: nil) }
                    written.value += rows.count
                    rows.removeAll()
                    emptied.send(rows)
                    progress(IngestProgress(file: name, rowsProcessed: written.value, rowsEstimated: max(estimate.value, written.value)))
                } catch {
                    writeError.value = error as? StoreError ?? StoreError(.database, String(describing: error))
                    channel.close()
                    emptied.close()
                }
            }
            emptied.close()
            profile?.add(.writerCPU, nanoseconds: IngestProfile.threadCPU() &- cpuStarted)
        }

        // The parser thread: reads, parses and standardises the file into batches of rows, in order. A row
        // whose content the lake already holds is not standardised: it is almost surely unchanged (the
        // checker decides, and standardises it after all if an earlier row of this file changed its key).
        // For people (see `standardisesApart`) a thread of its own standardises what the parser read.
        let apart = Self.standardisesApart(source.entity)
        let parsed = BoundedChannel<[ParsedRow]>(capacity: 4)
        let standardised = apart ? BoundedChannel<[ParsedRow]>(capacity: 4) : parsed
        // Checked batches go back to the threads that filled them to be emptied there: a row's strings are
        // then freed by the thread that allocated them. Freed on another thread, each takes the allocator's
        // arena lock (futex wake-ups on both threads, a tenth of their time). With a standardiser, it frees
        // the records and passes the batch on to the parser. Never full: the parser makes a new batch only
        // when none came back, so no more batches exist than the channels and threads between can hold.
        let spent = BoundedChannel<[ParsedRow]>(capacity: 32)
        let spentRecords = apart ? BoundedChannel<[ParsedRow]>(capacity: 32) : spent
        let storedHashes = latestHashes
        @Sendable func needsStandardising(_ row: SourceRow) -> Bool {
            row.sourceKey.isEmpty || !row.problems.isEmpty || storedHashes[row.sourceKey] != row.contentHash
        }
        let readError = LockedBox<EngineError?>(EngineError?.none)
        let parserDone = DispatchSemaphore(value: 0)
        let reader = SourceRowReader(source: source, file: file, displayName: name)
        Self.startThread(signalling: parserDone) {
            let cpuStarted = IngestProfile.threadCPU()
            var rows: [ParsedRow] = []
            rows.reserveCapacity(Self.parsedBatchSize)
            var rowsParsed = 0
            do throws(EngineError) {
                try reader.read({ row throws(EngineError) in
                    rowsParsed += 1
                    let record = !apart && needsStandardising(row) ? standardizer.standardize(sourceKey: row.sourceKey, raw: row.values) : nil
                    rows.append(ParsedRow(row: row, record: record))
                    guard rows.count >= Self.parsedBatchSize else { return }
                    // Closed: the checking side stopped (an error, or told to stop); so does reading.
                    guard profile.measure(.parserWaits, { parsed.send(rows) }) else { throw EngineError(.input, "\(name): reading stopped") }
                    // Let go of the sent batch at once: a standardiser writes into it, and a batch still held
                    // here would be copied whole (every string retained) when it does.
                    rows = []
                    if var returned = spent.tryReceive() {
                        returned.removeAll(keepingCapacity: true)
                        rows = returned
                    } else {
                        rows.reserveCapacity(Self.parsedBatchSize)
                    }
                }, progress: { consumed throws(EngineError) in
                    if consumed > 0 { estimate.value = Int(Double(rowsParsed) * Double(bytes) / Double(consumed)) }
                })
                if !rows.isEmpty { parsed.send(rows) }
            } catch {
                readError.value = error
            }
            profile?.add(.parse, nanoseconds: IngestProfile.threadCPU() &- cpuStarted)
            parsed.close()
        }
        // Waited for only when there is a standardiser (libdispatch refuses to free a semaphore left below its start).
        let standardiserDone = DispatchSemaphore(value: 0)
        if apart {
            Self.startThread(signalling: standardiserDone) {
                let cpuStarted = IngestProfile.threadCPU()
                func passOnSpent() {
                    while var returned = spentRecords.tryReceive() {
                        for index in returned.indices { returned[index].record = nil }
                        spent.send(returned)
                    }
                }
                while var rows = parsed.receive() {
                    for index in rows.indices where needsStandardising(rows[index].row) {
                        rows[index].record = standardizer.standardize(sourceKey: rows[index].row.sourceKey, raw: rows[index].row.values)
                    }
                    guard profile.measure(.standardiserWaits, { standardised.send(rows) }) else { break }
                    passOnSpent()
                }
                // The parser may be waiting on a full `parsed` for the checker that stopped: let it see the end.
                parsed.close()
                standardised.close()
                profile?.add(.standardiserCPU, nanoseconds: IngestProfile.threadCPU() &- cpuStarted)
            }
        }

        // Room for a chunk's text up front (the key and standardised values of rows some 150 bytes long),
        // so it does not grow by copying. A small file needs less than a whole chunk.
        let chunkRows = min(chunkSize, max(64, expectedRows))
        let chunkBytes = chunkRows * 256
        func freshChunk() -> IngestChunk {
            IngestChunk(expectedRows: chunkRows, expectedValues: source.entity.fields.count, expectedBytes: chunkBytes)
        }
        var checker = checks.checker(
            fileName: name, validation: validation, latestHashes: latestHashes, currentKeys: currentKeys, expectedRows: expectedRows,
            sink: freshChunk(), profile: profile)
        var chunksMade = 1
        func flush() throws(EngineError) {
            guard !checker.chunk.isEmpty else { return }
            if let stop = shouldStop() { throw stop }
            if !profile.measure(.producerWaits, { channel.send(checker.chunk) }) {
                throw EngineError.store(writeError.value ?? StoreError(.database, "the lake writer stopped"))
            }
            // Enough chunks to keep the writer busy exist after a few; then wait for one to come back.
            if chunksMade < 5 {
                chunksMade += 1
                checker.chunk = freshChunk()
            } else if let reused = profile.measure(.producerWaits, { emptied.receive() }) {
                checker.chunk = reused
            } else {
                throw EngineError.store(writeError.value ?? StoreError(.database, "the lake writer stopped"))
            }
        }
        /// Ends every thread of the pipeline: each sees its channels closed (at once, if the checker stopped
        /// early; after its last batch otherwise) and finishes.
        func endThreads() {
            parsed.close()
            standardised.close()
            spent.close()
            spentRecords.close()
            parserDone.wait()
            if apart { standardiserDone.wait() }
            channel.close()
            emptied.close()
            done.wait()
        }
        let producerCPUStarted = IngestProfile.threadCPU()
        do throws(EngineError) {
            // The checking thread (this one): change detection, standardisation, validation, in file order.
            while let rows = profile.measure(.checkerWaits, { standardised.receive() }) {
                // Rows are read where they lie. The thread that sent the batch may still hold it for a moment,
                // so the batch is not taken as mutable (that would copy all of it, retaining every string);
                // its rows are passed by address, and the checker changes nothing in them.
                try rows.withUnsafeBufferPointer { (rows) throws(EngineError) in
                    guard let first = rows.baseAddress else { return }
                    for index in rows.indices {
                        checker.check(&UnsafeMutablePointer(mutating: first + index).pointee)
                        if checker.chunk.count >= chunkSize || checker.chunk.textBytes >= Self.chunkTextLimit { try flush() }
                    }
                }
                spentRecords.send(rows)
            }
            if let error = readError.value { throw error }
            try flush()
            profile?.add(.producerCPU, nanoseconds: IngestProfile.threadCPU() &- producerCPUStarted)
        } catch {
            endThreads()
            throw error
        }
        endThreads()
        if let error = writeError.value { throw EngineError.store(error) }
        let counts = checker.counts
        let failedByRule = checker.failedByRule
        let tallies = rules.filter(\.check.isRowLevel).map {
            RuleTally(rule: $0.name, severity: $0.severity, evaluated: counts.read - counts.unchanged, failed: failedByRule[$0.name] ?? 0)
        } + failedByRule.keys.filter { name in !rules.contains { $0.name == name } }.sorted().map {
            RuleTally(rule: $0, severity: BuiltInRule.isParseRule($0) ? .error : .warn, evaluated: counts.read - counts.unchanged, failed: failedByRule[$0] ?? 0)
        }
        try landing.result().get()
        try profile.measure(.finish) { () throws(EngineError) in
            try storeCall { () throws(StoreError) in
                try writer.finish()
                try store.finishBatch(batch, source: source.name, run: run, counts: counts, tallies: tallies)
            }
        }
        progress(IngestProgress(file: name, rowsProcessed: counts.read, rowsEstimated: counts.read))
        return counts
    }
}

extension SourceIngestor {
    /// Runs `body` on a thread of its own (a megabyte of stack, for deeply nested input) and signals `done`
    /// when it returns.
    static func startThread(signalling done: DispatchSemaphore, _ body: @escaping @Sendable () -> Void) {
        Thread.start(stackSize: 1 << 20) {
            body()
            done.signal()
        }
    }
}

/// A landed file's copy being made on a thread of its own.
final class Landing: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<Void, EngineError> = .success(())
    private var waited = false

    init(_ copy: @escaping @Sendable () throws(EngineError) -> Void) {
        SourceIngestor.startThread(signalling: done) { [self] in
            do throws(EngineError) { try copy() } catch { outcome = .failure(error) }
        }
    }

    /// Waits for the copy; once waited for, the same outcome again.
    func result() -> Result<Void, EngineError> {
        if !waited {
            done.wait()
            waited = true
        }
        return outcome
    }
}

extension Workspace {
    /// Where a file of `source` named `fileName` is kept in the lake's landing folder (relative to the workspace):
    /// named by its hash, so two files of one name never share a copy.
    func landedPath(source: SourceName, fileName: String, sha256: String) -> String {
        let target = landingFolder.appendingPathComponent(source.rawValue).appendingPathComponent("\(sha256.prefix(16))-\(fileName)")
        return String(target.path.dropFirst(root.path.count + 1))
    }
}

import CDPCore
import Foundation

/// One row read from a source file, before standardisation.
struct SourceRow {
    var line: Int
    /// Raw values by canonical field index.
    var values: [String?]
    var sourceKey: String
    /// Where the record lies in the file: bronze keeps the landed file and this span, not a copy of the text.
    var record: RecordSpan
    var contentHash: Int64
    /// Problems found while reading (bad quoting, encoding, column count, malformed JSON).
    var problems: [RuleFailure]
}

/// Reads a CSV or JSON Lines file in chunks and hands back rows mapped onto canonical fields.
///
/// The embedded ingest reads a file on disk; the Spark worker reads the bytes Spark handed it (a file read
/// whole from its URI), through the same parsing, so both see the same rows, problems and hashes.
struct SourceRowReader {
    /// Where the bytes come from.
    enum Input: Sendable {
        case file(URL)
        /// A file's whole contents, already read.
        case contents([UInt8])
    }

    let source: SourceConfiguration
    let input: Input
    /// The name people know the file by, for messages.
    let displayName: String
    /// Stop after this many rows (a check that only needs to know the file has so many).
    var rowLimit: Int?
    static let chunkSize = 8 << 20

    init(source: SourceConfiguration, file: URL, displayName: String) {
        self.source = source
        self.input = .file(file)
        self.displayName = displayName
    }

    init(source: SourceConfiguration, contents: [UInt8], displayName: String) {
        self.source = source
        self.input = .contents(contents)
        self.displayName = displayName
    }

    /// For CSV: checks the header against the mapping: every column it reads is there, once. Returns the
    /// problems (empty when it fits).
    func headerProblems() throws(EngineError) -> [String] {
        guard source.format == .csv else { return [] }
        var header: [String]?
        try readChunks { bytes, isFinal, parser -> Int in
            let consumed = parser.parse(bytes, isFinal: isFinal) { row in
                if header == nil { header = row.fields }
            }
            return header == nil && !isFinal ? consumed : -1
        }
        guard let header else { return ["\(displayName): the file is empty; expected a header line with \(source.requiredColumns.joined(separator: ", "))"] }
        let names = CSVHeader(header)
        let present = Set(names.names)
        let missing = source.requiredColumns.filter { !present.contains($0) }
        guard missing.isEmpty else {
            return ["\(displayName):1: the header lacks column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) named by the mapping of source '\(source.name)' (header: \(header.joined(separator: ", ")))"]
        }
        return repeatedColumns(names)
    }

    /// A column the mapping (or the key) reads that the header names more than once: which one is meant
    /// cannot be told (the first was read before, silently).
    private func repeatedColumns(_ header: CSVHeader) -> [String] {
        header.repeatedNames(among: Set(source.requiredColumns)).map { repeated in
            "\(displayName):1: the header names column '\(repeated.name)' \(repeated.columns.count) times (columns "
                + "\(repeated.columns.map(String.init).joined(separator: ", "))), read by the mapping of source '\(source.name)'; "
                + "rename or remove all but one"
        }
    }

    /// Reads every row, calling `emit` in file order. `progress` gets bytes consumed so far.
    func read(_ emit: (SourceRow) throws(EngineError) -> Void, progress: (Int64) throws(EngineError) -> Void) throws(EngineError) {
        switch source.format {
        case .csv: try readCSV(emit, progress: progress)
        case .jsonl: try readJSONLines(emit, progress: progress)
        }
    }

    private func readCSV(_ emit: (SourceRow) throws(EngineError) -> Void, progress: (Int64) throws(EngineError) -> Void) throws(EngineError) {
        let fields = source.entity.fields
        var columnOf: [Int?] = []
        var keyColumn = 0
        var headerNames: [String] = []
        var consumedTotal: Int64 = 0
        var failure: EngineError?
        var emitted = 0
        let limit = rowLimit ?? .max
        try readChunks { bytes, isFinal, parser -> Int in
            let chunkStart = bytes.baseAddress
            let consumed = parser.parseRecords(bytes, isFinal: isFinal) { row, record in
                guard failure == nil, emitted < limit else { return }
                if columnOf.isEmpty {
                    let header = CSVHeader(row.fields)
                    if let problem = repeatedColumns(header).first {
                        failure = EngineError(.input, problem)
                        return
                    }
                    headerNames = header.names
                    columnOf = fields.map { field in source.mapping[field.name].flatMap { headerNames.firstIndex(of: $0) } }
                        + source.attributeNames.map { name in source.attributes[name].flatMap { headerNames.firstIndex(of: $0) } }
                    keyColumn = headerNames.firstIndex(of: source.primaryKey) ?? 0
                    return
                }
                var problems: [RuleFailure] = []
                for problem in row.problems {
                    problems.append(Self.failure(for: problem, row: row, header: headerNames))
                }
                if row.fields.count != headerNames.count {
                    problems.append(RuleFailure(
                        rule: BuiltInRule.columnCount, field: nil, value: nil,
                        message: "\(displayName):\(row.line): expected \(headerNames.count) fields, found \(row.fields.count)",
                        severity: .error))
                }
                var values = columnOf.map { column -> String? in
                    guard let column, column < row.fields.count else { return nil }
                    return row.fields[column]
                }
                var key = keyColumn < row.fields.count ? TextNormalization.trim(row.fields[keyColumn]) : ""
                if let start = record.baseAddress, memchr(start, 0, record.count) != nil {
                    problems += nulProblems(&values, key: &key, line: row.line) { field in
                        columnOf[field].map { $0 < headerNames.count ? "column \(headerNames[$0])" : "column \($0 + 1)" }
                    }
                }
                emitted += 1
                do {
                    try emit(SourceRow(
                        line: row.line, values: values, sourceKey: key,
                        record: Self.span(of: UnsafeRawPointer(record.baseAddress), count: record.count, in: chunkStart, startingAt: consumedTotal),
                        contentHash: Self.contentHash(row.fields), problems: problems))
                } catch { failure = error as? EngineError ?? EngineError(.input, String(describing: error)) }
            }
            consumedTotal += Int64(consumed)
            if failure == nil {
                do { try progress(consumedTotal) } catch { failure = error as? EngineError ?? EngineError(.input, String(describing: error)) }
            }
            return failure == nil && emitted < limit ? consumed : -1
        }
        if let failure { throw failure }
    }

    private func readJSONLines(_ emit: (SourceRow) throws(EngineError) -> Void, progress: (Int64) throws(EngineError) -> Void) throws(EngineError) {
        let fields = source.entity.fields
        // The canonical fields, then the extra attributes (sorted by name): how a row's values are indexed.
        let mappedColumns = fields.map { source.mapping[$0.name] } + source.attributeNames.map { source.attributes[$0] }
        var layout = JSONMemberLayout(fields: mappedColumns)
        var splitter = TextLineSplitter()
        var consumedTotal: Int64 = 0
        var failure: EngineError?
        var emitted = 0
        let limit = rowLimit ?? .max
        try readChunks { bytes, isFinal, _ -> Int in
            let chunkStart = bytes.baseAddress
            let consumed = splitter.split(bytes, isFinal: isFinal) { line, text in
                guard failure == nil, emitted < limit else { return }
                emitted += 1
                var problems: [RuleFailure] = []
                var values = [String?](repeating: nil, count: mappedColumns.count)
                var key = ""
                do throws(JSONLineError) {
                    let members = try JSONLineParser.parseFields(text)
                    for (position, member) in members.enumerated() {
                        let text = member.value.text
                        let (fed, repeats) = layout.member(member.key, at: position)
                        if member.key == source.primaryKey {
                            key = text ?? ""
                            if let problem = keyTypeProblem(member.value, line: line) { problems.append(problem) }
                        }
                        for field in fed { values[field] = text }
                        if let repeats {
                            problems.append(RuleFailure(
                                rule: BuiltInRule.duplicateMember, field: fed.first.map { $0 < fields.count ? fields[$0].name : "attributes.\(source.attributeNames[$0 - fields.count])" }, value: text,
                                message: "\(displayName):\(line): the key \"\(member.key)\" appears twice (members \(repeats + 1) and "
                                    + "\(position + 1), values \(Self.shown(members[repeats].value)) and \(Self.shown(member.value))); "
                                    + "which is meant cannot be told",
                                severity: .error))
                        }
                    }
                } catch {
                    problems.append(RuleFailure(
                        rule: BuiltInRule.json, field: nil, value: nil,
                        message: "\(displayName):\(line): \(error.message)", severity: .error))
                    values = [String?](repeating: nil, count: mappedColumns.count)
                    key = ""
                }
                // A NUL can only come from an escape (a raw one is not JSON).
                if Self.holdsEscapedNUL(text) {
                    problems += nulProblems(&values, key: &key, line: line) { field in
                        mappedColumns[field].map { "member \"\($0)\"" }
                    }
                }
                var hash = FNV1a()
                hash.add(bytes: text)
                do {
                    try emit(SourceRow(
                        line: line, values: values, sourceKey: key,
                        record: Self.span(of: text.baseAddress, count: text.count, in: chunkStart, startingAt: consumedTotal),
                        contentHash: hash.value, problems: problems))
                } catch { failure = error as? EngineError ?? EngineError(.input, String(describing: error)) }
            }
            consumedTotal += Int64(consumed)
            if failure == nil {
                do { try progress(consumedTotal) } catch { failure = error as? EngineError ?? EngineError(.input, String(describing: error)) }
            }
            return failure == nil && emitted < limit ? consumed : -1
        }
        if let failure { throw failure }
    }

    /// Values (and the key) holding a NUL character (U+0000), each held under `parse.encoding` naming file, line and
    /// field: PostgreSQL's text cannot hold one (a COPY of it into the team store fails, and every later run with
    /// it), and a value nobody can see the end of is no value to keep, so both stores hold such a record in
    /// quarantine alike. The NUL is replaced by U+FFFD in what is kept, as undecodable bytes are.
    /// - Parameter where: the field's place in the file (`column email`, `member "email"`), by value index.
    func nulProblems(_ values: inout [String?], key: inout String, line: Int, where place: (Int) -> String?) -> [RuleFailure] {
        var problems: [RuleFailure] = []
        let fields = source.entity.fields
        func fieldName(_ index: Int) -> String {
            index < fields.count ? fields[index].name : "attributes.\(source.attributeNames[index - fields.count])"
        }
        func replaced(_ text: String) -> String { String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) }) }
        if key.utf8.contains(0) {
            key = replaced(key)
            problems.append(RuleFailure(
                rule: BuiltInRule.encoding, field: RuleFieldName.sourceKey, value: key,
                message: "\(displayName):\(line): the key \(source.primaryKey) holds a NUL character (U+0000), which the lake cannot "
                    + "store; it shows as U+FFFD — correct the file and land it again",
                severity: .error))
        }
        for index in values.indices {
            guard let value = values[index], value.utf8.contains(0) else { continue }
            let kept = replaced(value)
            values[index] = kept
            problems.append(RuleFailure(
                rule: BuiltInRule.encoding, field: fieldName(index), value: kept,
                message: "\(displayName):\(line), \(place(index) ?? fieldName(index)): \(fieldName(index)) holds a NUL character (U+0000), "
                    + "which the lake cannot store; it shows as U+FFFD — fix the value (cdp quarantine fix) or the file",
                severity: .error))
        }
        return problems
    }

    /// Whether a JSON line holds the escape `\u0000` (a backslash escaping a backslash is passed over), found by
    /// `memchr` from backslash to backslash: most lines hold none.
    static func holdsEscapedNUL(_ text: UnsafeRawBufferPointer) -> Bool {
        guard let base = text.baseAddress else { return false }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var position = 0
        while position < text.count, let hit = memchr(base + position, 0x5C, text.count - position) {
            let at = base.distance(to: UnsafeRawPointer(hit))
            if at + 5 < text.count, bytes[at + 1] == 0x75, bytes[at + 2] == 0x30, bytes[at + 3] == 0x30, bytes[at + 4] == 0x30,
                bytes[at + 5] == 0x30
            {
                return true
            }
            position = at + 2
        }
        return false
    }

    /// A key that is an object, an array or a boolean: no record is keyed so, and its text would make one up.
    private func keyTypeProblem(_ value: JSONScalar, line: Int) -> RuleFailure? {
        let kind: String
        switch value {
        case .string, .number, .null: return nil
        case .bool: kind = "a boolean"
        case .nested(let text): kind = text.hasPrefix("[") ? "an array" : "an object"
        }
        return RuleFailure(
            rule: BuiltInRule.keyType, field: RuleFieldName.sourceKey, value: value.text,
            message: "\(displayName):\(line): the key \(source.primaryKey) is \(kind) (\(Self.shown(value))); a key must be a string or a number",
            severity: .error)
    }

    /// A JSON value as a message shows it: strings quoted, the rest as written (at most 40 characters).
    static func shown(_ value: JSONScalar) -> String {
        switch value {
        case .string(let text): return "\"\(FieldLimits.excerpt(text))\""
        case .null: return "null"
        default: return FieldLimits.excerpt(value.text ?? "")
        }
    }

    /// Feeds the file through `body` chunk by chunk, carrying over what it did not consume. `body`
    /// returns the bytes consumed, or -1 to stop early.
    private func readChunks(_ body: (UnsafeRawBufferPointer, Bool, inout CSVParser) -> Int) throws(EngineError) {
        var parser = CSVParser(options: CSVParser.Options(delimiter: source.delimiter.utf8.first ?? 44, expectsHeader: false))
        let file: URL
        switch input {
        case .contents(let contents):
            _ = contents.withUnsafeBytes { body($0, true, &parser) }
            return
        case .file(let url): file = url
        }
        let handle = try InboxFile.openForReading(file.path, displayName: displayName)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        var atEnd = false
        while true {
            if !atEnd {
                do {
                    let chunk = try handle.read(upToCount: Self.chunkSize) ?? Data()
                    if chunk.isEmpty { atEnd = true } else { buffer.append(contentsOf: chunk) }
                } catch {
                    throw EngineError(.input, "\(displayName): read failed: \(error.localizedDescription)")
                }
            }
            let consumed = buffer.withUnsafeBytes { body($0, atEnd, &parser) }
            if consumed < 0 { return }
            buffer.removeFirst(min(consumed, buffer.count))
            if atEnd { return }
        }
    }

    private static func failure(for problem: CSVRowProblem, row: CSVRow, header: [String]) -> RuleFailure {
        func column(_ index: Int) -> String? { index < header.count ? header[index] : "column \(index + 1)" }
        switch problem {
        case .invalidUTF8(let field):
            return RuleFailure(
                rule: BuiltInRule.encoding, field: column(field), value: field < row.fields.count ? row.fields[field] : nil,
                message: "line \(row.line), \(column(field) ?? "?"): \(problem.message)", severity: .error)
        case .unterminatedQuote:
            return RuleFailure(rule: BuiltInRule.quoting, field: nil, value: nil, message: "line \(row.line): \(problem.message)", severity: .error)
        case .quoteInUnquotedField(let field), .textAfterClosingQuote(let field):
            return RuleFailure(
                rule: BuiltInRule.quoting, field: column(field), value: field < row.fields.count ? row.fields[field] : nil,
                message: "line \(row.line), \(column(field) ?? "?"): \(problem.message)", severity: .error)
        }
    }

    /// Where a record handed over by the parser lies in the file: `chunk` is the start of the bytes being
    /// parsed, which begin `chunkOffset` bytes into the file.
    static func span(of record: UnsafeRawPointer?, count: Int, in chunk: UnsafeRawPointer?, startingAt chunkOffset: Int64) -> RecordSpan {
        guard let record, let chunk else { return RecordSpan(offset: chunkOffset, length: 0) }
        return RecordSpan(offset: chunkOffset + Int64(chunk.distance(to: record)), length: Int64(count))
    }

    static func contentHash(_ fields: [String]) -> Int64 {
        var hash = FNV1a()
        for field in fields {
            hash.add(field)
            hash.addByte(0x1F)
        }
        return hash.value
    }
}

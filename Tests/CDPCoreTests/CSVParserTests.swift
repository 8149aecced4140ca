import Testing
@testable import CDPCore

/// Parses `text` (or raw `bytes`) whole, without a header, and returns (line, fields, problems).
private func parse(_ bytes: [UInt8], options: CSVParser.Options = .init(expectsHeader: false)) -> [CSVRow] {
    CSVParser.parseAll(bytes, options: options).rows
}

private func parse(_ text: String, options: CSVParser.Options = .init(expectsHeader: false)) -> [CSVRow] {
    parse(Array(text.utf8), options: options)
}

/// Parses `bytes` fed as two chunks split at `split`, carrying the unconsumed remainder over.
private func parseChunked(_ bytes: [UInt8], splits: [Int], options: CSVParser.Options) -> (CSVRow?, [CSVRow]) {
    var parser = CSVParser(options: options)
    var rows: [CSVRow] = []
    var pending: [UInt8] = []
    var previous = 0
    for cut in splits + [bytes.count] {
        pending += bytes[previous..<cut]
        previous = cut
        let isFinal = cut == bytes.count
        let consumed = pending.withUnsafeBytes { parser.parse($0, isFinal: isFinal) { rows.append($0) } }
        #expect(consumed <= pending.count)
        pending.removeFirst(consumed)
    }
    #expect(pending.isEmpty)
    return (parser.headerRow, rows)
}

struct CSVCase: Sendable, CustomTestStringConvertible {
    var name: String
    var input: [UInt8]
    var rows: [[String]]
    var lines: [Int]
    var problems: [[CSVRowProblem]] = []
    var testDescription: String { name }

    init(_ name: String, _ input: String, _ rows: [[String]], lines: [Int], problems: [[CSVRowProblem]] = []) {
        self.init(name, Array(input.utf8), rows, lines: lines, problems: problems)
    }

    init(_ name: String, _ input: [UInt8], _ rows: [[String]], lines: [Int], problems: [[CSVRowProblem]] = []) {
        self.name = name
        self.input = input
        self.rows = rows
        self.lines = lines
        self.problems = problems.isEmpty ? rows.map { _ in [] } : problems
    }
}

let csvCases: [CSVCase] = [
    CSVCase("simple LF", "a,b,c\n1,2,3\n", [["a", "b", "c"], ["1", "2", "3"]], lines: [1, 2]),
    CSVCase("CRLF", "a,b\r\n1,2\r\n", [["a", "b"], ["1", "2"]], lines: [1, 2]),
    CSVCase("lone CR", "a,b\r1,2\r", [["a", "b"], ["1", "2"]], lines: [1, 2]),
    CSVCase("no trailing newline", "a,b\n1,2", [["a", "b"], ["1", "2"]], lines: [1, 2]),
    CSVCase("empty fields", ",a,,\n", [["", "a", "", ""]], lines: [1]),
    CSVCase("trailing delimiter at EOF", "a,", [["a", ""]], lines: [1]),
    CSVCase("quoted delimiter", "\"a,b\",c\n", [["a,b", "c"]], lines: [1]),
    CSVCase("quoted newline", "\"line1\nline2\",x\nnext,y\n", [["line1\nline2", "x"], ["next", "y"]], lines: [1, 3]),
    CSVCase("quoted CRLF", "\"l1\r\nl2\",x\r\nz,y\r\n", [["l1\r\nl2", "x"], ["z", "y"]], lines: [1, 3]),
    CSVCase("doubled quotes", "\"say \"\"hi\"\"\",b\n", [["say \"hi\"", "b"]], lines: [1]),
    CSVCase("only doubled quote", "\"\"\"\"\n", [["\""]], lines: [1]),
    CSVCase("empty quoted", "\"\",x\n", [["", "x"]], lines: [1]),
    CSVCase("BOM", [0xEF, 0xBB, 0xBF] + Array("a,b\n".utf8), [["a", "b"]], lines: [1]),
    CSVCase("blank lines skipped but counted", "a\n\n\r\n\rb\n\n", [["a"], ["b"]], lines: [1, 5]),
    CSVCase("leading blank lines", "\n\nx\n", [["x"]], lines: [3]),
    CSVCase("whitespace kept", " a , b \n", [[" a ", " b "]], lines: [1]),
    CSVCase("UTF-8 kept", "Renée,Zoë\n", [["Renée", "Zoë"]], lines: [1]),
    CSVCase(
        "unterminated quote at EOF", "a,\"open\nstill", [["a", "open\nstill"]], lines: [1],
        problems: [[.unterminatedQuote]]),
    CSVCase(
        "quote inside unquoted field", "ab\"c,d\n", [["ab\"c", "d"]], lines: [1],
        problems: [[.quoteInUnquotedField(field: 0)]]),
    CSVCase(
        "text after closing quote", "\"ab\"cd,e\n", [["abcd", "e"]], lines: [1],
        problems: [[.textAfterClosingQuote(field: 0)]]),
    CSVCase(
        "invalid UTF-8 read as Latin-1", Array("Ren".utf8) + [0xE9, 0x65] + Array(",x\n".utf8), [["Renée", "x"]],
        lines: [1], problems: [[.invalidUTF8(field: 0)]]),
    CSVCase(
        "Windows-1252 euro and quotes", [0x80, 0x93, 0x41, 0x94] + Array("\n".utf8), [["€“A”"]], lines: [1],
        problems: [[.invalidUTF8(field: 0)]]),
    CSVCase(
        "invalid UTF-8 in quoted field with doubled quote", [0x22, 0xE9, 0x22, 0x22, 0x22, 0x0A], [["é\""]],
        lines: [1], problems: [[.invalidUTF8(field: 0)]]),
    CSVCase("empty input", "", [], lines: []),
    CSVCase("only BOM", [0xEF, 0xBB, 0xBF], [], lines: []),
]

@Suite struct CSVParserTests {
    @Test(arguments: csvCases)
    func parsesWholeBuffer(_ c: CSVCase) {
        let rows = parse(c.input)
        #expect(rows.map(\.fields) == c.rows)
        #expect(rows.map(\.line) == c.lines)
        #expect(rows.map(\.problems) == c.problems)
    }

    @Test(arguments: csvCases)
    func everySplitPointMatchesWholeBuffer(_ c: CSVCase) {
        let options = CSVParser.Options(expectsHeader: false)
        let whole = parse(c.input, options: options)
        for split in 0...c.input.count {
            let (_, rows) = parseChunked(c.input, splits: [split], options: options)
            #expect(rows == whole, "split at \(split)")
        }
    }

    @Test func byteAtATimeMatchesWholeBuffer() {
        let text = "id,name,note\r\n1,\"Doe, Jane\",\"said \"\"hi\"\"\nthen left\"\r\n\r\n2,Zoë,x\"y\r3,\"open"
        let bytes = Array(text.utf8)
        let options = CSVParser.Options(expectsHeader: true)
        let whole = CSVParser.parseAll(bytes, options: options)
        let (header, rows) = parseChunked(bytes, splits: Array(1..<bytes.count), options: options)
        #expect(header == whole.header)
        #expect(rows == whole.rows)
        #expect(whole.rows.map(\.line) == [2, 5, 6])
    }

    @Test func eachRecordComesWithItsBytesAsWritten() {
        let text = "\u{FEFF}id,name\r\n1,\"Doe, Jane\"\r\n\n2,\"two\nlines\"\n3,last"
        var parser = CSVParser(options: .init(expectsHeader: true))
        var records: [String] = []
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { buffer in
            parser.parseRecords(buffer, isFinal: true) { _, record in records.append(String(decoding: record, as: UTF8.self)) }
        }
        #expect(records == [#"1,"Doe, Jane""#, "2,\"two\nlines\"", "3,last"])
    }

    @Test func headerIsKeptAndNotEmitted() {
        let result = CSVParser.parseAll(Array("id,name\n1,Ann\n".utf8))
        #expect(result.header?.fields == ["id", "name"])
        #expect(result.rows.map(\.fields) == [["1", "Ann"]])
        #expect(result.rows.first?.line == 2)
    }

    @Test func otherDelimiterAndQuote() {
        let options = CSVParser.Options(delimiter: UInt8(ascii: ";"), quote: UInt8(ascii: "'"), expectsHeader: false)
        let rows = parse("a;'b;c';'it''s'\n", options: options)
        #expect(rows.map(\.fields) == [["a", "b;c", "it's"]])
    }

    @Test func incompleteRecordIsNotConsumed() {
        var parser = CSVParser(options: .init(expectsHeader: false))
        var rows: [CSVRow] = []
        let bytes = Array("a,b\nc,d".utf8)
        let consumed = bytes.withUnsafeBytes { parser.parse($0, isFinal: false) { rows.append($0) } }
        #expect(consumed == 4)
        #expect(rows.map(\.fields) == [["a", "b"]])
    }

    @Test func problemMessagesAreReadable() {
        #expect(CSVRowProblem.invalidUTF8(field: 2).message.contains("field 3"))
        #expect(CSVRowProblem.unterminatedQuote.message.contains("not closed"))
        #expect(CSVRowProblem.quoteInUnquotedField(field: 0).message.contains("field 1"))
    }

    @Test func errorFromEmitPropagates() {
        struct Stop: Error {}
        var parser = CSVParser(options: .init(expectsHeader: false))
        var seen = 0
        #expect(throws: Stop.self) {
            _ = try Array("a\nb\n".utf8).withUnsafeBytes { buffer in
                try parser.parse(buffer, isFinal: true) { _ in
                    seen += 1
                    throw Stop()
                }
            }
        }
        #expect(seen == 1)
    }
}

import Testing
@testable import CDPCore

private func fields(_ line: String) throws(JSONLineError) -> [String] {
    try JSONLineParser.parseFields(line).map { "\($0.key)=\($0.value)" }
}

@Suite struct JSONLineParserTests {
    @Test(arguments: [
        (#"{"a":"x","b":2}"#, #"a=string("x")|b=number("2")"#),
        (#"  { "b" : 1 , "a" : 2 }  "#, #"b=number("1")|a=number("2")"#),
        (#"{}"#, ""),
        (#"{"t":true,"f":false,"n":null}"#, "t=bool(true)|f=bool(false)|n=null"),
        (#"{"n":-12.50e+3}"#, #"n=number("-12.50e+3")"#),
        (#"{"n":0}"#, #"n=number("0")"#),
        (#"{"q":"say \"hi\"\\ \/ \t\n"}"#, #"q=string("say \"hi\"\\ / \t\n")"#),
        (#"{"u":"caf\u00e9"}"#, #"u=string("café")"#),
        (#"{"e":"\ud83d\ude00"}"#, #"e=string("😀")"#),
        (#"{"raw":"Zoë"}"#, #"raw=string("Zoë")"#),
        (#"{"arr":[1, "x", {"k": [true]}],"o":{"a":null}}"#, #"arr=nested("[1, \"x\", {\"k\": [true]}]")|o=nested("{\"a\":null}")"#),
    ])
    func parsesValues(_ line: String, _ expected: String) throws {
        #expect(try fields(line).joined(separator: "|") == expected)
    }

    @Test(arguments: [
        (#"{"a":1"#, 7, "unexpected end of line; expected ',' or '}'"),
        (#"{"a":1 "b":2}"#, 8, "expected ',' or '}', found '\"'"),
        (#"{"a":"abc"#, 6, "unterminated string"),
        (#"[1,2]"#, 1, "line is not a JSON object"),
        (#"  "text""#, 3, "line is not a JSON object"),
        ("", 1, "line is not a JSON object"),
        (#"{a:1}"#, 2, "expected a string key, found 'a'"),
        (#"{"a" 1}"#, 6, "expected ':', found '1'"),
        (#"{"a":}"#, 6, "expected a value, found '}'"),
        (#"{"a":tru}"#, 6, "invalid literal; expected 'true'"),
        (#"{"a":01}"#, 6, "invalid number: leading zero"),
        (#"{"a":1.}"#, 6, "invalid number: no digits after '.'"),
        (#"{"a":"\x"}"#, 7, "invalid escape '\\x'"),
        (#"{"a":"\ud83d"}"#, 7, "unpaired surrogate in \\u escape"),
        (#"{"a":"\u12"}"#, 7, "invalid \\u escape: needs 4 hex digits"),
        (#"{"a":[1,}"#, 9, "expected a value, found '}'"),
        (#"{"a":[1 2]}"#, 9, "expected ',' or ']', found '2'"),
        (#"{"a":1} x"#, 9, "unexpected text after the object"),
        ("{\"a\":\"tab\there\"}", 10, "control character in string; it must be escaped"),
    ])
    func reportsErrorsWithColumn(_ line: String, _ column: Int, _ reason: String) {
        do {
            _ = try JSONLineParser.parseFields(line)
            Issue.record("expected an error for \(line)")
        } catch {
            #expect(error.column == column)
            #expect(error.reason == reason)
            #expect(error.message == "\(reason) at column \(column)")
        }
    }

    @Test func invalidUTF8InStringIsAnError() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xE9] + Array(#""}"#.utf8)
        let result: Result<Int, JSONLineError> = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONLineError) -> Int in try JSONLineParser.parseFields(buffer).count }
        }
        #expect(result == .failure(JSONLineError(column: 7, reason: "string is not valid UTF-8")))
    }

    /// Which of two values of one key is meant cannot be told: the last one won silently before.
    @Test func dictionaryRefusesARepeatedKey() throws {
        #expect(throws: JSONLineError(column: 16, reason: #"the key "a" appears twice (members 1 and 3)"#)) {
            try JSONLineParser.parseDictionary(#"{"a":1,"b":"x","a":2}"#)
        }
        #expect(try JSONLineParser.parseDictionary(#"{"a":1,"b":"x"}"#) == ["a": .number("1"), "b": .string("x")])
        // Members in order, repeats and all, for a caller that decides itself.
        #expect(try JSONLineParser.parseFields(#"{"a":1,"a":2}"#).map(\.key) == ["a", "a"])
    }

    @Test func scalarText() {
        #expect(JSONScalar.string("x").text == "x")
        #expect(JSONScalar.bool(false).text == "false")
        #expect(JSONScalar.null.text == nil)
        #expect(JSONScalar.nested("[1]").text == "[1]")
    }
}

private func splitLines(_ bytes: [UInt8], splits: [Int]) -> [String] {
    var splitter = TextLineSplitter()
    var lines: [String] = []
    var pending: [UInt8] = []
    var previous = 0
    for cut in splits + [bytes.count] {
        pending += bytes[previous..<cut]
        previous = cut
        let consumed = pending.withUnsafeBytes { buffer in
            splitter.split(buffer, isFinal: cut == bytes.count) { number, text in
                lines.append("\(number):" + String(decoding: text, as: UTF8.self))
            }
        }
        pending.removeFirst(consumed)
    }
    return lines
}

@Suite struct TextLineSplitterTests {
    static let cases: [([UInt8], [String])] = [
        (Array("a\nb\n".utf8), ["1:a", "2:b"]),
        (Array("a\r\nb\r\n".utf8), ["1:a", "2:b"]),
        (Array("a\n\n  \n\r\nb".utf8), ["1:a", "5:b"]),
        ([0xEF, 0xBB, 0xBF] + Array("{}\n".utf8), ["1:{}"]),
        (Array("x".utf8), ["1:x"]),
        ([], []),
    ]

    @Test(arguments: cases)
    func splitsLines(_ input: [UInt8], _ expected: [String]) {
        #expect(splitLines(input, splits: []) == expected)
        for split in 0...input.count {
            #expect(splitLines(input, splits: [split]) == expected, "split at \(split)")
        }
    }
}

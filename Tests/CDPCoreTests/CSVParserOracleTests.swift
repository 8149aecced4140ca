import Testing
@testable import CDPCore

/// A deliberately plain CSV reader with the same rules as ``CSVParser``, used as the oracle.
private func referenceParse(_ bytes: [UInt8]) -> [CSVRow] {
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf: UInt8 = 10, cr: UInt8 = 13
    let n = bytes.count
    var rows: [CSVRow] = []
    var i = 0
    var line = 1
    func decode(_ field: [UInt8]) -> String {
        String(validating: field, as: UTF8.self) ?? field.withUnsafeBufferPointer { ByteText.windows1252($0) }
    }
    while i < n {
        if bytes[i] == lf {
            i += 1
            line += 1
            continue
        }
        if bytes[i] == cr {
            i += (i + 1 < n && bytes[i + 1] == lf) ? 2 : 1
            line += 1
            continue
        }
        let startLine = line
        var fields: [String] = []
        while true {
            var field: [UInt8] = []
            if i < n && bytes[i] == quote {
                i += 1
                while i < n {
                    let c = bytes[i]
                    if c == quote {
                        if i + 1 < n && bytes[i + 1] == quote {
                            field.append(quote)
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if c == lf || (c == cr && !(i + 1 < n && bytes[i + 1] == lf)) { line += 1 }
                    field.append(c)
                    i += 1
                }
            }
            while i < n && bytes[i] != comma && bytes[i] != cr && bytes[i] != lf {
                field.append(bytes[i])
                i += 1
            }
            fields.append(decode(field))
            if i >= n { break }
            if bytes[i] == comma {
                i += 1
                continue
            }
            i += (bytes[i] == cr && i + 1 < n && bytes[i + 1] == lf) ? 2 : 1
            break
        }
        line += 1
        rows.append(CSVRow(line: startLine, fields: fields))
    }
    return rows
}

@Suite struct CSVParserOracleTests {
    @Test func randomInputsMatchReferenceWholeAndChunked() {
        var random = SplitMix64(seed: 42)  // the same sequence as before: one generator
        let pieces: [[UInt8]] = [
            Array("abcdefgh".utf8), Array("x".utf8), Array("Renée".utf8), [0xE9], Array(",".utf8), Array(",".utf8),
            Array("\"".utf8), Array("\"\"".utf8), Array("\n".utf8), Array("\r\n".utf8), Array("\r".utf8),
            Array("0123456789012345".utf8), Array(" ".utf8),
        ]
        for _ in 0..<300 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 0..<60, using: &random) {
                input += pieces[Int.random(in: 0..<pieces.count, using: &random)]
            }
            let expected = referenceParse(input)
            let whole = CSVParser.parseAll(input, options: .init(expectsHeader: false)).rows
            #expect(whole.map(\.fields) == expected.map(\.fields), "\(Array(input))")
            #expect(whole.map(\.line) == expected.map(\.line), "\(Array(input))")
            for _ in 0..<8 {
                let cut = Int.random(in: 0...input.count, using: &random)
                var parser = CSVParser(options: .init(expectsHeader: false))
                var rows: [CSVRow] = []
                let consumed = input.withUnsafeBytes { buffer in
                    parser.parse(UnsafeRawBufferPointer(rebasing: buffer[0..<cut]), isFinal: false) { rows.append($0) }
                }
                let rest = Array(input[consumed...])
                _ = rest.withUnsafeBytes { parser.parse($0, isFinal: true) { rows.append($0) } }
                #expect(rows == whole, "cut at \(cut) of \(Array(input))")
            }
        }
    }
}

import Testing

@testable import CDPCore

/// The one CSV writer: RFC 4180 quoting, formula cells neutralised as OWASP advises, numbers left numbers.
struct CSVWriterTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\nlines", "\"two\nlines\""),
        ("bare\rreturn", "\"bare\rreturn\""),
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
        ("=1+1", "'=1+1"),
        ("+SUM(1+1)", "'+SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "\"'\rcmd\""),
        ("-12", "-12"),
        ("-3.5", "-3.5"),
        ("+44", "+44"),
        ("-1e-3", "-1e-3"),
        ("-", "'-"),
        ("a=b", "a=b"),
        ("", ""),
    ])
    func textFieldsAreQuotedAndFormulasNeutralised(text: String, field: String) {
        #expect(CSVWriter.field(text) == field)
    }

    @Test func numbersStayNumbersAndNullIsEmpty() {
        #expect(CSVWriter.field(CellValue.integer(-12)) == "-12")
        #expect(CSVWriter.field(CellValue.real(-0.25)) == "-0.25")
        #expect(CSVWriter.field(CellValue.null) == "")
        #expect(CSVWriter.field(CellValue.text("-1+1")) == "'-1+1")
        #expect(CSVWriter.line([CellValue.integer(1), .text("=x"), .null, .text("a,b")]) == "1,'=x,,\"a,b\"\n")
        #expect(CSVWriter.line(["id", "=evil"]) == "id,'=evil\n")
    }

    @Test func jsonWritesEachValueAsItsStorageClass() {
        func json(_ value: CellValue) -> String {
            var text = ""
            value.appendJSON(to: &text)
            return text
        }
        #expect(json(.integer(593)) == "593")
        #expect(json(.real(0.1)) == "0.1")
        #expect(json(.real(1200)) == "1200")
        #expect(json(.real(-2.5e-7)) == "-2.5e-07")
        #expect(json(.real(.infinity)) == "\"inf\"")
        #expect(json(.null) == "null")
        #expect(json(.text("593")) == "\"593\"")
        #expect(json(.text("a\"b")) == "\"a\\\"b\"")
    }
}

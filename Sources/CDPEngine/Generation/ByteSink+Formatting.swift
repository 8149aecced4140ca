import CDPCore

/// Hand-made number and date formatting: no locale, no Foundation formatters, the same bytes everywhere.
extension ByteSink {
    /// Appends a non-negative integer padded with zeros to `width` digits.
    func append(padded value: Int, width: Int) {
        let magnitude = max(0, value)
        var divisor = 1
        var digits = 1
        while divisor <= magnitude / 10 {
            divisor *= 10
            digits += 1
        }
        var padding = width - digits
        while padding > 0 {
            append(UInt8(ascii: "0"))
            padding -= 1
        }
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// Appends an integer without padding.
    func append(integer value: Int) {
        if value < 0 { append(UInt8(ascii: "-")) }
        append(padded: abs(value), width: 1)
    }

    /// Appends cents as a decimal amount with two places: `12345` → `123.45`, `-50` → `-0.50`.
    func append(cents: Int) {
        if cents < 0 { append(UInt8(ascii: "-")) }
        let magnitude = abs(cents)
        append(padded: magnitude / 100, width: 1)
        append(UInt8(ascii: "."))
        append(padded: magnitude % 100, width: 2)
    }

    /// Appends `yyyy-MM-dd`.
    func append(isoDate date: CivilDate) {
        append(padded: date.year, width: 4)
        append(UInt8(ascii: "-"))
        append(padded: date.month, width: 2)
        append(UInt8(ascii: "-"))
        append(padded: date.day, width: 2)
    }

    /// Appends `dd/MM/yyyy`.
    func append(dayMonthYear date: CivilDate) {
        append(padded: date.day, width: 2)
        append(UInt8(ascii: "/"))
        append(padded: date.month, width: 2)
        append(UInt8(ascii: "/"))
        append(padded: date.year, width: 4)
    }

    /// Appends seconds since the epoch as `yyyy-MM-dd HH:mm:ss` or, with `iso`, `yyyy-MM-ddTHH:mm:ssZ`.
    func append(timestamp seconds: Int, iso: Bool) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        append(isoDate: CivilDate(daysSinceEpoch: days))
        append(UInt8(ascii: iso ? "T" : " "))
        append(padded: secondOfDay / 3600, width: 2)
        append(UInt8(ascii: ":"))
        append(padded: secondOfDay / 60 % 60, width: 2)
        append(UInt8(ascii: ":"))
        append(padded: secondOfDay % 60, width: 2)
        if iso { append(UInt8(ascii: "Z")) }
    }

    /// Appends a CSV field, quoted per RFC 4180 when ``CSVWriter/needsQuotes(_:)`` says so. Formulas are
    /// left as they are: the generator writes input, with problems on purpose.
    func append(csvField text: String) {
        guard CSVWriter.needsQuotes(text.utf8) else {
            append(text)
            return
        }
        append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            if byte == 34 { append(UInt8(ascii: "\"")) }
            append(byte)
        }
        append(UInt8(ascii: "\""))
    }

    /// Appends a JSON string literal (quotes included) with the escapes JSON requires.
    func append(jsonString text: String) {
        append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case 34: append(contentsOf: "\\\"")
            case 92: append(contentsOf: "\\\\")
            case 10: append(contentsOf: "\\n")
            case 13: append(contentsOf: "\\r")
            case 9: append(contentsOf: "\\t")
            case 0..<32:
                append(contentsOf: "\\u00")
                let hex = Array("0123456789abcdef".utf8)
                append(hex[Int(byte >> 4)])
                append(hex[Int(byte & 15)])
            default: append(byte)
            }
        }
        append(UInt8(ascii: "\""))
    }

    /// Appends a JSON string literal, or `null` for nil.
    func append(jsonOptional text: String?) {
        if let text { append(jsonString: text) } else { append(contentsOf: "null") }
    }

    private func append(contentsOf text: StaticString) {
        text.withUTF8Buffer { buffer in
            for byte in buffer { append(byte) }
        }
    }
}

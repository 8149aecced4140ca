/// Decimal numbers as sources write them, read strictly.
public enum DecimalNumber {
    /// Reads an optional sign, digits with an optional fraction (`12`, `12.50`, `.5`, `3.`) and an optional
    /// exponent (`1e3`, `2.5E-4`).
    ///
    /// Refused, each with its reason: what `Double(_:)` would read but no source means as an amount
    /// (hexadecimal `0x10` as 16, `inf`, `nan`), a number too large to hold (`1e400`), and one too small to
    /// hold that is not zero (`-1e-400`, which would be stored as 0).
    public static func standardize(_ text: String) -> StandardizationOutcome<Double> {
        func reject(_ reason: String) -> StandardizationOutcome<Double> {
            .rejected(StandardizationFailure(kind: .decimal, input: text, reason: reason))
        }
        // One pass over the bytes: the shape, and whether any digit of the significand is not zero.
        let shape = TextNormalization.withBytes(text) { bytes -> Shape in
            var index = 0
            if index < bytes.count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) { index += 1 }
            var digits = 0
            var nonZero = false
            while index < bytes.count, let digit = digit(bytes[index]) {
                digits += 1
                nonZero = nonZero || digit != 0
                index += 1
            }
            if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
                index += 1
                while index < bytes.count, let digit = digit(bytes[index]) {
                    digits += 1
                    nonZero = nonZero || digit != 0
                    index += 1
                }
            }
            guard digits > 0 else { return .invalid }
            if index < bytes.count && (bytes[index] | 0x20) == UInt8(ascii: "e") {
                index += 1
                if index < bytes.count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) { index += 1 }
                var exponentDigits = 0
                while index < bytes.count, digit(bytes[index]) != nil {
                    exponentDigits += 1
                    index += 1
                }
                guard exponentDigits > 0 else { return .invalid }
            }
            if index != bytes.count { return .invalid }
            return nonZero ? .nonZero : .zero
        }
        guard shape != .invalid, let number = Double(text) else {
            if isHexadecimal(text) { return reject("'\(text)' is hexadecimal; write the amount in decimal digits") }
            return reject("'\(text)' is not a number")
        }
        guard number.isFinite else { return reject("'\(text)' is too large a number to store") }
        if number == 0 && shape == .nonZero {
            return reject("'\(text)' is too small a number to store (it would become 0)")
        }
        return .standardized(number)
    }

    private enum Shape {
        case invalid, zero, nonZero
    }

    @inline(__always)
    private static func digit(_ byte: UInt8) -> UInt8? {
        byte >= 0x30 && byte <= 0x39 ? byte - 0x30 : nil
    }

    private static func isHexadecimal(_ text: String) -> Bool {
        var rest = Substring(text)
        if rest.first == "-" || rest.first == "+" { rest = rest.dropFirst() }
        return rest.lowercased().hasPrefix("0x")
    }
}

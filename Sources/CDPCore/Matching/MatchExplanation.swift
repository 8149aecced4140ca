import Foundation

/// Why a pair scored what it did: per comparison the level, its label and weight, then the prior, the total
/// and the probability, and a compact key such as `+FIRST +SURNAME +DOB -PHONE`.
public struct MatchExplanation: Sendable, Hashable, Codable {
    public struct Term: Sendable, Hashable, Codable {
        public var comparison: String
        public var tag: String
        public var level: Int
        public var label: String
        /// log2(m/u), including any term-frequency adjustment.
        public var weight: Double
        /// The part of `weight` that comes from how common the shared value is.
        public var termFrequencyAdjustment: Double?
    }

    public var terms: [Term]
    public var priorWeight: Double
    public var totalWeight: Double
    public var probability: Double

    /// `+TAG` for evidence for, `-TAG` against; missing values are left out.
    public var key: String {
        terms.compactMap { term in
            if term.level == 0 || term.weight == 0 { return nil }
            return (term.weight > 0 ? "+" : "-") + term.tag
        }.joined(separator: " ")
    }

    /// One line per comparison, then the prior and the total.
    public var text: String {
        func signed(_ value: Double) -> String { String(format: "%+.2f", value) }
        var lines = terms.map { term -> String in
            let tf = term.termFrequencyAdjustment.map { " (term frequency \(signed($0)))" } ?? ""
            return "\(term.comparison.padding(toLength: 12, withPad: " ", startingAt: 0)) \(term.label.padding(toLength: 22, withPad: " ", startingAt: 0)) \(signed(term.weight))\(tf)"
        }
        lines.append("\("prior".padding(toLength: 12, withPad: " ", startingAt: 0)) \("".padding(toLength: 22, withPad: " ", startingAt: 0)) \(signed(priorWeight))")
        lines.append(String(format: "total %+.2f → probability %.4f  %@", totalWeight, probability, key))
        return lines.joined(separator: "\n")
    }
}

extension MatchExplanation {
    /// The explanation as `JSONEncoder` with sorted keys writes it, byte for byte, without its cost: the lake
    /// stores one per candidate pair, and a million-record run has a hundred thousand of them.
    public var json: String {
        // JSONEncoder refuses infinities and NaN; the engine then stores an empty object.
        let numbers: [Double] = [priorWeight, probability, totalWeight] + terms.flatMap { term -> [Double] in [term.weight, term.termFrequencyAdjustment ?? 0] }
        guard numbers.allSatisfy(\.isFinite) else { return "{}" }
        var text = "{\"priorWeight\":"
        Self.append(priorWeight, to: &text)
        text += ",\"probability\":"
        Self.append(probability, to: &text)
        text += ",\"terms\":["
        for (index, term) in terms.enumerated() {
            if index > 0 { text += "," }
            text += "{\"comparison\":"
            JSONString.appendQuoted(term.comparison, to: &text)
            text += ",\"label\":"
            JSONString.appendQuoted(term.label, to: &text)
            text += ",\"level\":"
            text += String(term.level)
            text += ",\"tag\":"
            JSONString.appendQuoted(term.tag, to: &text)
            if let adjustment = term.termFrequencyAdjustment {
                text += ",\"termFrequencyAdjustment\":"
                Self.append(adjustment, to: &text)
            }
            text += ",\"weight\":"
            Self.append(term.weight, to: &text)
            text += "}"
        }
        text += "],\"totalWeight\":"
        Self.append(totalWeight, to: &text)
        return text + "}"
    }

    /// A number as JSONEncoder writes it: the shortest round-trip form, without a trailing `.0`.
    static func append(_ value: Double, to text: inout String) {
        let description = value.description
        text += description.hasSuffix(".0") ? String(description.dropLast(2)) : description
    }
}

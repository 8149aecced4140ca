import CDPCore
import Foundation
import TermUI

/// How the review screens write scores, keys and record values.
enum ReviewText {
    /// `+FIRST +DOB -PHONE` with evidence for in the success role and against in the error role.
    static func keyLine(_ key: String, theme: Theme) -> Line {
        var spans: [Span] = []
        for (index, term) in key.split(separator: " ").enumerated() {
            if index > 0 { spans.append(Span(" ")) }
            spans.append(Span(String(term), style: term.hasPrefix("-") ? theme[.error] : theme[.success]))
        }
        return Line(spans: spans)
    }

    /// A weight in bits with its sign: `+2.31`, `-4.00`.
    static func weight(_ value: Double) -> String { String(format: "%+.2f", value) }

    /// `0.8734`; a probability too small for four places keeps its digits (`2.27e-05`), so it never reads as zero.
    static func probability(_ value: Double) -> String {
        value > 0 && value < 0.0001 ? String(format: "%.2e", value) : String(format: "%.4f", value)
    }

    /// The attributes the review screens show, in golden record order, then the CRM id the stitcher uses.
    static let attributes = Survivorship.attributes + ["crm_customer_id"]

    /// `Alice Jones · alice@a.example · 1990-05-05`: who a record is, in one line (values already masked).
    static func summary(_ record: MatchInput?) -> String {
        guard let record else { return "(no longer in silver)" }
        let name = [record.firstName, record.lastName].compactMap { $0 }.joined(separator: " ")
        return [name, record.email ?? "", record.birthDate ?? "", record.postcode ?? ""].filter { !$0.isEmpty }.joined(separator: " · ")
    }
}

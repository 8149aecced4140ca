import CDPCore
import CDPEngine

/// What `u` can take back.
enum UndoEntry {
    /// Field edits: the engine puts back the values it captured before each fix, record by record (their
    /// real values, which a steward without `view_pii` never saw).
    case fix(label: String, previous: [QuarantineSnapshot])
    /// A release or a rejection: the engine reopens the record (a released one leaves silver again), audited
    /// as `quarantine.release.undo` / `quarantine.reject.undo`.
    case decision(label: String, id: QuarantineID)
    /// A bulk change: undone whole by the engine, record by record, in the background.
    case bulk(label: String, outcome: BulkOutcome)
}

/// The last single-record fix, the template for "fix all like this".
struct FixTemplate {
    var record: QuarantineID
    var source: SourceName
    var rule: String
    var field: String
    /// The value before the fix as the steward saw it (masked without `view_pii`), for the question.
    var oldValue: String
    var newValue: String
    /// The value before the fix as the engine holds it: like records are found by it.
    var before: QuarantineSnapshot
}

import CDPCore

/// What `u` can take back.
enum UndoEntry {
    /// Field edits: re-apply these previous values through `fix`, record by record.
    case fix(label: String, previous: [(id: QuarantineID, values: [String: String])])
    /// Release and reject are final in the engine (a released record is in silver; a rejected one is closed).
    case irreversible(label: String)
}

/// The last single-record fix, the template for "fix all like this".
struct FixTemplate {
    var record: QuarantineID
    var source: SourceName
    var rule: String
    var field: String
    var oldValue: String
    var newValue: String
}

import CDPCore

/// How a column reads in its masked view, and whether a user without `view_pii` may read it directly
/// (only `.show` columns).
public enum MaskedColumn: Hashable, Sendable {
    case show
    /// Masked as ``PIIMasker/mask(_:as:)`` masks a value of the kind.
    case mask(PIIKind)
    /// JSON masked member by member (``PIIMasker/json(_:)``); any other text withheld.
    case maskJSON
    /// Withheld whole (null stays null).
    case withhold
}

/// What a user's queries may read.
public struct QueryPolicy: Sendable {
    /// Whether the user may read personal columns (`view_pii`).
    public var readsPersonalData: Bool
    /// How a lake dataset's column reads without `view_pii` (names as the schema spells them).
    public var column: @Sendable (_ dataset: String, _ column: String) -> MaskedColumn
    /// Masks the personal members of JSON documents in `.maskJSON` columns.
    public var masker: PIIMasker
    /// What a withheld value reads as.
    public var withheld: String
    /// How long one statement may run before it is stopped (nil: as long as it takes). A recursive CTE without an
    /// end, or a cross join of the lake with itself, would otherwise hold a core and the lake's read snapshot.
    public var timeLimit: Duration?

    public init(
        readsPersonalData: Bool, masker: PIIMasker, withheld: String, timeLimit: Duration? = nil,
        column: @escaping @Sendable (_ dataset: String, _ column: String) -> MaskedColumn
    ) {
        self.readsPersonalData = readsPersonalData
        self.timeLimit = timeLimit
        self.column = column
        self.masker = masker
        self.withheld = withheld
    }
}

/// A dataset a user may query or export, with the masked view that stands for it without `view_pii`.
public struct QueryableDataset: Hashable, Sendable {
    public var name: String
    /// `<name>_masked`, when the dataset has a column a user without `view_pii` may not read.
    public var masked: String?
    /// Whether it is one of the masked views.
    public var isMaskedView: Bool

    public init(name: String, masked: String? = nil, isMaskedView: Bool) {
        self.name = name
        self.masked = masked
        self.isMaskedView = isMaskedView
    }
}

/// The result of a read-only query: column names and the rows as text.
public struct QueryResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]

    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }
}

/// What a role may do. The names are the ones `governance/access.toml` uses.
public enum Permission: String, CaseIterable, Codable, Sendable, Hashable, Comparable {
    /// See personal data unmasked (columns the data dictionary tags `PII.*`).
    case viewPII = "view_pii"
    /// Fix, release and reject quarantined records.
    case remediateQuarantine = "remediate_quarantine"
    /// Approve or reject merge candidates, unmerge and override golden records.
    case decideMerges = "decide_merges"
    /// Edit the data dictionary.
    case editDictionary = "edit_dictionary"
    /// Start workflow runs and matching runs.
    case runWorkflows = "run_workflows"
    /// Act as another user (`--as`).
    case actAsOthers = "act_as"
    /// Assign quarantined records and candidate pairs to stewards, and take assignments back.
    case assignWork = "assign_work"

    /// What the permission lets a user do, for messages ("may not remediate quarantine").
    public var phrase: String {
        switch self {
        case .viewPII: "view personal data"
        case .remediateQuarantine: "remediate quarantine"
        case .decideMerges: "decide merges"
        case .editDictionary: "edit the data dictionary"
        case .runWorkflows: "run workflows"
        case .actAsOthers: "act as another user"
        case .assignWork: "assign work to stewards"
        }
    }

    public static func < (lhs: Permission, rhs: Permission) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

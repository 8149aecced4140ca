import CDPCore
import Crypto
import Foundation

/// `governance/access.toml` compiled into PostgreSQL: a NOLOGIN group role `cdp_<database>_<role>` per role (roles
/// are the cluster's, so two lakes on one server never share a group; see ``groupPrefix(database:)``), each user's
/// login role made a member of its role's group (and of no other), and grants by permission.
///
/// - `view_pii`: SELECT on every table and view of the lake (never INSERT, UPDATE, DELETE or TRUNCATE).
/// - without it: no privilege at all on a table or view holding a personal column; SELECT on the tables and
///   views without one, and on `<dataset>_masked` views (`security_barrier`, owned by `cdp_owner`) with the same
///   columns and rows, personal values masked as the embedded lake masks them.
/// - `remediate_quarantine`, `decide_merges`, `edit_dictionary`, `run_workflows`: EXECUTE on the steward
///   functions and the run lock that need them.
///
/// Which columns are personal is the engine's decision (the dictionary's `PII.*` tags, and the JSON and free
/// text columns that are personal whatever their tags), passed in as ``ColumnMasking`` per dataset and column.
/// `default_role` is not granted: in a team store only the users the file names get a role (a role granted to
/// "everyone else" would be granted to every login role of the server, other lakes' users included); applying
/// says so and names the server's login roles that get no role (``notes(current:database:)``).
public struct PostgresAccessPlan: Sendable {
    /// How a column reads for a user without `view_pii`.
    public enum ColumnMasking: Hashable, Sendable {
        case show
        case mask(PIIKind)
        /// JSON masked member by member; any other text withheld.
        case maskJSON
        /// A JSON object of extra attributes: every member masked, as its name's kind or as generic personal data
        /// when the name is not known; anything else withheld (`cdp.pii_mask_attributes`).
        case maskAttributes
        /// Withheld whole (NULL stays NULL).
        case withhold
    }

    public var policy: AccessPolicy
    /// Column name → kind, for the members of JSON documents (the engine's masker's columns).
    public var personalColumns: [String: PIIKind]
    public var masking: @Sendable (_ dataset: String, _ column: String) -> ColumnMasking
    /// Whether a column's masking is fixed whatever the dictionary says (free text, JSON, the dictionary's own
    /// texts); any other personal column follows the dictionary's tags, also when they change after the apply.
    public var isFixed: @Sendable (_ dataset: String, _ column: String) -> Bool

    /// The prefix of every group role (and of the schema's owner); login roles may not start with it.
    public static let rolePrefix = "cdp_"

    /// - Throws: `.invalidSettings` naming a role or user that cannot be a PostgreSQL role here.
    public init(
        policy: AccessPolicy, personalColumns: [String: PIIKind],
        masking: @escaping @Sendable (_ dataset: String, _ column: String) -> ColumnMasking,
        isFixed: @escaping @Sendable (_ dataset: String, _ column: String) -> Bool = { _, _ in false }
    ) throws(PostgresStoreError) {
        for role in policy.roles.keys.sorted() {
            guard role.range(of: "^[a-z][a-z0-9_]{0,\(Self.maximumRoleLength - 1)}$", options: .regularExpression) != nil else {
                throw PostgresStoreError(
                    .invalidSettings,
                    "governance/access.toml: roles.\(role): a team store role is named cdp_<database>_<role>, so a role name is "
                        + "lower-case letters, digits and _ (at most \(Self.maximumRoleLength)), starting with a letter")
            }
        }
        for user in policy.users.keys.sorted() {
            let lowered = user.lowercased()
            guard !user.isEmpty, user.utf8.count <= 63, !user.contains("\0"), !lowered.hasPrefix(Self.rolePrefix),
                !lowered.hasPrefix("pg_"), lowered != "public"
            else {
                throw PostgresStoreError(
                    .invalidSettings,
                    "governance/access.toml: users.\(user): not a login role the team store may grant to (1 to 63 bytes; "
                        + "cdp_*, pg_* and public are reserved)")
            }
        }
        self.policy = policy
        self.personalColumns = personalColumns
        self.masking = masking
        self.isFixed = isFixed
    }

    /// The longest role name of access.toml: `cdp_` + the database's part (at most 20) + `_` + the role fit in
    /// PostgreSQL's 63 bytes.
    static let maximumRoleLength = 38

    /// The prefix of a database's group roles, `cdp_<database>_`. The database's part never holds `_`, so no two
    /// databases' groups can be mistaken for each other (`acme` + `prod_analyst` against `acme_prod` + `analyst`):
    /// a name of at most 20 lower-case letters and digits is used as it is; any other is reduced to its first 11
    /// letters and digits (lower-cased) followed by 8 hex digits of its SHA-256 (`acmeprod3f2a91c0` for `acme_prod`).
    public static func groupPrefix(database: String) -> String {
        if database.range(of: "^[a-z0-9]{1,20}$", options: .regularExpression) != nil { return rolePrefix + database + "_" }
        let kept = String(database.lowercased().unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }.prefix(11))
        let digest = SHA256.hash(data: Data(database.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
        return rolePrefix + kept + digest + "_"
    }

    /// The group role of an access.toml role in a database's team store.
    public static func groupRole(_ role: String, database: String) -> String { groupPrefix(database: database) + role }

    /// A relation of the lake (table or view) and its columns in order, as the catalog lists them.
    public struct Relation: Hashable, Sendable {
        public var name: String
        public var columns: [String]
        public init(name: String, columns: [String]) {
            self.name = name
            self.columns = columns
        }
    }

    /// Columns that tell about a record's content without showing it, withheld as in the embedded lake: the
    /// record's length and offset in a dataset holding personal data, and the unsalted content hash everywhere.
    static let lengthColumns: Set<String> = ["record_length", "record_offset"]
    static let contentHashColumn = "content_hash"

    /// Relations whose rows are landed lines of the sources (customers' among them): a line's length and offset
    /// tell the length of the personal values on it, so they are withheld whatever the relation's columns, as the
    /// embedded lake withholds them (`cdp.masked_column` source `landed`; migration `pg-landed-rows-withhold-their-length`).
    static let landedRowRelations: Set<String> = ["bronze_row", "bronze_row_v1"]

    /// A relation's column holding a hash computed over it, as a pair.
    struct RelationColumn: Hashable, Comparable, Sendable {
        var relation: String
        var column: String
        static func < (a: Self, b: Self) -> Bool { (a.relation, a.column) < (b.relation, b.column) }
    }

    /// The audit chain's hashes, each SHA-256 over a row's real before/after/reason (a row's `hash`, the next row's
    /// `previous_hash`, the head a run records): withheld without `view_pii` as the content hash is, or hashing
    /// guesses gives a masked value back (migration `pg-audit-hashes-need-view-pii`).
    static let auditHashColumns: Set<RelationColumn> = [
        RelationColumn(relation: "audit_log", column: "hash"), RelationColumn(relation: "audit_log", column: "previous_hash"),
        RelationColumn(relation: "workflow_run", column: "audit_head"), RelationColumn(relation: "audit_head", column: "hash"),
    ]

    /// Whether a column is a hash withheld whatever the dictionary says (the content hash, the audit chain's hashes).
    static func isHash(_ relation: String, _ column: String) -> Bool {
        column == contentHashColumn || auditHashColumns.contains(RelationColumn(relation: relation, column: column))
    }

    /// Tables of the store's own machinery that no login role reads directly.
    static let internalRelations = Set([
        "schema_migration", "role_permission", "masked_column", "group_role", "audit_inbox", "run_clock_boundary", "load_deferred_index",
        "pii_tagged_name",
        // An admin's request keeps its free-text reason, which the audit log withholds without view_pii (attack 12, F4).
        "admin_request",
    ])
        .union(PostgresSchema.matchStagingTables)

    /// How each column of a relation reads without `view_pii`; all `.show` when it holds no personal column.
    func treatments(_ relation: Relation) -> [ColumnMasking] {
        var treatments = relation.columns.map { masking(relation.name, $0) }
        let holdsPersonalData = treatments.contains { $0 != .show }
        for (index, column) in relation.columns.enumerated()
        where Self.isHash(relation.name, column)
            || ((holdsPersonalData || Self.landedRowRelations.contains(relation.name)) && Self.lengthColumns.contains(column))
        {
            treatments[index] = .withhold
        }
        return treatments
    }

    /// A relation's rows of `cdp.masked_column`: position, column, what decides it and how it reads, as SQL values.
    func maskedColumnRows(_ relation: Relation) -> [String] {
        zip(relation.columns, treatments(relation)).enumerated().map { position, pair in
            let (column, treatment) = pair
            let source =
                Self.isHash(relation.name, column)
                ? "hash"
                : Self.lengthColumns.contains(column) ? (Self.landedRowRelations.contains(relation.name) ? "landed" : "length") : isFixed(relation.name, column) ? "fixed" : "dictionary"
            let text: String
            switch treatment {
            case .show: text = "show"
            case .mask(let kind): text = "mask:" + kind.rawValue
            case .maskJSON: text = "json"
            case .maskAttributes: text = "attributes"
            case .withhold: text = "withhold"
            }
            return "(\([relation.name, String(position + 1), column, source, text].map(PostgresSchema.literal).joined(separator: ", ")))"
        }
    }

    /// The functions each permission may execute (with their argument types, as GRANT names them).
    static let functionsByPermission: [Permission: [String]] = [
        .remediateQuarantine: [
            "cdp.quarantine_reject(bigint, text, text)", "cdp.quarantine_release(bigint, text, text)",
            "cdp.quarantine_fix(bigint, text, text, text, text, text, text)",
            "cdp.quarantine_fix_as_read(bigint, text, text, text, text, text, text, text)",
            "cdp.quarantine_fix_key_as_read(bigint, text, text, text, text, text, text, text, text)",
            "cdp.quarantine_release_as_read(bigint, text, text, text, text, text)",
            "cdp.quarantine_reopen_as_read(bigint, text, text, text, text, text, text, boolean)", "cdp.work_claims_change(text)",
        ],
        .decideMerges: ["cdp.work_claims_change(text)"] + PostgresSchema.matchDecisionFunctions,
        .assignWork: ["cdp.work_claims_change(text)"],
        .editDictionary: ["cdp.dictionary_edit(text, text, text, bigint, text, text)", "cdp.dictionary_seed(text, text)"],
        .runWorkflows: ["cdp.run_lock_holder()"],
        .actAsOthers: ["cdp.run_lock_holder()", "cdp.store_sessions()", "cdp.admin_requests_left()"] + PostgresSchema.adminRequestFunctions,
    ]

    /// The run lock is the pipeline's: taken only by a role that may run workflows and read personal data (a run
    /// reads and writes it), so an analyst cannot hold it and keep runs out.
    static let runLockFunctions = ["cdp.try_run_lock()", "cdp.release_run_lock()"]

    /// Every function a role with these permissions may execute, once each, sorted.
    static func functions(for permissions: Set<Permission>) -> [String] {
        var functions = Set(permissions.flatMap { functionsByPermission[$0] ?? [] })
        if permissions.contains(.runWorkflows) && permissions.contains(.viewPII) { functions.formUnion(runLockFunctions) }
        return functions.sorted()
    }

    /// What a pipeline run writes as the person running it (a role that may run workflows and read personal data):
    /// rows into the tables a run fills, and the columns it moves on (a batch's state and counts, a silver row
    /// superseded, a run's and its tasks' progress). Never UPDATE or DELETE of a quarantined record, a decision or
    /// the audit log; redoing a half-written batch goes through `cdp.discard_batch_rows`, bronze ids through
    /// `cdp.take_bronze_ids`, both checking the permission. Only columns are granted UPDATE, never a whole table, so
    /// no role can `LOCK TABLE` one against readers; and the store's triggers (migration `pg-run-writes-need-the-run-lock`) let these grants write only while
    /// the writer holds the run lock, and only as a run moves on (``PostgresSchema/runWriteObjects``).
    static let pipelineGrants: [String] = [
        "GRANT INSERT ON cdp.batch, cdp.silver_customer, cdp.silver_order, cdp.silver_campaign, cdp.silver_event, cdp.row_warning, "
            + "cdp.rule_result, cdp.dq_scorecard, cdp.quarantine_record, cdp.workflow_run, cdp.task_run, cdp.run_event",
        "GRANT UPDATE (state, run_id, rows_read, rows_unchanged, rows_silver, rows_quarantined, rows_warned, error) ON cdp.batch",
        "GRANT UPDATE (is_current, superseded_by) ON cdp.silver_customer, cdp.silver_order, cdp.silver_campaign, cdp.silver_event",
        "GRANT UPDATE (run_id, source, severity, evaluated, failed) ON cdp.rule_result",
        "GRANT UPDATE (severity, evaluated, failed, pass_rate) ON cdp.dq_scorecard",
        "GRANT UPDATE (state, finished_at, error, pid, parameters) ON cdp.workflow_run",
        "GRANT UPDATE (state, attempt, started_at, finished_at, duration_ms, processed, total, counts, error) ON cdp.task_run",
        "GRANT EXECUTE ON FUNCTION cdp.take_bronze_ids(bigint), cdp.discard_batch_rows(bigint)",
        // A match run's result: copied into the staging tables, applied by the function (``PostgresSchema/matchWriteObjects``).
        "GRANT INSERT ON cdp.match_candidate_incoming, cdp.golden_record_incoming, cdp.golden_xref_incoming",
        "GRANT EXECUTE ON FUNCTION cdp.match_run_start(text), cdp.match_write_result(bigint, text, text, text)",
        // The gold layer: emptied and analysed by the functions, copied in between (``PostgresSchema/goldWriteObjects``).
        "GRANT INSERT ON " + PostgresSchema.goldTables.map { "cdp.\($0)" }.joined(separator: ", "),
        "GRANT EXECUTE ON FUNCTION cdp.gold_read_begin(), cdp.gold_write_begin(), cdp.gold_write_end()",
        // The revalidate step: a batch of held records that pass now, marked fixed in one call (``PostgresSchema/revalidationObjects``).
        "GRANT EXECUTE ON FUNCTION cdp.quarantine_revalidate_as_read(text)",
        // A first load into an empty silver table builds its indexes after its rows (``PostgresSchema/firstLoadIndexObjects``).
        "GRANT EXECUTE ON FUNCTION cdp.silver_load_begin(text), cdp.silver_load_end()",
        // A batch's chunks take their ids in order before going in on two sessions (``PostgresSchema/chunkIDObjects``).
        "GRANT EXECUTE ON FUNCTION \(PostgresSchema.chunkIDsSignature)",
    ]

    /// The masking functions every role may call: they only take information away; recording one's own refusal
    /// and one's own actions in the audit log (under one's own login, whatever name is passed); and the store's
    /// schema version.
    static let everyRoleFunctions = [
        "cdp.audit_refusal(text, text, text)", "cdp.append_own_audit(text, text, text, text, text)", "cdp.own_audit_count(text, text)",
        "cdp.first_run_on_the_servers_clock()", "cdp.installed_migrations()",
        "cdp.pii_mask(text, text)", "cdp.pii_mask_json(text)", "cdp.pii_mask_attributes(text)", "cdp.pii_mask_json_node(jsonb)", "cdp.pii_kind(text)",
        "cdp.pii_column_kind(text)", "cdp.pii_tagged_column_kind(text)", "cdp.pii_applied_column_kind(text)",
        "cdp.pii_failure_message(text)",
        "cdp.pii_calling_code_length(text)", "cdp.pii_stars_after_first(text)", "cdp.pii_mask_words(text, boolean)",
        // What the run-write triggers ask as the writer (whether it holds the run lock, whether it is the store itself).
        "cdp.run_lock_is_mine()", "cdp.run_lock_is_this_sessions()", "cdp.writer_is_the_store()", "cdp.session_may(text)", "cdp.is_lake_timestamp(text)",
        "cdp.require_own_running_run(text, bigint, bigint)", "cdp.now_text()",
        // What changed since a console last looked: ids and action names only (``PostgresSchema/changeFeedObjects``).
        "cdp.audited_changes_after(bigint)",
        // One's own audit rows waiting in the inbox (``PostgresSchema/ownPendingAuditObjects``).
        "cdp.own_pending_audit(text, text, bigint)",
    ]

    /// What the plan makes of the current store, read from its catalog.
    struct Current {
        /// The lake's tables and views (masked views and internal tables left out).
        var relations: [Relation]
        /// Masked views there now.
        var maskedViews: [String]
        /// Group roles the last apply made (from `cdp.role_permission`).
        var previousGroups: [String]
        /// Group role → its members now.
        var members: [String: [String]]
        /// Roles that exist (login and group).
        var existingRoles: Set<String>
        /// Login roles of the server, superusers and PostgreSQL's own left out.
        var loginRoles: [String] = []
    }

    /// The statements that make the store's roles, grants and masked views say what the policy says, whatever
    /// the last apply left (every grant to a group role is revoked first; members no longer listed are removed).
    /// The database is hardened again too: PUBLIC may not connect to it, make temporary tables in it or create
    /// objects in its `public` schema (a grant made since by hand is taken back).
    func statements(database: String, current: Current) -> [String] {
        let groups = policy.roles.keys.sorted().map { Self.groupRole($0, database: database) }
        let prefix = Self.groupPrefix(database: database)
        let db = PostgresSchema.quoted(database)
        var sql: [String] = [
            "REVOKE ALL ON DATABASE \(db) FROM PUBLIC",
            "REVOKE ALL ON SCHEMA public FROM PUBLIC",
        ]
        for group in groups where !current.existingRoles.contains(group) {
            sql.append("CREATE ROLE \(PostgresSchema.quoted(group)) NOLOGIN")
        }
        for group in Set(groups).union(current.previousGroups).sorted()
        where current.existingRoles.contains(group) || groups.contains(group) {
            let role = PostgresSchema.quoted(group)
            sql += [
                "REVOKE ALL ON ALL TABLES IN SCHEMA cdp FROM \(role)",
                "REVOKE ALL ON ALL SEQUENCES IN SCHEMA cdp FROM \(role)",
                "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA cdp FROM \(role)",
                "REVOKE ALL ON SCHEMA cdp FROM \(role)",
                "REVOKE ALL ON DATABASE \(db) FROM \(role)",
            ]
        }
        for view in current.maskedViews.sorted() { sql.append("DROP VIEW IF EXISTS cdp.\(PostgresSchema.quoted(view))") }
        sql.append(personalKindFunction())
        sql.append(callingCodeFunction())
        // Views and SELECT grants come from cdp.masked_column, as a dictionary edit later rebuilds them.
        sql.append("DELETE FROM cdp.group_role")
        sql.append(
            "INSERT INTO cdp.group_role (role_name, view_pii) VALUES "
                + policy.roles.keys.sorted().map { role in
                    "(\(PostgresSchema.literal(Self.groupRole(role, database: database))), "
                        + "\((policy.roles[role] ?? []).contains(.viewPII) ? "true" : "false"))"
                }.joined(separator: ", "))
        sql.append("DELETE FROM cdp.masked_column")
        let rows = current.relations.sorted(by: { $0.name < $1.name }).flatMap(maskedColumnRows)
        if !rows.isEmpty {
            sql.append(
                "INSERT INTO cdp.masked_column (relation, position, column_name, source, treatment) VALUES " + rows.joined(separator: ", "))
        }
        sql.append("SELECT cdp.rebuild_masked_view(relation) FROM (SELECT DISTINCT relation FROM cdp.masked_column ORDER BY 1) r")
        for role in policy.roles.keys.sorted() {
            let group = PostgresSchema.quoted(Self.groupRole(role, database: database))
            let permissions = policy.roles[role] ?? []
            sql += [
                "GRANT CONNECT ON DATABASE \(db) TO \(group)",
                "GRANT USAGE ON SCHEMA cdp TO \(group)",
                "GRANT EXECUTE ON FUNCTION \(Self.everyRoleFunctions.joined(separator: ", ")) TO \(group)",
            ]
            let functions = Self.functions(for: permissions)
            if !functions.isEmpty { sql.append("GRANT EXECUTE ON FUNCTION \(functions.joined(separator: ", ")) TO \(group)") }
            if permissions.contains(.runWorkflows) && permissions.contains(.viewPII) {
                sql += Self.pipelineGrants.map { "\($0) TO \(group)" }
            }
        }
        // Memberships: each listed user in its role's group only; anyone else loses the groups. A group of an
        // earlier naming (`cdp_<role>`, shared by every lake of the server) lost its privileges here above; its
        // members are left alone, as another lake of the server may still use it.
        var wanted: [String: Set<String>] = [:]
        for (user, role) in policy.users { wanted[Self.groupRole(role, database: database), default: []].insert(user) }
        for group in Set(groups).union(current.previousGroups).union(current.members.keys).sorted() where group.hasPrefix(prefix) {
            for member in (current.members[group] ?? []).sorted() where !(wanted[group]?.contains(member) ?? false) {
                sql.append("REVOKE \(PostgresSchema.quoted(group)) FROM \(PostgresSchema.quoted(member))")
            }
        }
        for user in policy.users.keys.sorted() where !current.existingRoles.contains(user) {
            sql.append("CREATE ROLE \(PostgresSchema.quoted(user)) LOGIN")
        }
        for (user, role) in policy.users.sorted(by: { $0.key < $1.key }) {
            let group = Self.groupRole(role, database: database)
            if current.members[group]?.contains(user) ?? false { continue }
            sql.append("GRANT \(PostgresSchema.quoted(group)) TO \(PostgresSchema.quoted(user))")
        }
        sql.append("DELETE FROM cdp.role_permission")
        let permissionRows = policy.roles.keys.sorted().flatMap { role in
            (policy.roles[role] ?? []).sorted().map {
                "(\(PostgresSchema.literal(Self.groupRole(role, database: database))), \(PostgresSchema.literal($0.rawValue)))"
            }
        }
        if !permissionRows.isEmpty {
            sql.append("INSERT INTO cdp.role_permission (role_name, permission) VALUES \(permissionRows.joined(separator: ", "))")
        }
        return sql
    }

    /// What applying the policy does not do, said to whoever applies it: `default_role` (never granted: it would
    /// reach every login role of the server) with the login roles that therefore get no role here, and roles
    /// that may run workflows but cannot run the pipeline here (it reads and writes personal data).
    func notes(current: Current, database: String) -> [String] {
        var notes: [String] = []
        if let role = policy.defaultRole {
            let unlisted = current.loginRoles.filter { policy.users[$0] == nil }.sorted()
            notes.append(
                "default_role '\(role)' is not applied: in a team store a role granted to everyone else would reach every login role "
                    + "of the server (other lakes' users too), so only the users listed in [users] get a role"
                    + (unlisted.isEmpty
                        ? ""
                        : "; login roles of the server with no role here: \(unlisted.joined(separator: ", ")) (add them to [users] to let them in)")
            )
        }
        for role in policy.roles.keys.sorted() {
            let permissions = policy.roles[role] ?? []
            if permissions.contains(.runWorkflows) && !permissions.contains(.viewPII) {
                notes.append(
                    "role '\(role)' has run_workflows but not view_pii: in a team store a pipeline run reads and writes personal data, "
                        + "so \(Self.groupRole(role, database: database)) may not take the run lock")
            }
        }
        return notes
    }

    /// `cdp.pii_applied_column_kind(name)`: the kind of a personal column name (case-insensitive) as this apply knows
    /// it, for JSON members. `cdp.pii_column_kind` reads it for the names the dictionary does not tag now
    /// (``PostgresSchema/taggedNameObjects``), and `cdp.pii_kind` reads a held record's `attributes.<name>` as its
    /// attribute (``PostgresSchema/heldAttributeObjects``).
    func personalKindFunction() -> String {
        let cases = personalColumns.sorted { $0.key < $1.key }.map { name, kind in
            "WHEN \(PostgresSchema.literal(name.lowercased())) THEN \(PostgresSchema.literal(kind.rawValue))"
        }
        let body = cases.isEmpty ? "NULL::text" : "CASE lower(name) \(cases.joined(separator: " ")) END"
        return """
            CREATE OR REPLACE FUNCTION cdp.pii_applied_column_kind(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT \(body) $$
            """
    }

    /// `cdp.pii_calling_code_length(digits)`: how many leading digits a masked phone number keeps.
    func callingCodeFunction() -> String {
        let codes = PIIMasker.callingCodes.map(PostgresSchema.literal).joined(separator: ", ")
        return """
            CREATE OR REPLACE FUNCTION cdp.pii_calling_code_length(digits text) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$
                SELECT coalesce((SELECT l FROM generate_series(1, 3) AS l WHERE left(digits, l) = ANY (ARRAY[\(codes)]::text[])
                    ORDER BY l LIMIT 1), 2)
            $$
            """
    }

    /// The policy as the audit log records it: each role's permissions and each user's role, sorted.
    public func summary(database: String) -> String {
        let roles = policy.roles.keys.sorted().map {
            "\(Self.groupRole($0, database: database)) = [\((policy.roles[$0] ?? []).sorted().map(\.rawValue).joined(separator: ", "))]"
        }
        let users = policy.users.sorted(by: { $0.key < $1.key }).map { "\($0.key) → \(Self.groupRole($0.value, database: database))" }
        return (roles + users).joined(separator: "\n")
    }
}

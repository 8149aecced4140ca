extension PostgresSchema {
    /// Who holds which quarantined record and candidate pair (the embedded lake's `v10-work-claims`): a steward's
    /// claim, which lapses at `expires_at`, or an assignment (`expires_at` NULL). The table is the lake's, so
    /// `cdp store migrate` moves holds with everything else. Every role reads it (it holds no personal data); it is
    /// changed only through `cdp.work_claims_change` (``workClaimChangeObjects``), which checks and audits each change.
    static let workClaimObjects: [String] = [
        """
        CREATE TABLE cdp.work_claim (
            item_kind text NOT NULL,
            item_id bigint NOT NULL,
            owner text NOT NULL,
            hold text NOT NULL,
            held_by text NOT NULL,
            since text NOT NULL,
            expires_at text,
            PRIMARY KEY (item_kind, item_id)
        )
        """,
        "CREATE INDEX work_claim_by_owner ON cdp.work_claim(owner, item_kind)",
    ]
}

extension PostgresSchema {
    /// Without view_pii every customer search is a lookup the engine audits (`customer.lookup`, what was looked up in the
    /// reason, which such readers see withheld) and counts against an hourly budget, on the team store as on the embedded
    /// lake: the login role records it in its own name, as an export. A target is kept on one line (a line break in
    /// it printed a row of its own choosing in `cdp audit`). Restates `append_own_audit` of `pg-exports-are-audited`
    /// whole, with those two changes.
    static let customerLookupAuditObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.append_own_audit(p_action text, p_target text, p_before text, p_after text, p_reason text)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            needs text;
        BEGIN
            needs := CASE
                WHEN p_action IN ('run.start', 'run.repair', 'match.run', 'schedule.pause', 'schedule.resume') THEN 'run_workflows'
                WHEN p_action ~ '^quarantine\\.bulk\\.[a-z_]{1,40}$' THEN 'remediate_quarantine'
                WHEN p_action IN ('work.comment', 'work.take_over') THEN
                    CASE WHEN p_target LIKE 'Q%' THEN 'remediate_quarantine' ELSE 'decide_merges' END
                WHEN p_action IN ('access.refused', 'quarantine.export', 'lake.export', 'console.visit', 'view.save', 'view.delete',
                                  'customer.lookup') THEN ''
            END;
            IF needs IS NULL THEN
                RAISE EXCEPTION 'the audit log takes "%" only from the function that does it: a login role records here only what cdp records of its own (runs, exports, views, comments, lookups, refusals); nothing was written',
                    left(coalesce(p_action, ''), 60) USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF needs <> '' THEN PERFORM cdp.require_permission(needs, 'record ' || p_action); END IF;
            RETURN cdp.append_audit(session_user::text, p_action, left(regexp_replace(p_target, '[[:cntrl:]]', ' ', 'g'), 200),
                left(p_before, 2000), left(p_after, 2000), left(p_reason, 2000));
        END $$
        """
    ]
}

extension PostgresSchema {
    /// The residue of F7 (tenth review): a session that took the run lock itself (any role that may run the pipeline)
    /// could record a run without its `run.start` audit row, which only `cdp audit verify` named afterwards. Migration
    /// `pg-a-run-commits-with-its-start` refuses it outright: a constraint trigger deferred to the commit of the
    /// transaction that records a run (`cdp run` records the run and appends its `run.start` in one) refuses the commit
    /// unless that transaction's run has its `run.start` by the run's actor, in the chain or in the audit inbox. A login
    /// role cannot turn the check off (disabling a trigger needs the table's owner; `SET CONSTRAINTS … IMMEDIATE` only
    /// makes it ask before the row can have its start). The store itself (its functions, its installer, `cdp store
    /// migrate`, which copies runs an embedded lake recorded) is not asked, as every run-write guard does not ask it.
    static let runCommitsWithItsStartObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.run_commits_with_its_start() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF pg_has_role(session_user, '\(owner)', 'MEMBER') THEN RETURN NULL; END IF;
            IF EXISTS (SELECT 1 FROM cdp.audit_log a WHERE a.action = 'run.start' AND a.target = 'R' || NEW.id AND a.actor = NEW.actor)
                OR EXISTS (SELECT 1 FROM cdp.audit_inbox a WHERE a.action = 'run.start' AND a.target = 'R' || NEW.id AND a.actor = NEW.actor) THEN
                RETURN NULL;
            END IF;
            RAISE EXCEPTION 'run R% of % was recorded without its run.start audit row in the same transaction: a run is recorded with its start (cdp run appends cdp.append_own_audit(''run.start'', ''R%'', …) as it records the run); nothing was written',
                NEW.id, NEW.actor, NEW.id USING ERRCODE = 'insufficient_privilege';
        END $$
        """,
        "DROP TRIGGER IF EXISTS run_commits_with_its_start ON cdp.workflow_run",
        """
        CREATE CONSTRAINT TRIGGER run_commits_with_its_start AFTER INSERT ON cdp.workflow_run
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cdp.run_commits_with_its_start()
        """,
    ]
}

extension PostgresSchema {
    /// The tables whose rows belong to one run, each guarded by `run_rows_are_its_runs` (`run_event` and
    /// `row_warning` by triggers of their own, below).
    static let runOwnedTables = ["rule_result", "dq_scorecard"]

    /// The triggers of ``runHistoryObjects``, as `table.trigger` (`cdp audit verify` reports one missing or disabled).
    static let runHistoryTriggers =
        runOwnedTables.map { "\($0).run_rows_are_its_runs" } + ["run_event.run_event_is_its_runs", "row_warning.row_warning_is_its_runs"]

    /// S1, S2 and S2b of the eighth security review (#17): the session holding the run lock recorded a "succeeded"
    /// run of its own with start and end times of its choosing and no tasks, which `cdp status` then headlined;
    /// rewrote the rule results and scorecard of batches other, finished runs had ingested; and appended run events
    /// and row warnings to others' finished runs, all unaudited. Now, for every login role (the store's own
    /// functions and its installer excepted, as before):
    ///
    /// - a run's start and end are the server's clock (`cdp.now_text()`), whatever the client sends: the start as the
    ///   run is recorded, the end as it leaves `running` (cleared as a repair reopens it); its tasks are recorded
    ///   pending, and it succeeds only when at least one of them succeeded and none did otherwise but skip;
    /// - rule results and scorecard rows are written, changed and deleted only for the writer's own running run
    ///   (and a rule result only for a batch of that run): a finished run's are history;
    /// - a run event goes only to the writer's own running run, or to the run whose row this same transaction moved
    ///   (a run ending, or a stale one closed as the lock is taken); its time is the server's;
    /// - a row warning goes only to a batch being ingested by the writer's own running run;
    /// - ``PostgresTeamStore/auditChainProblems(_:)`` names a run whose row says it started other than when its
    ///   `run.start` was audited.
    static let runHistoryObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.run_row_moves_on() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            head_rows bigint;
            head_hash text;
            unfinished text;
            succeeded_tasks bigint;
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.state = 'running' AND NEW.state <> 'running' THEN
                -- The audit chain's length and head as the run ends: the store's, not the writer's.
                SELECT row_count, hash INTO head_rows, head_hash FROM cdp.audit_head WHERE id = 1;
            END IF;
            IF cdp.writer_is_the_store() THEN
                IF head_rows > 0 THEN
                    NEW.audit_rows := head_rows;
                    NEW.audit_head := head_hash;
                END IF;
                RETURN NEW;
            END IF;
            IF TG_OP = 'INSERT' THEN
                IF NEW.state <> 'running' OR NEW.finished_at IS NOT NULL OR NEW.error IS NOT NULL OR NEW.audit_rows IS NOT NULL
                    OR NEW.audit_head IS NOT NULL THEN
                    RAISE EXCEPTION 'a run is recorded as running, with no end, error or audit head yet; nothing was written'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NEW.actor IS DISTINCT FROM session_user::text THEN
                    RAISE EXCEPTION 'a run is recorded under the login role running it (%), not %; nothing was written', session_user, NEW.actor
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                NEW.started_at := cdp.now_text();
                RETURN NEW;
            END IF;
            IF (NEW.id, NEW.workflow, NEW.actor, NEW.trigger, NEW.started_at) IS DISTINCT FROM (OLD.id, OLD.workflow, OLD.actor, OLD.trigger, OLD.started_at)
                OR (NEW.audit_rows, NEW.audit_head) IS DISTINCT FROM (OLD.audit_rows, OLD.audit_head) THEN
                RAISE EXCEPTION 'run %: which workflow, who started it, how and when, and the audit head it recorded never change; nothing was written',
                    OLD.id USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF OLD.state = 'succeeded' OR (OLD.state <> 'running' AND NEW.state <> 'running') THEN
                RAISE EXCEPTION 'run % %: a finished run is history (one that failed is reopened by `cdp runs repair`, nothing else); nothing was written',
                    OLD.id, OLD.state USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF OLD.actor <> session_user::text AND NOT (OLD.state = 'running' AND NEW.state IN ('failed', 'abandoned'))
                AND NOT cdp.session_may('act_as') THEN
                RAISE EXCEPTION 'run % is %''s: % may only close it as failed or abandoned when its process is gone (a run does so on taking the lock); repairing or ending another''s run needs act_as; nothing was written',
                    OLD.id, OLD.actor, session_user USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.state = 'succeeded' THEN
                SELECT string_agg(task_key || ' ' || state, ', ' ORDER BY position) FILTER (WHERE state NOT IN ('succeeded', 'skipped')),
                    count(*) FILTER (WHERE state = 'succeeded')
                    INTO unfinished, succeeded_tasks FROM cdp.task_run WHERE run_id = OLD.id;
                IF unfinished IS NOT NULL THEN
                    RAISE EXCEPTION 'run % cannot succeed: its tasks % did not; nothing was written', OLD.id, left(unfinished, 300)
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NOT EXISTS (SELECT 1 FROM cdp.audit_log a WHERE a.action IN ('run.start', 'run.repair') AND a.target = 'R' || OLD.id
                    AND a.actor = session_user::text) THEN
                    RAISE EXCEPTION 'run % cannot succeed: the audit log has no run.start or run.repair of it by % (cdp run records it as the run begins); nothing was written',
                        OLD.id, session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF succeeded_tasks = 0 THEN
                    RAISE EXCEPTION 'run % cannot succeed: none of its tasks is recorded as succeeded (a run succeeds by running its tasks); nothing was written',
                        OLD.id USING ERRCODE = 'insufficient_privilege';
                END IF;
            END IF;
            -- When a run ended is the server's to say: as it leaves running; a repair reopening it clears it.
            NEW.finished_at := CASE WHEN NEW.state = 'running' THEN NULL WHEN OLD.state = 'running' THEN cdp.now_text() ELSE OLD.finished_at END;
            IF head_rows > 0 THEN
                NEW.audit_rows := head_rows;
                NEW.audit_head := head_hash;
            END IF;
            RETURN NEW;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.task_row_moves_on() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run_state text;
        BEGIN
            IF cdp.writer_is_the_store() THEN RETURN NEW; END IF;
            SELECT state INTO run_state FROM cdp.workflow_run WHERE id = NEW.run_id;
            IF TG_OP = 'INSERT' AND (NEW.state <> 'pending' OR NEW.attempt <> 0 OR NEW.started_at IS NOT NULL OR NEW.finished_at IS NOT NULL
                OR NEW.duration_ms IS NOT NULL OR NEW.processed <> 0 OR NEW.total IS NOT NULL OR NEW.counts IS NOT NULL OR NEW.error IS NOT NULL) THEN
                RAISE EXCEPTION 'task % of run % is recorded pending, with nothing done yet (not %); nothing was written', NEW.task_key, NEW.run_id,
                    left(NEW.state, 40) USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'UPDATE' AND (NEW.run_id, NEW.task_key, NEW.position, NEW.step, NEW.depends_on)
                IS DISTINCT FROM (OLD.run_id, OLD.task_key, OLD.position, OLD.step, OLD.depends_on) THEN
                RAISE EXCEPTION 'task % of run %: which task of which run, and its step, never change; nothing was written', OLD.task_key, OLD.run_id
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF run_state IS DISTINCT FROM 'running' AND NOT (TG_OP = 'UPDATE'
                AND ((OLD.state = 'running' AND NEW.state = 'failed') OR (OLD.state = 'pending' AND NEW.state = 'skipped'))
                AND (NEW.attempt, NEW.started_at, NEW.duration_ms, NEW.processed, NEW.total, NEW.counts)
                    IS NOT DISTINCT FROM (OLD.attempt, OLD.started_at, OLD.duration_ms, OLD.processed, OLD.total, OLD.counts)) THEN
                RAISE EXCEPTION 'run % is %: its tasks are history (a task left running fails, one left pending is skipped, nothing else); nothing was written',
                    NEW.run_id, coalesce(run_state, 'missing') USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """,
        // Whether `p_run` is the writer's own running run (and `p_batch`, when given, one of its batches); raises
        // naming the run otherwise. Runs as the trigger's invoker, a pipeline role, which reads runs and batches.
        """
        CREATE FUNCTION cdp.require_own_running_run(p_table text, p_run bigint, p_batch bigint) RETURNS void LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run cdp.workflow_run;
            batch_run bigint;
        BEGIN
            SELECT * INTO run FROM cdp.workflow_run WHERE id = p_run;
            IF run.id IS NULL OR run.state <> 'running' OR run.actor <> session_user::text THEN
                RAISE EXCEPTION '% may not write cdp.% of run %: %; a run writes only its own rows while it runs, and a finished run''s are history; nothing was written',
                    session_user, p_table, coalesce(p_run::text, 'none'),
                    CASE WHEN run.id IS NULL THEN 'there is no such run' WHEN run.actor <> session_user::text THEN 'it is ' || run.actor || '''s'
                        ELSE 'it is ' || run.state END
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF p_batch IS NOT NULL THEN
                SELECT b.run_id INTO batch_run FROM cdp.batch b WHERE b.id = p_batch;
                IF batch_run IS DISTINCT FROM p_run THEN
                    RAISE EXCEPTION '% may not write cdp.% of batch % for run %: the batch is %; a run writes only its own batches'' rows; nothing was written',
                        session_user, p_table, p_batch, p_run, coalesce('run ' || batch_run || '''s', 'no run''s') USING ERRCODE = 'insufficient_privilege';
                END IF;
            END IF;
        END $$
        """,
        // The triggers run as the writer, who calls these.
        """
        DO $$ DECLARE g text; BEGIN
            FOR g IN SELECT role_name FROM cdp.group_role WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) ORDER BY 1
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION cdp.require_own_running_run(text, bigint, bigint), cdp.now_text() TO %I', g);
            END LOOP;
        END $$
        """,
        """
        CREATE FUNCTION cdp.run_rows_are_its_runs() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF cdp.writer_is_the_store() THEN RETURN coalesce(NEW, OLD); END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM cdp.require_own_running_run(TG_TABLE_NAME, (to_jsonb(OLD) ->> 'run_id')::bigint, (to_jsonb(OLD) ->> 'batch_id')::bigint);
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                PERFORM cdp.require_own_running_run(TG_TABLE_NAME, (to_jsonb(NEW) ->> 'run_id')::bigint, (to_jsonb(NEW) ->> 'batch_id')::bigint);
            END IF;
            RETURN coalesce(NEW, OLD);
        END $$
        """,
        """
        DO $$ DECLARE t text; BEGIN
            FOREACH t IN ARRAY ARRAY[\(runOwnedTables.map(literal).joined(separator: ", "))]
            LOOP
                EXECUTE format('CREATE TRIGGER run_rows_are_its_runs BEFORE INSERT OR UPDATE OR DELETE ON cdp.%I '
                    'FOR EACH ROW EXECUTE FUNCTION cdp.run_rows_are_its_runs()', t);
            END LOOP;
        END $$
        """,
        // A run's row moved by this very transaction is the run this transaction ends (or closes, or reopens): its
        // last event goes in after its state moved.
        """
        CREATE FUNCTION cdp.run_event_is_its_runs() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF cdp.writer_is_the_store() THEN RETURN NEW; END IF;
            IF NOT EXISTS (SELECT 1 FROM cdp.workflow_run r WHERE r.id = NEW.run_id AND r.xmin = pg_current_xact_id()::xid) THEN
                PERFORM cdp.require_own_running_run('run_event', NEW.run_id, NULL);
            END IF;
            NEW.at := cdp.now_text();
            RETURN NEW;
        END $$
        """,
        "CREATE TRIGGER run_event_is_its_runs BEFORE INSERT ON cdp.run_event FOR EACH ROW EXECUTE FUNCTION cdp.run_event_is_its_runs()",
        // Checked once a statement (warnings arrive by COPY, many at a time).
        """
        CREATE FUNCTION cdp.row_warning_is_its_runs() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            bad record;
        BEGIN
            IF cdp.writer_is_the_store() THEN RETURN NULL; END IF;
            SELECT w.batch_id, b.state AS batch_state, r.id AS run, r.state AS run_state, r.actor INTO bad
                FROM (SELECT DISTINCT batch_id FROM added) w LEFT JOIN cdp.batch b ON b.id = w.batch_id LEFT JOIN cdp.workflow_run r ON r.id = b.run_id
                WHERE b.id IS NULL OR b.state = 'ingested' OR r.id IS NULL OR r.state <> 'running' OR r.actor <> session_user::text
                ORDER BY w.batch_id LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION '% may not add warnings to batch %: %; a run warns only of the batches it is ingesting; nothing was written',
                    session_user, bad.batch_id,
                    CASE WHEN bad.batch_state IS NULL THEN 'there is no such batch' WHEN bad.batch_state = 'ingested' THEN 'it is ingested'
                        WHEN bad.run IS NULL THEN 'no run is ingesting it'
                        ELSE 'it is run ' || bad.run || '''s, which is ' || bad.actor || '''s and ' || bad.run_state END
                    USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER row_warning_is_its_runs AFTER INSERT ON cdp.row_warning REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION cdp.row_warning_is_its_runs()
        """,
    ]
}

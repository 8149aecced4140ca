extension PostgresSchema {
    /// What only a pipeline run writes, written only by one (a security review found pg8 left it open: a steward
    /// could set an ingested batch back to `landed` and have `cdp.discard_batch_rows` erase it, rewrite a finished
    /// run's state, actor and audit head, write silver outside any run, and have `cdp.append_own_audit` record any
    /// action in its name). The database decides, whatever client writes:
    ///
    /// - the tables a run fills (batches, silver, warnings, rule results, the scorecard, held records, runs, their
    ///   tasks and events) are written by a login role only while a session of that same role holds the store's run
    ///   lock (`cdp.run_lock_is_mine()`); functions owned by `cdp_owner` (steward decisions, migrations) check for
    ///   themselves;
    /// - an ingested batch never changes again; a batch is recorded as landed, and moves on only for a running run;
    /// - a run is recorded as running, by the login role running it; who started it, when and what never change; a
    ///   run that succeeded never changes, one that failed or was abandoned only reopens (a repair); the audit
    ///   head a run records is the store's, taken as the run ends; a finished run's tasks only close;
    /// - `cdp.discard_batch_rows` redoes a batch for the lock holder's running run only, keeps every record a
    ///   steward worked (it refuses instead), and appends `batch.discard`;
    /// - `cdp.append_own_audit` takes only what the engine records of its own (runs, repairs, schedules, exports,
    ///   saved views, visits, comments, take-overs, bulk summaries, refusals), each needing the permission its
    ///   action needs, with bounded texts. Steward and admin decisions are audited by the function making them.
    ///
    /// With the table-wide UPDATE on runs and tasks gone too (``PostgresAccessPlan/pipelineGrants`` grants columns),
    /// no login role holds UPDATE, DELETE or TRUNCATE on a whole table, so none can `LOCK TABLE` one in a mode that
    /// keeps readers out.
    /// The tables only a run writes, each guarded by `run_write_needs_the_run_lock`.
    static let runWrittenTables = [
        "batch", "silver_customer", "silver_order", "silver_campaign", "silver_event", "row_warning", "rule_result", "dq_scorecard",
        "quarantine_record", "workflow_run", "task_run", "run_event",
    ]

    /// Every trigger of these guards, as `table.trigger` (`cdp audit verify` reports one missing or disabled).
    static let runWriteTriggers =
        (runWrittenTables + matchWrittenTables + goldTables).map { "\($0).run_write_needs_the_run_lock" } + [
            "batch.batch_moves_on", "workflow_run.run_row_moves_on", "task_run.task_row_moves_on",
            "workflow_run.run_starts_in_the_lock_holders_session", "workflow_run.run_commits_with_its_start",
        ] + runHistoryTriggers

    static let runWriteObjects: [String] = [
        """
        CREATE FUNCTION cdp.run_lock_is_mine() RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    AND ((l.classid::bigint << 32) | l.objid::bigint) = \(runLockKey) AND l.objsubid = 1 AND a.usename = session_user)
        $$
        """,
        // Whether the writer is the store itself: a function owned by cdp_owner (it checks for itself), or whoever
        // installs and migrates the store (a superuser, or the database's owner made a member of cdp_owner).
        """
        CREATE FUNCTION cdp.writer_is_the_store() RETURNS boolean LANGUAGE sql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT pg_has_role(current_user, '\(owner)', 'MEMBER')
        $$
        """,
        """
        CREATE FUNCTION cdp.run_write_needs_the_run_lock() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF NOT cdp.writer_is_the_store() AND NOT cdp.run_lock_is_mine() THEN
                RAISE EXCEPTION '% may not write cdp.%: only a pipeline run writes it, while it holds the store''s run lock (cdp run takes it); nothing was written',
                    session_user, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        DO $$ DECLARE t text; BEGIN
            FOREACH t IN ARRAY ARRAY[\(runWrittenTables.map(literal).joined(separator: ", "))]
            LOOP
                EXECUTE format('CREATE TRIGGER run_write_needs_the_run_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON cdp.%I '
                    'FOR EACH STATEMENT EXECUTE FUNCTION cdp.run_write_needs_the_run_lock()', t);
            END LOOP;
        END $$
        """,
        """
        CREATE FUNCTION cdp.batch_moves_on() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF cdp.writer_is_the_store() THEN RETURN NEW; END IF;
            IF TG_OP = 'INSERT' THEN
                IF NEW.state <> 'landed' OR NEW.rows_read <> 0 OR NEW.rows_unchanged <> 0 OR NEW.rows_silver <> 0 OR NEW.rows_quarantined <> 0
                    OR NEW.rows_warned <> 0 THEN
                    RAISE EXCEPTION 'a batch is recorded as landed, with no rows yet (not %); nothing was written', NEW.state
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
            ELSIF OLD.state = 'ingested' THEN
                RAISE EXCEPTION 'batch % is ingested: its state, run and counts are the lake''s record of what it holds and never change; nothing was written',
                    OLD.id USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cdp.workflow_run r WHERE r.id = NEW.run_id AND r.state = 'running') THEN
                RAISE EXCEPTION 'batch %: run % is not running, and a batch is written by the run that ingests it; nothing was written',
                    NEW.id, NEW.run_id USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """,
        "CREATE TRIGGER batch_moves_on BEFORE INSERT OR UPDATE ON cdp.batch FOR EACH ROW EXECUTE FUNCTION cdp.batch_moves_on()",
        """
        CREATE FUNCTION cdp.run_row_moves_on() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            head_rows bigint;
            head_hash text;
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
            IF head_rows > 0 THEN
                NEW.audit_rows := head_rows;
                NEW.audit_head := head_hash;
            END IF;
            RETURN NEW;
        END $$
        """,
        "CREATE TRIGGER run_row_moves_on BEFORE INSERT OR UPDATE ON cdp.workflow_run FOR EACH ROW EXECUTE FUNCTION cdp.run_row_moves_on()",
        """
        CREATE FUNCTION cdp.task_row_moves_on() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            run_state text;
        BEGIN
            IF cdp.writer_is_the_store() THEN RETURN NEW; END IF;
            SELECT state INTO run_state FROM cdp.workflow_run WHERE id = NEW.run_id;
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
        "CREATE TRIGGER task_row_moves_on BEFORE INSERT OR UPDATE ON cdp.task_run FOR EACH ROW EXECUTE FUNCTION cdp.task_row_moves_on()",
        """
        CREATE OR REPLACE FUNCTION cdp.discard_batch_rows(p_batch bigint) RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            b cdp.batch;
            worked bigint;
            silver bigint;
            held bigint;
        BEGIN
            PERFORM cdp.require_permission('run_workflows', 'run workflows');
            IF NOT cdp.run_lock_is_mine() THEN
                RAISE EXCEPTION '% may not discard batch %: only a run holding the store''s run lock redoes a batch; nothing was discarded',
                    session_user, p_batch USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM cdp.workflow_run WHERE state = 'running' AND actor = session_user::text) THEN
                RAISE EXCEPTION '% may not discard batch %: no run of theirs is running, and only a run redoes a batch; nothing was discarded',
                    session_user, p_batch USING ERRCODE = 'insufficient_privilege';
            END IF;
            SELECT * INTO b FROM cdp.batch WHERE id = p_batch FOR UPDATE;
            IF NOT FOUND THEN RAISE EXCEPTION 'no batch %', p_batch USING ERRCODE = 'no_data_found'; END IF;
            IF b.state = 'ingested' THEN
                RAISE EXCEPTION 'batch % is ingested: its rows are the lake''s and are not discarded', p_batch
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT min(q.id) INTO worked FROM cdp.quarantine_record q WHERE q.batch_id = p_batch
                AND (q.status <> 'open' OR EXISTS (SELECT 1 FROM cdp.quarantine_history h WHERE h.quarantine_id = q.id));
            IF worked IS NOT NULL THEN
                RAISE EXCEPTION 'batch % (%) cannot be redone: a steward has worked its held record Q%, whose history is kept; nothing was discarded. An admin decides what becomes of the batch',
                    p_batch, b.file_name, worked USING ERRCODE = 'object_in_use';
            END IF;
            SELECT count(*) INTO silver FROM (
                SELECT 1 FROM cdp.silver_customer WHERE batch_id = p_batch UNION ALL SELECT 1 FROM cdp.silver_order WHERE batch_id = p_batch
                UNION ALL SELECT 1 FROM cdp.silver_campaign WHERE batch_id = p_batch UNION ALL SELECT 1 FROM cdp.silver_event WHERE batch_id = p_batch) s;
            SELECT count(*) INTO held FROM cdp.quarantine_record WHERE batch_id = p_batch;
            DELETE FROM cdp.silver_customer WHERE batch_id = p_batch;
            UPDATE cdp.silver_customer SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.silver_order WHERE batch_id = p_batch;
            UPDATE cdp.silver_order SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.silver_campaign WHERE batch_id = p_batch;
            UPDATE cdp.silver_campaign SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.silver_event WHERE batch_id = p_batch;
            UPDATE cdp.silver_event SET is_current = 1, superseded_by = NULL WHERE superseded_by = p_batch;
            DELETE FROM cdp.row_warning WHERE batch_id = p_batch;
            DELETE FROM cdp.quarantine_record WHERE batch_id = p_batch;
            DELETE FROM cdp.rule_result WHERE batch_id = p_batch;
            UPDATE cdp.batch SET state = 'landed', rows_read = 0, rows_unchanged = 0, rows_silver = 0, rows_quarantined = 0,
                rows_warned = 0, error = NULL WHERE id = p_batch;
            PERFORM cdp.append_audit(session_user::text, 'batch.discard', 'batch ' || p_batch,
                json_build_object('file', b.file_name, 'source', b.source, 'state', b.state, 'run', b.run_id, 'silver_rows', silver,
                    'held_records', held)::text,
                'landed', 'redoing a batch an interrupted run left half-written');
        END $$
        """,
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
                WHEN p_action IN ('access.refused', 'quarantine.export', 'console.visit', 'view.save', 'view.delete') THEN ''
            END;
            IF needs IS NULL THEN
                RAISE EXCEPTION 'the audit log takes "%" only from the function that does it: a login role records here only what cdp records of its own (runs, exports, views, comments, refusals); nothing was written',
                    left(coalesce(p_action, ''), 60) USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF needs <> '' THEN PERFORM cdp.require_permission(needs, 'record ' || p_action); END IF;
            RETURN cdp.append_audit(session_user::text, p_action, left(p_target, 200), left(p_before, 2000), left(p_after, 2000),
                left(p_reason, 2000));
        END $$
        """,
    ]
}

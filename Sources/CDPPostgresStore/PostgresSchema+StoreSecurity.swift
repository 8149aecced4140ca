extension PostgresSchema {
    /// What the seventh security review of the team store found (#17), closed by the database.
    ///
    /// F3: an audit row's `hash` is SHA-256 over its real before/after/reason, and the next row's `previous_hash`,
    /// the chain's head (`cdp.audit_head`) and the head a run records (`workflow_run.audit_head`) are that same hash:
    /// with every other field of the row shown, hashing guesses gives a masked value back (a birth date in some
    /// 10⁵ tries, a looked-up e-mail from a list). Without `view_pii` they are withheld, as the content hash is:
    /// `cdp.masked_column` marks them `hash` (always withheld, whatever the dictionary says) and their masked views
    /// are rebuilt: `audit_log_masked`, `workflow_run_masked` and a new `audit_head_masked` withhold them, and groups
    /// without `view_pii` lose `cdp.audit_head` itself. `cdp audit verify` needs `view_pii` already.
    static let auditHashObjects: [String] = [
        """
        UPDATE cdp.masked_column SET source = 'hash', treatment = 'withhold'
            WHERE (relation, column_name) IN (\(PostgresAccessPlan.auditHashColumns.sorted().map { "(\(literal($0.relation)), \(literal($0.column)))" }.joined(separator: ", ")))
        """,
        """
        SELECT cdp.rebuild_masked_view(relation) FROM (SELECT DISTINCT relation FROM cdp.masked_column
            WHERE relation IN (\(Set(PostgresAccessPlan.auditHashColumns.map(\.relation)).sorted().map(literal).joined(separator: ", "))) ORDER BY 1) r
        """,
    ]
}

extension PostgresSchema {
    /// The most bronze ids one call of `cdp.take_bronze_ids` hands out (a chunk of the batch writer is far fewer).
    static let bronzeIDsPerCall: Int64 = 10_000_000

    /// The transaction-scoped advisory lock that makes callers of `cdp.take_bronze_ids` take turns: "CDP" + "BID".
    static let bronzeIDsLockKey: Int64 = 0x4344_5042_4944

    /// F8: `cdp.take_bronze_ids` checked only `run_workflows`: a steward without the run lock moved the bronze id
    /// sequence to its end with one call (every later ingest failed until a superuser reset it, unaudited), and its
    /// `LOCK TABLE cdp.batch IN SHARE ROW EXCLUSIVE MODE`, taken as the owner in the caller's transaction, let a
    /// steward's open transaction block every batch write. Now ids go only to a run: the caller's login role holds
    /// the run lock (the batch writer works on a session of its own, so the lock's session is the run's, not the
    /// writer's) and has a run recorded as running; at most ``bronzeIDsPerCall`` per call; and callers take turns on
    /// a transaction advisory lock of their own, which keeps only other bronze id takers waiting — all of them the
    /// lock holder's. The store itself (a member of `cdp_owner`: migration, `cdp bench ingest --store`) needs no run.
    static let bronzeIDObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.take_bronze_ids(p_count bigint) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            first_id bigint;
        BEGIN
            PERFORM cdp.require_permission('run_workflows', 'run workflows');
            IF p_count IS NULL OR p_count < 1 OR p_count > \(bronzeIDsPerCall) THEN
                RAISE EXCEPTION 'take between 1 and \(bronzeIDsPerCall) bronze ids at a time, not %', coalesce(p_count::text, 'NULL')
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF NOT pg_has_role(session_user, '\(owner)', 'MEMBER') THEN
                IF NOT cdp.run_lock_is_mine() THEN
                    RAISE EXCEPTION '% may not take bronze ids: only a run holding the store''s run lock lands rows (cdp run takes it); nothing was taken',
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NOT EXISTS (SELECT 1 FROM cdp.workflow_run WHERE state = 'running' AND actor = session_user::text) THEN
                    RAISE EXCEPTION '% may not take bronze ids: no run of theirs is running, and only a run lands rows; nothing was taken',
                        session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
            END IF;
            PERFORM pg_advisory_xact_lock(\(bronzeIDsLockKey));
            first_id := nextval('cdp.bronze_row_id');
            IF p_count > 1 THEN PERFORM setval('cdp.bronze_row_id', first_id + p_count - 1, true); END IF;
            RETURN first_id;
        END $$
        """,
    ]
}

extension PostgresSchema {
    /// Whether a text is one of the lake's timestamps (ISO 8601 in UTC, `2026-12-07T09:05:26Z`, fractions of a
    /// second allowed) naming a real moment.
    static let lakeTimestampFunction = """
        CREATE FUNCTION cdp.is_lake_timestamp(p_text text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF p_text IS NULL OR p_text !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$' THEN RETURN false; END IF;
            PERFORM p_text::timestamptz;
            RETURN true;
        EXCEPTION WHEN others THEN
            RETURN false;
        END $$
        """

    /// F4: a steward holding the run lock reopened another's failed run, rewrote its error and marked it
    /// succeeded (its tasks still failed), and recorded a run of its own with no `run.start` audit row and a
    /// finished time of "x"; nothing was audited and `cdp verify` saw nothing. Now, for every login role (the
    /// store's own functions and its installer excepted, as before):
    ///
    /// - a run's times are the lake's timestamps (`cdp.is_lake_timestamp`);
    /// - another role's run is touched only to close it as a run does on taking the lock (a run still `running`
    ///   lost its process: it becomes `failed` or `abandoned`); reopening one (a repair) or ending it otherwise
    ///   needs `act_as` (`cdp.session_may`, every role may ask it of itself);
    /// - a run succeeds only when each of its tasks succeeded or was skipped, and its start or repair is in the
    ///   audit log (`run.start` / `run.repair` naming the run, by the role ending it);
    /// - the audit log takes `run.start` / `run.repair` only for a run of that role that is running (a trigger on
    ///   `cdp.audit_log`, whichever function appends), so there is no start recorded for a run that never was;
    /// - ``PostgresTeamStore/auditChainProblems(_:)`` names a run that succeeded with no start or repair in the log.
    static let runTrailObjects: [String] = [
        lakeTimestampFunction,
        """
        CREATE FUNCTION cdp.session_may(p_permission text) RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT EXISTS (SELECT 1 FROM cdp.role_permission rp JOIN pg_roles r ON r.rolname = rp.role_name
                WHERE rp.permission = p_permission AND pg_has_role(session_user, r.oid, 'MEMBER'))
        $$
        """,
        """
        DO $$ DECLARE g text; BEGIN
            FOR g IN SELECT role_name FROM cdp.group_role WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) ORDER BY 1
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION cdp.session_may(text), cdp.is_lake_timestamp(text) TO %I', g);
            END LOOP;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.run_row_moves_on() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            head_rows bigint;
            head_hash text;
            unfinished text;
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
                IF NOT cdp.is_lake_timestamp(NEW.started_at) THEN
                    RAISE EXCEPTION 'a run''s start is a timestamp like 2026-12-07T09:05:26Z, not %; nothing was written', left(NEW.started_at, 40)
                        USING ERRCODE = 'invalid_datetime_format';
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
            IF NEW.finished_at IS NOT NULL AND NOT cdp.is_lake_timestamp(NEW.finished_at) THEN
                RAISE EXCEPTION 'run %: a run''s end is a timestamp like 2026-12-07T09:05:26Z, not %; nothing was written', OLD.id,
                    left(NEW.finished_at, 40) USING ERRCODE = 'invalid_datetime_format';
            END IF;
            IF OLD.actor <> session_user::text AND NOT (OLD.state = 'running' AND NEW.state IN ('failed', 'abandoned'))
                AND NOT cdp.session_may('act_as') THEN
                RAISE EXCEPTION 'run % is %''s: % may only close it as failed or abandoned when its process is gone (a run does so on taking the lock); repairing or ending another''s run needs act_as; nothing was written',
                    OLD.id, OLD.actor, session_user USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF NEW.state = 'succeeded' THEN
                SELECT string_agg(task_key || ' ' || state, ', ' ORDER BY position) INTO unfinished FROM cdp.task_run
                    WHERE run_id = OLD.id AND state NOT IN ('succeeded', 'skipped');
                IF unfinished IS NOT NULL THEN
                    RAISE EXCEPTION 'run % cannot succeed: its tasks % did not; nothing was written', OLD.id, left(unfinished, 300)
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF NOT EXISTS (SELECT 1 FROM cdp.audit_log a WHERE a.action IN ('run.start', 'run.repair') AND a.target = 'R' || OLD.id
                    AND a.actor = session_user::text) THEN
                    RAISE EXCEPTION 'run % cannot succeed: the audit log has no run.start or run.repair of it by % (cdp run records it as the run begins); nothing was written',
                        OLD.id, session_user USING ERRCODE = 'insufficient_privilege';
                END IF;
            END IF;
            IF head_rows > 0 THEN
                NEW.audit_rows := head_rows;
                NEW.audit_head := head_hash;
            END IF;
            RETURN NEW;
        END $$
        """,
        // Runs as the appending function's owner, so it reads the runs whoever appends.
        """
        CREATE FUNCTION cdp.run_audit_names_a_running_run() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF NEW.action IN ('run.start', 'run.repair') AND NOT pg_has_role(session_user, '\(owner)', 'MEMBER')
                AND NOT EXISTS (SELECT 1 FROM cdp.workflow_run r WHERE 'R' || r.id = NEW.target AND r.state = 'running'
                    AND (r.actor = NEW.actor OR (NEW.action = 'run.repair' AND cdp.session_may('act_as')))) THEN
                RAISE EXCEPTION 'the audit log takes % only for a running run of %''s, and % is none; nothing was written',
                    NEW.action, NEW.actor, left(NEW.target, 60) USING ERRCODE = 'insufficient_privilege';
            END IF;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER run_audit_names_a_running_run BEFORE INSERT ON cdp.audit_log
            FOR EACH ROW EXECUTE FUNCTION cdp.run_audit_names_a_running_run()
        """,
    ]
}

extension PostgresSchema {
    /// F5: `bronze_row_masked` showed each landed line's `record_length` and `record_offset` (the store's
    /// `bronze_row` has no `raw` column, so nothing in it looked personal), joinable to `silver_customer_masked` by
    /// `bronze_id`: the line's length less the fields shown is the length of its masked names, e-mail, phone and
    /// birth date. The embedded lake withholds them; so does the store now, whatever the dictionary says: a new
    /// `masked_column` source, `landed`, that `cdp.rebuild_masked_view` leaves alone.
    static let landedRowObjects: [String] = [
        """
        ALTER TABLE cdp.masked_column DROP CONSTRAINT masked_column_source_check,
            ADD CONSTRAINT masked_column_source_check CHECK (source IN ('dictionary', 'fixed', 'hash', 'length', 'landed'))
        """,
        """
        UPDATE cdp.masked_column SET source = 'landed', treatment = 'withhold'
            WHERE relation IN (\(PostgresAccessPlan.landedRowRelations.sorted().map(literal).joined(separator: ", ")))
                AND column_name IN (\(PostgresAccessPlan.lengthColumns.sorted().map(literal).joined(separator: ", ")))
        """,
        """
        SELECT cdp.rebuild_masked_view(relation) FROM (SELECT DISTINCT relation FROM cdp.masked_column WHERE source = 'landed' ORDER BY 1) r
        """,
    ]
}

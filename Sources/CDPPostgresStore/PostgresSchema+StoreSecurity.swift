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

extension PostgresSchema {
    /// How long an audited change waits for the audit log's head before it gives up naming who holds it.
    static let auditHeadWait = "15s"

    /// What a refusal caused by another session's locks tells the user to do (``auditWaitObjects``, ``lockWaitObjects``).
    static let endSessionAdvice = "Ask them to end it (COMMIT or ROLLBACK, or quit psql), or have an admin end that session: cdp store end-session PID --store ADDRESS --reason ''…'' (cdp store sessions lists them)"

    /// F9: `cdp.append_audit` waited for `cdp.audit_head`'s row lock for as long as any session held it, and every
    /// role may append its own rows (`cdp.append_own_audit`, `cdp.audit_refusal`): a viewer's transaction left open
    /// after one of them froze every steward decision, run start and apply, silently, with nothing in the log. The
    /// wait is bounded now (``auditHeadWait``, a setting of the function itself, which no caller can change), and
    /// the error names the sessions holding the head (login role, pid, program, state, since when) and what to do.
    /// An admin (`act_as`) lists the store's sessions and what they hold (`cdp.store_sessions`) and ends one
    /// (`cdp.end_session`), audited as `session.end`.
    /// What stays open: the holder still holds it until its transaction ends or an admin ends its session.
    static let auditWaitObjects: [String] = [
        // The sessions holding a lock on a relation, as a refusal names them: with `p_readers`, plain readers too
        // (a DROP VIEW waits for them); without, only row locks and writers (what an UPDATE of a row waits for).
        """
        CREATE FUNCTION cdp.lock_holders(p_relation regclass, p_readers boolean DEFAULT false) RETURNS text LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT string_agg(DISTINCT format('%s (pid %s, %s, %s, transaction open since %s)', coalesce(a.usename::text, 'a role'), a.pid,
                    coalesce(nullif(a.application_name, ''), 'unnamed program'), coalesce(a.state, 'unknown state'),
                    coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'an unknown time')), '; ')
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.relation = p_relation AND l.granted AND (p_readers OR l.mode <> 'AccessShareLock') AND l.pid <> pg_backend_pid()
                AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.append_audit(p_actor text, p_action text, p_target text, p_before text, p_after text, p_reason text)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp SET lock_timeout = '\(auditHeadWait)' AS $$
        DECLARE
            head cdp.audit_head%ROWTYPE;
            new_id bigint;
            stamp text := cdp.now_text();
            digest text;
        BEGIN
            BEGIN
                SELECT * INTO STRICT head FROM cdp.audit_head WHERE id = 1 FOR UPDATE;
            EXCEPTION WHEN lock_not_available THEN
                RAISE EXCEPTION 'the audit log waited \(auditHeadWait) for another session''s open transaction, which holds it: %; every audited change waits for it, so nothing was done. \(endSessionAdvice)',
                    coalesce(cdp.lock_holders('cdp.audit_head'::regclass), 'one that has ended since') USING ERRCODE = 'lock_not_available';
            END;
            new_id := head.row_count + 1;
            digest := encode(sha256(convert_to(concat_ws('|',
                cdp.audit_field('v2'), cdp.audit_field(new_id::text), cdp.audit_field(stamp), cdp.audit_field(p_actor),
                cdp.audit_field(p_action), cdp.audit_field(p_target), cdp.audit_field(p_before), cdp.audit_field(p_after),
                cdp.audit_field(p_reason), cdp.audit_field(head.hash)), 'UTF8')), 'hex');
            INSERT INTO cdp.audit_log (id, at, actor, action, target, before, after, reason, previous_hash, hash)
                VALUES (new_id, stamp, p_actor, p_action, p_target, p_before, p_after, p_reason, head.hash, digest);
            UPDATE cdp.audit_head SET row_count = new_id, hash = digest WHERE id = 1;
            RETURN new_id;
        END $$
        """,
        // The sessions logged in to this store (but the caller's), with what each holds of it: the run lock, the
        // audit log's head, the relations it has locked (a reader's open transaction keeps a view from changing).
        """
        CREATE FUNCTION cdp.store_sessions() RETURNS TABLE (pid integer, login text, program text, state text, since text, holds text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT cdp.require_permission('act_as', 'list the sessions of the team store');
            SELECT a.pid, coalesce(a.usename::text, 'a role'), coalesce(nullif(a.application_name, ''), 'unnamed program'),
                coalesce(a.state, 'unknown state'),
                coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), ''),
                coalesce((SELECT string_agg(DISTINCT CASE
                        WHEN l.locktype = 'advisory' THEN 'the run lock'
                        WHEN l.relation = 'cdp.audit_head'::regclass AND l.mode <> 'AccessShareLock' THEN 'the audit log''s head'
                        ELSE c.relname::text END, ', ')
                    FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
                    WHERE l.pid = a.pid AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        AND ((l.locktype = 'advisory' AND ((l.classid::bigint << 32) | l.objid::bigint) = \(runLockKey) AND l.objsubid = 1)
                            OR (l.locktype = 'relation' AND c.relnamespace = 'cdp'::regnamespace))), '')
            FROM pg_stat_activity a
            WHERE a.datname = current_database() AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
            ORDER BY a.xact_start NULLS LAST, a.pid
        $$
        """,
        // Ends one session of this store (its open transaction is rolled back, its locks let go), audited as
        // `session.end` with who it was and why. Ended first, recorded then: the session may hold the audit log's
        // head, which the audit row waits for; so while a third session holds the head, nothing is ended (the
        // ending could not be recorded).
        """
        CREATE FUNCTION cdp.end_session(p_pid integer, p_reason text) RETURNS text LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            reason text := btrim(coalesce(p_reason, ''));
            described text;
            others text;
        BEGIN
            PERFORM cdp.require_permission('act_as', 'end another''s session');
            IF reason = '' THEN
                RAISE EXCEPTION 'ending a session needs a reason' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            IF p_pid = pg_backend_pid() THEN
                RAISE EXCEPTION 'pid % is this session' , p_pid USING ERRCODE = 'invalid_parameter_value';
            END IF;
            SELECT format('%s (pid %s, %s, %s, transaction open since %s)', coalesce(a.usename::text, 'a role'), a.pid,
                    coalesce(nullif(a.application_name, ''), 'unnamed program'), coalesce(a.state, 'unknown state'),
                    coalesce(to_char(a.xact_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'no time'))
                INTO described FROM pg_stat_activity a
                WHERE a.pid = p_pid AND a.datname = current_database() AND a.backend_type = 'client backend';
            IF described IS NULL THEN
                RAISE EXCEPTION 'no session of this team store has pid % (cdp store sessions lists them); nothing was done', p_pid
                    USING ERRCODE = 'no_data_found';
            END IF;
            SELECT string_agg(DISTINCT l.pid::text, ', ') INTO others FROM pg_locks l
                WHERE l.relation = 'cdp.audit_head'::regclass AND l.granted AND l.mode <> 'AccessShareLock'
                    AND l.pid NOT IN (p_pid, pg_backend_pid());
            IF others IS NOT NULL THEN
                RAISE EXCEPTION 'the audit log''s head is held by another session too (pid %), so ending pid % could not be recorded: end that one first; nothing was done',
                    others, p_pid USING ERRCODE = 'lock_not_available';
            END IF;
            IF NOT pg_terminate_backend(p_pid, 5000) THEN
                RAISE EXCEPTION 'session % did not end within 5 s; try again', p_pid USING ERRCODE = 'lock_not_available';
            END IF;
            PERFORM cdp.append_audit(session_user::text, 'session.end', 'session ' || p_pid, described, 'ended', reason);
            RETURN described;
        END $$
        """,
    ]
}

extension PostgresSchema {
    /// How long a dictionary tag change waits for readers of the masked views it rebuilds.
    static let maskedViewWait = "5s"

    /// F7: a tag change that rebuilds a masked view (`cdp.follow_dictionary`) waited 5 s for any session reading
    /// that view in an open transaction (an analyst's idle psql after `BEGIN`), then failed with PostgreSQL's bare
    /// "canceling statement due to lock timeout", naming nobody; and it set `lock_timeout` for the rest of the
    /// editor's transaction. Now the wait is a setting of the trigger function itself (``maskedViewWait``, no caller
    /// changes it, nothing leaks into the caller's transaction) and the refusal names the entry, the view and the
    /// sessions reading it (login role, pid, program, state, since when) and says what to do. The edit is all or
    /// nothing: the failure rolls back the entry, its version, the audit row and every view already rebuilt, so the
    /// column reads as before (masked or not) until the edit goes through whole.
    static let maskedViewWaitObjects: [String] = [
        """
        CREATE OR REPLACE FUNCTION cdp.follow_dictionary() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp SET lock_timeout = '\(maskedViewWait)' AS $$
        DECLARE
            old_kind text := cdp.dictionary_personal_kind(OLD.tags);
            new_kind text := cdp.dictionary_personal_kind(NEW.tags);
            wanted text;
            changed text;
            readers text;
        BEGIN
            IF old_kind IS NOT DISTINCT FROM new_kind OR NEW.column_name = '' THEN RETURN NEW; END IF;
            wanted := CASE WHEN new_kind IS NULL THEN 'show' WHEN new_kind = 'PII.Record' THEN 'json' ELSE 'mask:' || new_kind END;
            FOR changed IN
                WITH updated AS (
                    UPDATE cdp.masked_column m SET treatment = wanted
                    WHERE m.source = 'dictionary' AND m.column_name = NEW.column_name AND m.treatment <> wanted
                        AND (m.relation = NEW.dataset OR (new_kind IS NOT NULL AND m.treatment = 'show'
                            AND NOT EXISTS (SELECT 1 FROM cdp.dictionary_entry d WHERE d.dataset = m.relation)))
                    RETURNING m.relation)
                SELECT DISTINCT relation FROM updated ORDER BY relation
            LOOP
                BEGIN
                    PERFORM cdp.rebuild_masked_view(changed);
                EXCEPTION WHEN lock_not_available THEN
                    readers := coalesce(cdp.lock_holders(to_regclass(format('cdp.%I', changed || '_masked')), true),
                        cdp.lock_holders(to_regclass(format('cdp.%I', changed)), true), 'one that has ended since');
                    RAISE EXCEPTION 'the tag change of %.% was not made (nothing changed; the column reads as before): it rebuilds the masked view of %, and after \(maskedViewWait) it was still waiting for the sessions reading it in an open transaction: %. \(endSessionAdvice), then edit again',
                        NEW.dataset, NEW.column_name, changed, readers USING ERRCODE = 'lock_not_available';
                END;
            END LOOP;
            RETURN NEW;
        END $$
        """
    ]
}

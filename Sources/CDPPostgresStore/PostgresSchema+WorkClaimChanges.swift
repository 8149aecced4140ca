extension PostgresSchema {
    /// Claiming, assigning and letting go of work through cdp on the team store (`pg-work-claims-through-a-function`):
    /// `cdp.work_claims_change` applies a list of changes, each with its audit row, in the caller's transaction (a
    /// bulk assignment of many items is one call, all or nothing). The database decides, whatever client calls:
    ///
    /// - a claim is the caller's own (owner and giver the login role), needs the permission to act on the item
    ///   (`remediate_quarantine` for a record, `decide_merges` for a pair) and lapses within a day;
    /// - an assignment needs `assign_work`, and goes only to a login role whose groups may act on the item;
    /// - taking a hold away is anyone's for their own hold, `assign_work`'s for someone else's;
    /// - the item must exist, and its live holder must still be the one cdp read (else a conflict naming the holder,
    ///   changing nothing); a hold taken from someone else is audited as `work.take_over`, never as a plain claim;
    /// - each change's audit row is the caller's (`work.claim`, `work.assign`, `work.unassign`, `work.release`,
    ///   `work.take_over`), targets the item, and is appended with the change.
    ///
    /// Holds are live by the database's clock. Two stewards claiming one item at once queue on a lock of that item.
    static let workClaimChangeObjects: [String] = [
        """
        CREATE FUNCTION cdp.work_claims_change(p_changes text) RETURNS integer LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            changes jsonb := p_changes::jsonb;
            change jsonb;
            kind text;
            item bigint;
            target text;
            needs text;
            new_hold jsonb;
            entry jsonb;
            action text;
            expected_action text;
            cur cdp.work_claim;
            now_text text := cdp.now_text();
            latest text := to_char((now() + interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
            done integer := 0;
        BEGIN
            IF jsonb_typeof(changes) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'the changes to claims are a JSON array' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            FOR change IN SELECT value FROM jsonb_array_elements(changes) LOOP
                kind := change ->> 'kind';
                item := (change ->> 'id')::bigint;
                new_hold := CASE WHEN jsonb_typeof(change -> 'claim') = 'object' THEN change -> 'claim' END;
                entry := CASE WHEN jsonb_typeof(change -> 'audit') = 'object' THEN change -> 'audit' ELSE '{}'::jsonb END;
                action := entry ->> 'action';
                IF kind = 'quarantine' THEN
                    needs := 'remediate_quarantine';
                    target := 'Q' || item;
                ELSIF kind = 'candidate' THEN
                    needs := 'decide_merges';
                    target := 'P' || item;
                ELSE
                    RAISE EXCEPTION 'a hold is on a quarantined record or a candidate pair, not %', left(coalesce(kind, 'nothing'), 40)
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                -- Who may make the change, from the login role's groups.
                IF new_hold IS NULL THEN
                    expected_action := CASE WHEN action = 'work.release' THEN 'work.release' ELSE 'work.unassign' END;
                ELSIF new_hold ->> 'hold' = 'claim' THEN
                    PERFORM cdp.require_permission(needs, 'claim ' || target);
                    IF new_hold ->> 'owner' IS DISTINCT FROM session_user::text THEN
                        RAISE EXCEPTION '% may not claim % for %: a claim is one''s own (assigning needs assign_work); nothing was changed',
                            session_user, target, left(coalesce(new_hold ->> 'owner', 'nobody'), 63) USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF new_hold ->> 'expires_at' IS NULL OR new_hold ->> 'expires_at' <= now_text OR new_hold ->> 'expires_at' > latest THEN
                        RAISE EXCEPTION 'a claim of % lapses within a day, not at %; nothing was changed', target,
                            left(coalesce(new_hold ->> 'expires_at', 'never'), 40) USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    expected_action := 'work.claim';
                ELSIF new_hold ->> 'hold' = 'assignment' THEN
                    PERFORM cdp.require_permission('assign_work', 'assign work');
                    IF new_hold ->> 'expires_at' IS NOT NULL THEN
                        RAISE EXCEPTION 'an assignment of % stays until it is taken away: it has no end', target USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM pg_roles u WHERE u.rolname = new_hold ->> 'owner' AND u.rolcanlogin
                        AND EXISTS (SELECT 1 FROM cdp.role_permission rp JOIN pg_roles r ON r.rolname = rp.role_name
                            WHERE rp.permission = needs AND pg_has_role(u.oid, r.oid, 'MEMBER'))) THEN
                        RAISE EXCEPTION '% cannot be assigned to %: no login role of that name may %; pick a steward, nothing was changed', target,
                            left(coalesce(new_hold ->> 'owner', 'nobody'), 63), CASE needs WHEN 'decide_merges' THEN 'decide merges' ELSE 'remediate quarantine' END
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    expected_action := 'work.assign';
                ELSE
                    RAISE EXCEPTION 'a hold is a claim or an assignment, not %', left(coalesce(new_hold ->> 'hold', 'nothing'), 40)
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF new_hold IS NOT NULL AND new_hold ->> 'held_by' IS DISTINCT FROM session_user::text THEN
                    RAISE EXCEPTION 'a hold on % is recorded as given by %, who gives it; nothing was changed', target, session_user
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF kind = 'quarantine' AND NOT EXISTS (SELECT 1 FROM cdp.quarantine_record WHERE id = item)
                    OR kind = 'candidate' AND NOT EXISTS (SELECT 1 FROM cdp.match_candidate WHERE id = item) THEN
                    RAISE EXCEPTION 'no such record or pair: %; list them with `cdp quarantine list` or `cdp candidates list`', target
                        USING ERRCODE = 'no_data_found';
                END IF;
                -- One change of an item's hold at a time; the holder must still be the one cdp read.
                PERFORM pg_advisory_xact_lock(hashtextextended('cdp.work_claim ' || kind || ' ' || item, 0));
                SELECT * INTO cur FROM cdp.work_claim w WHERE w.item_kind = kind AND w.item_id = item AND (w.expires_at IS NULL OR w.expires_at > now_text);
                IF cur.owner IS DISTINCT FROM change ->> 'expected_owner' THEN
                    RAISE EXCEPTION '% changed hands meanwhile: %; reload and try again', target,
                        CASE WHEN cur.owner IS NULL THEN 'nobody holds it now'
                            ELSE cur.owner || ' holds it now (' || cur.hold || ' by ' || cur.held_by || ' since ' || cur.since || ')' END
                        USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
                IF new_hold IS NULL AND cur.owner IS DISTINCT FROM session_user::text THEN
                    PERFORM cdp.require_permission('assign_work', 'take ' || coalesce(cur.owner, 'nobody') || '''s hold on ' || target || ' away');
                END IF;
                IF new_hold IS NOT NULL AND cur.owner IS NOT NULL AND cur.owner <> session_user::text AND cur.owner <> new_hold ->> 'owner' THEN
                    expected_action := 'work.take_over';
                END IF;
                IF action IS DISTINCT FROM expected_action OR entry ->> 'target' IS DISTINCT FROM target THEN
                    RAISE EXCEPTION 'this change of % is audited as % on %, not as % on %; nothing was changed', target, expected_action, target,
                        left(coalesce(action, 'nothing'), 40), left(coalesce(entry ->> 'target', 'nothing'), 40) USING ERRCODE = 'insufficient_privilege';
                END IF;
                DELETE FROM cdp.work_claim w WHERE w.item_kind = kind AND w.item_id = item;
                IF new_hold IS NOT NULL THEN
                    INSERT INTO cdp.work_claim (item_kind, item_id, owner, hold, held_by, since, expires_at)
                        VALUES (kind, item, new_hold ->> 'owner', new_hold ->> 'hold', session_user, coalesce(left(new_hold ->> 'since', 40), now_text),
                            new_hold ->> 'expires_at');
                END IF;
                PERFORM cdp.append_audit(session_user::text, action, target, left(entry ->> 'before', 2000), left(entry ->> 'after', 2000),
                    left(entry ->> 'reason', 2000));
                done := done + 1;
            END LOOP;
            RETURN done;
        END $$
        """,
    ]
}

extension PostgresSchema {
    /// A decision ends the hold (`pg-a-decision-ends-the-hold`), as on the embedded lake: releasing or rejecting a
    /// quarantined record, by whatever function, ends its live claim or assignment in the same transaction, audited
    /// as `work.release` by the steward deciding, so the record leaves its holder's list and a reopen finds it unheld.
    static let decisionEndsTheHoldObjects: [String] = [
        """
        CREATE FUNCTION cdp.decision_ends_the_hold() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            ended cdp.work_claim;
        BEGIN
            DELETE FROM cdp.work_claim w WHERE w.item_kind = 'quarantine' AND w.item_id = NEW.id RETURNING * INTO ended;
            IF ended.owner IS NOT NULL AND (ended.expires_at IS NULL OR ended.expires_at > cdp.now_text()) THEN
                PERFORM cdp.append_audit(session_user::text, 'work.release', 'Q' || NEW.id,
                    CASE ended.hold WHEN 'claim' THEN 'claimed by ' || ended.owner || ' until ' || coalesce(ended.expires_at, '?')
                        ELSE 'assigned to ' || ended.owner || ' by ' || ended.held_by END,
                    NULL, 'Q' || NEW.id || ' was ' || NEW.status || ': a decision ends the work on it');
            END IF;
            RETURN NULL;
        END $$
        """,
        """
        CREATE TRIGGER decision_ends_the_hold AFTER UPDATE OF status ON cdp.quarantine_record FOR EACH ROW
            WHEN (NEW.status IN ('released', 'rejected') AND OLD.status IS DISTINCT FROM NEW.status)
            EXECUTE FUNCTION cdp.decision_ends_the_hold()
        """,
    ]
}

extension PostgresSchema {
    /// A hold as the audit log names it, as the engine's `WorkClaim.summary` does: `claimed by sam until …` or
    /// `assigned to sam by lee`.
    static let workClaimSummaryFunction = """
        CREATE FUNCTION cdp.work_claim_summary(p_claim cdp.work_claim) RETURNS text LANGUAGE sql IMMUTABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT CASE WHEN p_claim.owner IS NULL THEN NULL
                WHEN p_claim.hold = 'claim' THEN 'claimed by ' || p_claim.owner || ' until ' || coalesce(p_claim.expires_at, '?')
                ELSE 'assigned to ' || p_claim.owner || ' by ' || p_claim.held_by END
        $$
        """

    /// L2 of the eighth security review (#17): `cdp.work_claims_change` recorded the audit row's before and after as
    /// the client wrote them and the hold's `since` as the client said, so a steward could log a claim as anything.
    /// Now the database writes what it changed: `since` is its clock; before is the live hold it replaced, after the
    /// hold it wrote (`claimed by sam until …`, `assigned to sam`), the reason of a renewal (`renewed`) or a take-over
    /// (`work.claim taken over from lee after confirming`) its own. The client says only what it means to do (the
    /// action and target, checked against what the change is, as before) and, for letting go of a hold, why, in at
    /// most 200 characters.
    static let workClaimAuditObjects: [String] = [
        workClaimSummaryFunction,
        """
        CREATE OR REPLACE FUNCTION cdp.work_claims_change(p_changes text) RETURNS integer LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            changes jsonb := p_changes::jsonb;
            change jsonb;
            kind text;
            item bigint;
            target text;
            needs text;
            new_hold jsonb;
            entry jsonb;
            action text;
            expected_action text;
            asked_action text;
            cur cdp.work_claim;
            written cdp.work_claim;
            reason text;
            now_text text := cdp.now_text();
            latest text := to_char((now() + interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"');
            done integer := 0;
        BEGIN
            IF jsonb_typeof(changes) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'the changes to claims are a JSON array' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            FOR change IN SELECT value FROM jsonb_array_elements(changes) LOOP
                kind := change ->> 'kind';
                item := (change ->> 'id')::bigint;
                new_hold := CASE WHEN jsonb_typeof(change -> 'claim') = 'object' THEN change -> 'claim' END;
                entry := CASE WHEN jsonb_typeof(change -> 'audit') = 'object' THEN change -> 'audit' ELSE '{}'::jsonb END;
                action := entry ->> 'action';
                IF kind = 'quarantine' THEN
                    needs := 'remediate_quarantine';
                    target := 'Q' || item;
                ELSIF kind = 'candidate' THEN
                    needs := 'decide_merges';
                    target := 'P' || item;
                ELSE
                    RAISE EXCEPTION 'a hold is on a quarantined record or a candidate pair, not %', left(coalesce(kind, 'nothing'), 40)
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                -- Who may make the change, from the login role's groups.
                IF new_hold IS NULL THEN
                    expected_action := CASE WHEN action = 'work.release' THEN 'work.release' ELSE 'work.unassign' END;
                ELSIF new_hold ->> 'hold' = 'claim' THEN
                    PERFORM cdp.require_permission(needs, 'claim ' || target);
                    IF new_hold ->> 'owner' IS DISTINCT FROM session_user::text THEN
                        RAISE EXCEPTION '% may not claim % for %: a claim is one''s own (assigning needs assign_work); nothing was changed',
                            session_user, target, left(coalesce(new_hold ->> 'owner', 'nobody'), 63) USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF new_hold ->> 'expires_at' IS NULL OR new_hold ->> 'expires_at' <= now_text OR new_hold ->> 'expires_at' > latest
                        OR NOT cdp.is_lake_timestamp(new_hold ->> 'expires_at') THEN
                        RAISE EXCEPTION 'a claim of % lapses within a day, not at %; nothing was changed', target,
                            left(coalesce(new_hold ->> 'expires_at', 'never'), 40) USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    expected_action := 'work.claim';
                ELSIF new_hold ->> 'hold' = 'assignment' THEN
                    PERFORM cdp.require_permission('assign_work', 'assign work');
                    IF new_hold ->> 'expires_at' IS NOT NULL THEN
                        RAISE EXCEPTION 'an assignment of % stays until it is taken away: it has no end', target USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM pg_roles u WHERE u.rolname = new_hold ->> 'owner' AND u.rolcanlogin
                        AND EXISTS (SELECT 1 FROM cdp.role_permission rp JOIN pg_roles r ON r.rolname = rp.role_name
                            WHERE rp.permission = needs AND pg_has_role(u.oid, r.oid, 'MEMBER'))) THEN
                        RAISE EXCEPTION '% cannot be assigned to %: no login role of that name may %; pick a steward, nothing was changed', target,
                            left(coalesce(new_hold ->> 'owner', 'nobody'), 63), CASE needs WHEN 'decide_merges' THEN 'decide merges' ELSE 'remediate quarantine' END
                            USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    expected_action := 'work.assign';
                ELSE
                    RAISE EXCEPTION 'a hold is a claim or an assignment, not %', left(coalesce(new_hold ->> 'hold', 'nothing'), 40)
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF new_hold IS NOT NULL AND new_hold ->> 'held_by' IS DISTINCT FROM session_user::text THEN
                    RAISE EXCEPTION 'a hold on % is recorded as given by %, who gives it; nothing was changed', target, session_user
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF kind = 'quarantine' AND NOT EXISTS (SELECT 1 FROM cdp.quarantine_record WHERE id = item)
                    OR kind = 'candidate' AND NOT EXISTS (SELECT 1 FROM cdp.match_candidate WHERE id = item) THEN
                    RAISE EXCEPTION 'no such record or pair: %; list them with `cdp quarantine list` or `cdp candidates list`', target
                        USING ERRCODE = 'no_data_found';
                END IF;
                -- One change of an item's hold at a time; the holder must still be the one cdp read.
                PERFORM pg_advisory_xact_lock(hashtextextended('cdp.work_claim ' || kind || ' ' || item, 0));
                cur := NULL;
                SELECT * INTO cur FROM cdp.work_claim w WHERE w.item_kind = kind AND w.item_id = item AND (w.expires_at IS NULL OR w.expires_at > now_text);
                IF cur.owner IS DISTINCT FROM change ->> 'expected_owner' THEN
                    RAISE EXCEPTION '% changed hands meanwhile: %; reload and try again', target,
                        CASE WHEN cur.owner IS NULL THEN 'nobody holds it now'
                            ELSE cur.owner || ' holds it now (' || cur.hold || ' by ' || cur.held_by || ' since ' || cur.since || ')' END
                        USING ERRCODE = '\(PostgresTeamStore.conflictState)';
                END IF;
                IF new_hold IS NULL AND cur.owner IS DISTINCT FROM session_user::text THEN
                    PERFORM cdp.require_permission('assign_work', 'take ' || coalesce(cur.owner, 'nobody') || '''s hold on ' || target || ' away');
                END IF;
                asked_action := expected_action;
                IF new_hold IS NOT NULL AND cur.owner IS NOT NULL AND cur.owner <> session_user::text AND cur.owner <> new_hold ->> 'owner' THEN
                    expected_action := 'work.take_over';
                END IF;
                IF action IS DISTINCT FROM expected_action OR entry ->> 'target' IS DISTINCT FROM target THEN
                    RAISE EXCEPTION 'this change of % is audited as % on %, not as % on %; nothing was changed', target, expected_action, target,
                        left(coalesce(action, 'nothing'), 40), left(coalesce(entry ->> 'target', 'nothing'), 40) USING ERRCODE = 'insufficient_privilege';
                END IF;
                DELETE FROM cdp.work_claim w WHERE w.item_kind = kind AND w.item_id = item;
                written := NULL;
                IF new_hold IS NOT NULL THEN
                    INSERT INTO cdp.work_claim (item_kind, item_id, owner, hold, held_by, since, expires_at)
                        VALUES (kind, item, new_hold ->> 'owner', new_hold ->> 'hold', session_user, now_text, new_hold ->> 'expires_at')
                        RETURNING * INTO written;
                END IF;
                -- The audit row says what the database changed; the client's own words only say why a hold was let go.
                reason := CASE
                    WHEN expected_action = 'work.take_over' THEN asked_action || ' taken over from ' || cur.owner || ' after confirming'
                    WHEN asked_action = 'work.claim' AND cur.owner = session_user::text AND cur.hold = 'claim' THEN 'renewed'
                    WHEN new_hold IS NULL THEN nullif(left(btrim(entry ->> 'reason'), 200), '') END;
                PERFORM cdp.append_audit(session_user::text, expected_action, target, cdp.work_claim_summary(cur),
                    CASE written.hold WHEN 'claim' THEN 'claimed by ' || written.owner || ' until ' || written.expires_at
                        WHEN 'assignment' THEN 'assigned to ' || written.owner END,
                    reason);
                done := done + 1;
            END LOOP;
            RETURN done;
        END $$
        """,
    ]
}

extension PostgresSchema {
    /// Ends the holds a decision left behind before the store ended them on deciding: a claim or assignment on a
    /// record released or rejected, or a pair decided, since it was taken (one taken after the decision is kept), as
    /// the embedded lake's `v11-decided-items-end-their-holds` does; each live one ended is audited as `work.release`.
    public static let decidedHoldsCleanup = """
        DO $$ DECLARE h record; BEGIN
            FOR h IN SELECT w.item_kind, w.item_id, CASE w.item_kind WHEN 'candidate' THEN 'P' ELSE 'Q' END || w.item_id AS target,
                    cdp.work_claim_summary(w) AS summary, (w.expires_at IS NULL OR w.expires_at > cdp.now_text()) AS live,
                    coalesce(q.status, p.status) AS status
                FROM cdp.work_claim w
                LEFT JOIN cdp.quarantine_record q ON w.item_kind = 'quarantine' AND q.id = w.item_id
                LEFT JOIN cdp.match_candidate p ON w.item_kind = 'candidate' AND p.id = w.item_id
                WHERE (q.status IN ('released', 'rejected') AND q.updated_at >= w.since) OR (p.status <> 'open' AND p.decided_at >= w.since)
                ORDER BY w.item_kind, w.item_id
            LOOP
                DELETE FROM cdp.work_claim WHERE item_kind = h.item_kind AND item_id = h.item_id;
                IF h.live THEN
                    PERFORM cdp.append_audit(session_user::text, 'work.release', h.target, h.summary, NULL,
                        h.target || ' was ' || h.status || ' before the store ended holds on deciding: a decision ends the work on it');
                END IF;
            END LOOP;
        END $$
        """

    /// Decided items end their holds (`pg-decided-items-end-their-holds`): the holds a decision left behind before the
    /// store ended them on deciding (records since `pg-a-decision-ends-the-hold`, pairs since
    /// `pg-review-decisions-through-functions`) are ended, audited (``decidedHoldsCleanup``).
    static let decidedHoldObjects: [String] = [decidedHoldsCleanup]
}

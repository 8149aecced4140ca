extension PostgresSchema {
    /// The audit log: append-only for everyone (no login role is granted INSERT, UPDATE, DELETE or TRUNCATE on
    /// it, and triggers refuse UPDATE, DELETE and TRUNCATE even to its owner), appended to only by
    /// `cdp.append_audit`, which chains each row to the one before with the embedded lake's hashing (v2: every
    /// field as `<UTF-8 byte count>:<text>`, NULL as `~`, joined by `|`, SHA-256 in lowercase hex), so a chain
    /// moved from an embedded lake goes on unbroken. `cdp.audit_head` holds the chain's length and head hash,
    /// updated in the appending transaction (its row lock also makes concurrent appends take turns).
    static let auditObjects: [String] = [
        """
        CREATE TABLE cdp.audit_log (
            id bigint PRIMARY KEY,
            at text NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            target text NOT NULL,
            before text,
            after text,
            reason text,
            previous_hash text NOT NULL,
            hash text NOT NULL
        )
        """,
        """
        CREATE TABLE cdp.audit_hashing (
            version bigint PRIMARY KEY,
            first_id bigint NOT NULL
        )
        """,
        "INSERT INTO cdp.audit_hashing (version, first_id) VALUES (2, 1)",
        """
        CREATE TABLE cdp.audit_head (
            id int PRIMARY KEY CHECK (id = 1),
            row_count bigint NOT NULL,
            hash text NOT NULL
        )
        """,
        "INSERT INTO cdp.audit_head (id, row_count, hash) VALUES (1, 0, repeat('0', 64))",
        """
        CREATE FUNCTION cdp.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$
        """,
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON cdp.audit_log FOR EACH ROW EXECUTE FUNCTION cdp.refuse_change()",
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON cdp.audit_log FOR EACH STATEMENT EXECUTE FUNCTION cdp.refuse_change()",
        "CREATE TRIGGER audit_hashing_append_only BEFORE UPDATE OR DELETE ON cdp.audit_hashing FOR EACH ROW EXECUTE FUNCTION cdp.refuse_change()",
        "CREATE TRIGGER audit_hashing_no_truncate BEFORE TRUNCATE ON cdp.audit_hashing FOR EACH STATEMENT EXECUTE FUNCTION cdp.refuse_change()",
        """
        CREATE TRIGGER access_policy_version_append_only BEFORE UPDATE OR DELETE ON cdp.access_policy_version
            FOR EACH ROW EXECUTE FUNCTION cdp.refuse_change()
        """,
        """
        CREATE TRIGGER access_policy_version_no_truncate BEFORE TRUNCATE ON cdp.access_policy_version
            FOR EACH STATEMENT EXECUTE FUNCTION cdp.refuse_change()
        """,
        "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON cdp.audit_head FOR EACH ROW EXECUTE FUNCTION cdp.refuse_change()",
        "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON cdp.audit_head FOR EACH STATEMENT EXECUTE FUNCTION cdp.refuse_change()",
        // The lake's clock in the embedded lake's format (ISO 8601, UTC, whole seconds).
        """
        CREATE FUNCTION cdp.now_text() RETURNS text LANGUAGE sql STABLE AS $$
            SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        $$
        """,
        """
        CREATE FUNCTION cdp.audit_field(value text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN value IS NULL THEN '~' ELSE octet_length(value)::text || ':' || value END
        $$
        """,
        """
        CREATE FUNCTION cdp.append_audit(p_actor text, p_action text, p_target text, p_before text, p_after text, p_reason text)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            head cdp.audit_head%ROWTYPE;
            new_id bigint;
            stamp text := cdp.now_text();
            digest text;
        BEGIN
            SELECT * INTO STRICT head FROM cdp.audit_head WHERE id = 1 FOR UPDATE;
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
        "REVOKE ALL ON FUNCTION cdp.append_audit(text, text, text, text, text, text) FROM PUBLIC",
    ]
}

extension PostgresSchema {
    /// The most rows waiting to join the chain that one audited write moves into it (it holds the head meanwhile).
    static let auditInboxRowsPerAppend = 1_000

    /// The eighth security review (#17): a viewer, who may write nothing, took the audit log's head with one
    /// `cdp.append_own_audit` (a console visit) in a transaction it left open, and every steward's write waited 15 s
    /// and failed. Now only a role that may write (a permission other than `view_pii`, or the store itself) takes the
    /// head: the rows of a role that may not (its visits, exports, saved views, refusals) wait in `cdp.audit_inbox`,
    /// which locks nothing anyone else needs, and join the chain, in order and with their own times, at the next
    /// audited write (at most ``auditInboxRowsPerAppend`` at a time). No login role reads or writes the inbox.
    static let auditInboxObjects: [String] = [
        """
        CREATE TABLE cdp.audit_inbox (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at text NOT NULL,
            actor text NOT NULL,
            action text NOT NULL,
            target text NOT NULL,
            before text,
            after text,
            reason text
        )
        """,
        """
        CREATE FUNCTION cdp.session_may_write() RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT pg_has_role(session_user, '\(owner)', 'MEMBER') OR EXISTS (SELECT 1 FROM cdp.role_permission rp
                JOIN pg_roles r ON r.rolname = rp.role_name WHERE rp.permission <> 'view_pii' AND pg_has_role(session_user, r.oid, 'MEMBER'))
        $$
        """,
        // Links one row to the chain after `head` (v2 hashing, as the embedded lake) and returns the new head; the
        // caller holds the head's row lock and records the head once it is done.
        """
        CREATE FUNCTION cdp.audit_link(head cdp.audit_head, p_at text, p_actor text, p_action text, p_target text, p_before text,
            p_after text, p_reason text) RETURNS cdp.audit_head LANGUAGE plpgsql
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            new_id bigint := head.row_count + 1;
            digest text;
        BEGIN
            digest := encode(sha256(convert_to(concat_ws('|',
                cdp.audit_field('v2'), cdp.audit_field(new_id::text), cdp.audit_field(p_at), cdp.audit_field(p_actor),
                cdp.audit_field(p_action), cdp.audit_field(p_target), cdp.audit_field(p_before), cdp.audit_field(p_after),
                cdp.audit_field(p_reason), cdp.audit_field(head.hash)), 'UTF8')), 'hex');
            INSERT INTO cdp.audit_log (id, at, actor, action, target, before, after, reason, previous_hash, hash)
                VALUES (new_id, p_at, p_actor, p_action, p_target, p_before, p_after, p_reason, head.hash, digest);
            RETURN ROW(head.id, new_id, digest)::cdp.audit_head;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.append_audit(p_actor text, p_action text, p_target text, p_before text, p_after text, p_reason text)
        RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp SET lock_timeout = '\(auditHeadWait)' AS $$
        DECLARE
            head cdp.audit_head%ROWTYPE;
            pending cdp.audit_inbox;
            stamp text := cdp.now_text();
        BEGIN
            IF NOT cdp.session_may_write() THEN
                INSERT INTO cdp.audit_inbox (at, actor, action, target, before, after, reason)
                    VALUES (stamp, p_actor, p_action, p_target, p_before, p_after, p_reason);
                RETURN NULL;
            END IF;
            BEGIN
                SELECT * INTO STRICT head FROM cdp.audit_head WHERE id = 1 FOR UPDATE;
            EXCEPTION WHEN lock_not_available THEN
                RAISE EXCEPTION 'the audit log waited \(auditHeadWait) for another session''s open transaction, which holds it: %; every audited change waits for it, so nothing was done. \(endSessionAdvice)',
                    coalesce(cdp.lock_holders('cdp.audit_head'::regclass), 'one that has ended since') USING ERRCODE = 'lock_not_available';
            END;
            FOR pending IN SELECT * FROM cdp.audit_inbox ORDER BY id LIMIT \(auditInboxRowsPerAppend) LOOP
                head := cdp.audit_link(head, pending.at, pending.actor, pending.action, pending.target, pending.before, pending.after,
                    pending.reason);
                DELETE FROM cdp.audit_inbox WHERE id = pending.id;
            END LOOP;
            head := cdp.audit_link(head, stamp, p_actor, p_action, p_target, p_before, p_after, p_reason);
            UPDATE cdp.audit_head SET row_count = head.row_count, hash = head.hash WHERE id = 1;
            RETURN head.row_count;
        END $$
        """,
    ]
}

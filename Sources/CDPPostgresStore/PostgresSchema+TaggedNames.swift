extension PostgresSchema {
    /// JSON members follow the dictionary's tags at once. A member is masked by its name (`cdp.pii_kind`), and the
    /// names were known only as the last `cdp access apply` compiled them into `cdp.pii_column_kind`: a column a
    /// steward tagged read masked in its own column from that commit on, but its JSON members (a held record's
    /// `city`, an `attributes.<name>` the dictionary gives a kind) only after the next apply.
    ///
    /// Migration `pg-json-members-follow-the-dictionarys-tags` keeps the names the dictionary tags personal now in
    /// `cdp.pii_tagged_name` (lower-case name → kind, as `PersonalDataMap` picks it: the first specific kind in the
    /// dictionary's key order, else generic `PII`; a withheld record names no member), written by a trigger on
    /// `cdp.dictionary_entry` in the transaction of the edit, seed or import that changes a tag, and compiled by the
    /// same trigger into `cdp.pii_tagged_column_kind` when a name's kind changes. `cdp.pii_column_kind` asks that
    /// function first and the apply's map (renamed `cdp.pii_applied_column_kind`, which apply rewrites from now on)
    /// for the names the dictionary does not tag: the built-in personal fields, source columns mapped onto them, extra
    /// attributes (which come from the workspace's sources, not the store). A tag taken off keeps its name masked
    /// until the next apply if the apply's map has it (masking more, never less).
    ///
    /// Compiled into functions, as apply compiles its map, rather than read from the table per member: a masked
    /// view asks once per JSON member, and a table lookup made `cdp.pii_mask_json` of the sample's held records
    /// 2–3 times slower (350–570 ms against 160–180 ms for 3,905 records in psql, load 16); the functions are
    /// inlined into the masking functions' plans, which PostgreSQL plans again when they are replaced. Fixed SQL, as
    /// every shipped migration is; it can run again.
    static let taggedNameObjects: [String] = [
        """
        CREATE TABLE IF NOT EXISTS cdp.pii_tagged_name (
            name text PRIMARY KEY,
            kind text NOT NULL CHECK (kind = 'PII' OR kind LIKE 'PII.%')
        )
        """,
        "CREATE INDEX IF NOT EXISTS dictionary_entry_by_lower_column ON cdp.dictionary_entry (lower(column_name))",
        """
        CREATE OR REPLACE FUNCTION cdp.pii_tagged_column_kind(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT NULL::text $$
        """,
        // The table compiled into `cdp.pii_tagged_column_kind`.
        """
        CREATE OR REPLACE FUNCTION cdp.pii_tagged_column_kind_compile() RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            cases text;
        BEGIN
            SELECT string_agg(format('WHEN %L THEN %L', t.name, t.kind), ' ' ORDER BY t.name COLLATE "C") INTO cases
                FROM cdp.pii_tagged_name t;
            EXECUTE format('CREATE OR REPLACE FUNCTION cdp.pii_tagged_column_kind(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $f$ SELECT %s $f$',
                CASE WHEN cases IS NULL THEN 'NULL::text' ELSE 'CASE pg_catalog.lower(name) ' || cases || ' END' END);
        END $$
        """,
        // One name made to say what the dictionary says now, and the function compiled again when its kind changed. Edits
        // take turns on the table (a lock no one else takes: readers of masked views read the function, not the table),
        // so each reads the tags the one before it committed and replaces the function after it; the lock is a
        // relation's, so the function replaced meanwhile is read afresh.
        """
        CREATE OR REPLACE FUNCTION cdp.pii_tagged_name_follow(p_name text) RETURNS void LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            found_kind text;
            kept_kind text;
        BEGIN
            IF p_name IS NULL OR p_name = '' THEN RETURN; END IF;
            LOCK TABLE cdp.pii_tagged_name IN SHARE ROW EXCLUSIVE MODE;
            SELECT e.kind INTO found_kind
                FROM (SELECT cdp.dictionary_personal_kind(d.tags) AS kind, d.layer, d.dataset, d.column_name
                    FROM cdp.dictionary_entry d WHERE lower(d.column_name) = p_name) e
                WHERE e.kind IS NOT NULL AND e.kind <> 'PII.Record'
                ORDER BY e.kind = 'PII',
                    CASE e.layer WHEN 'bronze' THEN 0 WHEN 'silver' THEN 1 WHEN 'quarantine' THEN 2 ELSE 3 END,
                    e.dataset COLLATE "C", e.column_name COLLATE "C"
                LIMIT 1;
            SELECT kind INTO kept_kind FROM cdp.pii_tagged_name WHERE name = p_name;
            IF found_kind IS NOT DISTINCT FROM kept_kind THEN RETURN; END IF;
            IF found_kind IS NULL THEN
                DELETE FROM cdp.pii_tagged_name WHERE name = p_name;
            ELSE
                INSERT INTO cdp.pii_tagged_name (name, kind) VALUES (p_name, found_kind)
                    ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind;
            END IF;
            PERFORM cdp.pii_tagged_column_kind_compile();
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.follow_dictionary_names() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN PERFORM cdp.pii_tagged_name_follow(lower(OLD.column_name)); END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND lower(NEW.column_name) <> lower(OLD.column_name)) THEN
                PERFORM cdp.pii_tagged_name_follow(lower(NEW.column_name));
            END IF;
            RETURN NULL;
        END $$
        """,
        "DROP TRIGGER IF EXISTS dictionary_entry_tagged_names ON cdp.dictionary_entry",
        """
        CREATE TRIGGER dictionary_entry_tagged_names AFTER INSERT OR DELETE OR UPDATE OF tags, column_name ON cdp.dictionary_entry
            FOR EACH ROW EXECUTE FUNCTION cdp.follow_dictionary_names()
        """,
        // The names the dictionary tags already.
        """
        DO $$ DECLARE n text; BEGIN
            FOR n IN SELECT DISTINCT lower(column_name) FROM cdp.dictionary_entry WHERE column_name <> '' LOOP
                PERFORM cdp.pii_tagged_name_follow(n);
            END LOOP;
        END $$
        """,
        """
        DO $$ BEGIN
            IF to_regprocedure('cdp.pii_applied_column_kind(text)') IS NULL THEN
                ALTER FUNCTION cdp.pii_column_kind(text) RENAME TO pii_applied_column_kind;
            END IF;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.pii_column_kind(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
            SELECT coalesce(cdp.pii_tagged_column_kind(name), cdp.pii_applied_column_kind(name))
        $$
        """,
        // Whoever could call the apply's function (every group of the last apply) calls the three, until the next
        // apply grants them: an inlined function needs its caller's EXECUTE too.
        """
        DO $$
        DECLARE
            grantee text;
        BEGIN
            FOR grantee IN
                SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
                WHERE p.oid = 'cdp.pii_applied_column_kind(text)'::regprocedure AND a.privilege_type = 'EXECUTE'
                    AND a.grantee <> p.proowner
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION cdp.pii_column_kind(text), cdp.pii_tagged_column_kind(text) TO %s', grantee);
            END LOOP;
        END $$
        """,
    ]
}

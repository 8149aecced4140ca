extension PostgresSchema {
    /// Seeding the data dictionary on the team store (`pg-dictionary-seed`): `cdp init --store` seeds it as the
    /// embedded init does, and a source added to cdp.toml later gets its entries on first use. `cdp.dictionary_seed`
    /// adds the entries whose key the dictionary lacks as version 1 (an entry someone edited is never touched),
    /// keeps each as its first kept version, and appends `dictionary.seed` with how many were added, in one
    /// transaction. It needs `edit_dictionary`, or the store's owner (who installs the store, as `cdp init --store`
    /// does). Edits go through `cdp.dictionary_edit` (pg1, guarded by pg6).
    static let dictionarySeedObjects: [String] = [
        """
        CREATE FUNCTION cdp.dictionary_seed(p_entries text, p_change text, p_audit boolean) RETURNS integer LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            added integer;
            stamp text := cdp.now_text();
        BEGIN
            IF NOT pg_has_role(session_user, '\(owner)', 'MEMBER') THEN
                PERFORM cdp.require_permission('edit_dictionary', 'seed the data dictionary');
            END IF;
            IF jsonb_typeof(p_entries::jsonb) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'the entries to seed are a JSON array' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            WITH inserted AS (
                INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, classification, tags, owner, steward,
                    allowed_values, format, rules, example, lineage, version, updated_by, updated_at, change)
                SELECT g.layer, g.dataset, g.column_name, g.description, g.data_type, g.classification, g.tags, g.owner, g.steward,
                    g.allowed_values, g.format, g.rules, g.example, g.lineage, 1, session_user, stamp, left(coalesce(p_change, ''), 200)
                FROM jsonb_populate_recordset(NULL::cdp.dictionary_entry, p_entries::jsonb) g
                ON CONFLICT (layer, dataset, column_name) DO NOTHING
                RETURNING *
            ), kept AS (
                INSERT INTO cdp.dictionary_version (layer, dataset, column_name, version, changed_by, changed_at, change, entry)
                SELECT i.layer, i.dataset, i.column_name, 1, i.updated_by, i.updated_at, i.change, row_to_json(i)::text FROM inserted i
                RETURNING 1
            )
            SELECT count(*) INTO added FROM kept;
            IF added > 0 AND p_audit THEN
                PERFORM cdp.append_audit(session_user::text, 'dictionary.seed', 'dictionary', NULL,
                    added || ' entries added from the workspace schema', NULL);
            END IF;
            RETURN added;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
    ]
}

extension PostgresSchema {
    /// L1 of the eighth security review (#17): `cdp.dictionary_seed(…, false)` added entries unaudited, the caller
    /// choosing. The flag is gone: the function takes the entries and the version's change text only, and every seed
    /// that adds an entry appends `dictionary.seed`, whoever calls (the installer's seed at `cdp init --store`
    /// included). The groups that could seed before may seed now.
    static let dictionarySeedAuditObjects: [String] = [
        "DROP FUNCTION cdp.dictionary_seed(text, text, boolean)",
        """
        CREATE FUNCTION cdp.dictionary_seed(p_entries text, p_change text) RETURNS integer LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            added integer;
            stamp text := cdp.now_text();
        BEGIN
            IF NOT pg_has_role(session_user, '\(owner)', 'MEMBER') THEN
                PERFORM cdp.require_permission('edit_dictionary', 'seed the data dictionary');
            END IF;
            IF jsonb_typeof(p_entries::jsonb) IS DISTINCT FROM 'array' THEN
                RAISE EXCEPTION 'the entries to seed are a JSON array' USING ERRCODE = 'invalid_parameter_value';
            END IF;
            WITH inserted AS (
                INSERT INTO cdp.dictionary_entry (layer, dataset, column_name, description, data_type, classification, tags, owner, steward,
                    allowed_values, format, rules, example, lineage, version, updated_by, updated_at, change)
                SELECT g.layer, g.dataset, g.column_name, g.description, g.data_type, g.classification, g.tags, g.owner, g.steward,
                    g.allowed_values, g.format, g.rules, g.example, g.lineage, 1, session_user, stamp, left(coalesce(p_change, ''), 200)
                FROM jsonb_populate_recordset(NULL::cdp.dictionary_entry, p_entries::jsonb) g
                ON CONFLICT (layer, dataset, column_name) DO NOTHING
                RETURNING *
            ), kept AS (
                INSERT INTO cdp.dictionary_version (layer, dataset, column_name, version, changed_by, changed_at, change, entry)
                SELECT i.layer, i.dataset, i.column_name, 1, i.updated_by, i.updated_at, i.change, row_to_json(i)::text FROM inserted i
                RETURNING 1
            )
            SELECT count(*) INTO added FROM kept;
            IF added > 0 THEN
                PERFORM cdp.append_audit(session_user::text, 'dictionary.seed', 'dictionary', NULL,
                    added || ' entries added from the workspace schema', NULL);
            END IF;
            RETURN added;
        EXCEPTION WHEN integrity_constraint_violation OR data_exception THEN
            PERFORM cdp.raise_without_values(SQLERRM, SQLSTATE);
        END $$
        """,
        """
        DO $$ DECLARE g text; BEGIN
            FOR g IN SELECT DISTINCT rp.role_name FROM cdp.role_permission rp
                WHERE rp.permission = 'edit_dictionary' AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = rp.role_name) ORDER BY 1
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION cdp.dictionary_seed(text, text) TO %I', g);
            END LOOP;
        END $$
        """,
    ]
}

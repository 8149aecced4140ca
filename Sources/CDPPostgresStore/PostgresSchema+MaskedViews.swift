extension PostgresSchema {
    /// Masked views that follow the dictionary. ``PostgresAccessPlan`` records how each column of each relation
    /// reads without `view_pii` in `cdp.masked_column` (and the group roles in `cdp.group_role`), and
    /// `cdp.rebuild_masked_view` makes a relation's `<relation>_masked` view and its grants from those rows — at
    /// apply, and in the transaction of a dictionary edit that changes a column's personal kind (a trigger on
    /// `cdp.dictionary_entry`), so a column tagged `PII.*` is masked from that commit on, without another apply.
    ///
    /// A row's `source` says what decides it: `dictionary` (the tags; an edit changes it), `fixed` (free text and
    /// JSON always masked, dictionary texts always withheld), `hash` (the content hash, always withheld), `length`
    /// (record length and offset, withheld while the relation holds a personal column). `treatment` is `show`,
    /// `mask:<kind>` (`cdp.pii_mask`), `json` (`cdp.pii_mask_json`) or `withhold`.
    static let maskedViewObjects: [String] = [
        """
        CREATE TABLE cdp.masked_column (
            relation text NOT NULL,
            position int NOT NULL,
            column_name text NOT NULL,
            source text NOT NULL CHECK (source IN ('dictionary', 'fixed', 'hash', 'length')),
            treatment text NOT NULL CHECK (treatment IN ('show', 'json', 'withhold') OR treatment LIKE 'mask:%'),
            PRIMARY KEY (relation, position)
        )
        """,
        """
        CREATE TABLE cdp.group_role (
            role_name text PRIMARY KEY,
            view_pii boolean NOT NULL
        )
        """,
        // One column of a masked view's SELECT list.
        """
        CREATE FUNCTION cdp.masked_expression(p_column text, p_treatment text) RETURNS text LANGUAGE sql IMMUTABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT CASE
                WHEN p_treatment = 'show' THEN format('%I', p_column)
                WHEN p_treatment LIKE 'mask:%' THEN format('cdp.pii_mask(%I::text, %L) AS %I', p_column, substr(p_treatment, 6), p_column)
                WHEN p_treatment = 'json' THEN format('cdp.pii_mask_json(%I::text) AS %I', p_column, p_column)
                ELSE format('CASE WHEN %I IS NULL THEN NULL ELSE %L END AS %I', p_column, '\(withheldText)', p_column)
            END
        $$
        """,
        // A relation's masked view and grants from its rows: a view when any column does not show as it is (every
        // group reads it; groups without view_pii lose the table itself); otherwise every group reads the table.
        """
        CREATE FUNCTION cdp.rebuild_masked_view(p_relation text) RETURNS boolean LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            personal boolean;
            has_view boolean;
            select_list text;
            view_name text := p_relation || '_masked';
            g cdp.group_role;
        BEGIN
            SELECT coalesce(bool_or(treatment <> 'show'), false) INTO personal FROM cdp.masked_column
                WHERE relation = p_relation AND source IN ('dictionary', 'fixed');
            UPDATE cdp.masked_column SET treatment = CASE WHEN personal THEN 'withhold' ELSE 'show' END
                WHERE relation = p_relation AND source = 'length';
            has_view := EXISTS (SELECT 1 FROM cdp.masked_column WHERE relation = p_relation AND treatment <> 'show');
            EXECUTE format('DROP VIEW IF EXISTS cdp.%I', view_name);
            FOR g IN SELECT * FROM cdp.group_role ORDER BY role_name LOOP
                IF has_view AND NOT g.view_pii THEN
                    EXECUTE format('REVOKE ALL ON cdp.%I FROM %I', p_relation, g.role_name);
                ELSE
                    EXECUTE format('GRANT SELECT ON cdp.%I TO %I', p_relation, g.role_name);
                END IF;
            END LOOP;
            IF NOT has_view THEN RETURN false; END IF;
            SELECT string_agg(cdp.masked_expression(column_name, treatment), ', ' ORDER BY position) INTO select_list
                FROM cdp.masked_column WHERE relation = p_relation;
            EXECUTE format('CREATE VIEW cdp.%I WITH (security_barrier) AS SELECT %s FROM cdp.%I', view_name, select_list, p_relation);
            FOR g IN SELECT * FROM cdp.group_role ORDER BY role_name LOOP
                EXECUTE format('GRANT SELECT ON cdp.%I TO %I', view_name, g.role_name);
            END LOOP;
            RETURN true;
        END $$
        """,
        // A dictionary edit that changes a column's personal kind changes how that column reads in its dataset's
        // masked view, and, when it tags the column, in every relation the dictionary does not describe that has
        // a column of that name (as the engine masks those by name); then rebuilds those views. A view in use
        // makes the edit wait 5 s at most, then fail with nothing changed.
        """
        CREATE FUNCTION cdp.follow_dictionary() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            old_kind text := cdp.dictionary_personal_kind(OLD.tags);
            new_kind text := cdp.dictionary_personal_kind(NEW.tags);
            wanted text;
            changed text;
        BEGIN
            IF old_kind IS NOT DISTINCT FROM new_kind OR NEW.column_name = '' THEN RETURN NEW; END IF;
            wanted := CASE WHEN new_kind IS NULL THEN 'show' WHEN new_kind = 'PII.Record' THEN 'json' ELSE 'mask:' || new_kind END;
            PERFORM set_config('lock_timeout', '5s', true);
            FOR changed IN
                WITH updated AS (
                    UPDATE cdp.masked_column m SET treatment = wanted
                    WHERE m.source = 'dictionary' AND m.column_name = NEW.column_name AND m.treatment <> wanted
                        AND (m.relation = NEW.dataset OR (new_kind IS NOT NULL AND m.treatment = 'show'
                            AND NOT EXISTS (SELECT 1 FROM cdp.dictionary_entry d WHERE d.dataset = m.relation)))
                    RETURNING m.relation)
                SELECT DISTINCT relation FROM updated ORDER BY relation
            LOOP
                PERFORM cdp.rebuild_masked_view(changed);
            END LOOP;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER dictionary_entry_masking AFTER UPDATE OF tags ON cdp.dictionary_entry
            FOR EACH ROW EXECUTE FUNCTION cdp.follow_dictionary()
        """,
    ]
}

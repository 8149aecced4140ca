extension PostgresSchema {
    /// What the embedded lake gained after pg1 was written: a run's job parameters (its `v8-run-parameters`) and a
    /// customer's extra attributes (`v9-customer-attributes`: one JSON object of text members, personal by default).
    ///
    /// Without `view_pii` the attributes read through `cdp.pii_mask_attributes`: every member masked as the kind its
    /// name has (`cdp.pii_kind`), or as generic personal data when the name is not known (an attribute mapped after
    /// the last `cdp access apply` is personal until the dictionary says otherwise, as in the embedded lake); nested
    /// values and documents that are not an object are withheld. A store whose masked views were made before this
    /// migration shows the new columns in them after the next `cdp access apply`; until then they are in the
    /// tables only, which no role without `view_pii` may read.
    static let attributeObjects: [String] = [
        "ALTER TABLE cdp.workflow_run ADD COLUMN parameters text",
        "ALTER TABLE cdp.silver_customer ADD COLUMN attributes text",
        """
        CREATE FUNCTION cdp.pii_mask_attributes(p_document text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            document jsonb;
            masked jsonb := '{}'::jsonb;
            member record;
            kind text;
        BEGIN
            BEGIN
                document := p_document::jsonb;
            EXCEPTION WHEN OTHERS THEN
                RETURN '\(withheldText)';
            END;
            IF jsonb_typeof(document) <> 'object' THEN RETURN '\(withheldText)'; END IF;
            FOR member IN SELECT e.key, e.value FROM jsonb_each(document) AS e ORDER BY e.key LOOP
                kind := coalesce(cdp.pii_kind(btrim(member.key, E' \\t\\r\\n\\f\\v')), 'PII');
                masked := masked || jsonb_build_object(member.key, CASE
                    WHEN jsonb_typeof(member.value) = 'null' THEN 'null'::jsonb
                    WHEN jsonb_typeof(member.value) IN ('string', 'number', 'boolean')
                        THEN to_jsonb(cdp.pii_mask(member.value #>> '{}', kind))
                    ELSE to_jsonb('\(withheldText)'::text) END);
            END LOOP;
            RETURN masked::text;
        END $$
        """,
        "ALTER TABLE cdp.masked_column DROP CONSTRAINT masked_column_treatment_check",
        """
        ALTER TABLE cdp.masked_column ADD CONSTRAINT masked_column_treatment_check
            CHECK (treatment IN ('show', 'json', 'attributes', 'withhold') OR treatment LIKE 'mask:%')
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.masked_expression(p_column text, p_treatment text) RETURNS text LANGUAGE sql IMMUTABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT CASE
                WHEN p_treatment = 'show' THEN format('%I', p_column)
                WHEN p_treatment LIKE 'mask:%' THEN format('cdp.pii_mask(%I::text, %L) AS %I', p_column, substr(p_treatment, 6), p_column)
                WHEN p_treatment = 'json' THEN format('cdp.pii_mask_json(%I::text) AS %I', p_column, p_column)
                WHEN p_treatment = 'attributes' THEN format('cdp.pii_mask_attributes(%I::text) AS %I', p_column, p_column)
                ELSE format('CASE WHEN %I IS NULL THEN NULL ELSE %L END AS %I', p_column, '\(withheldText)', p_column)
            END
        $$
        """,
    ]
}

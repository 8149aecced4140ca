extension PostgresSchema {
    /// Consoles of several stewards see each other's work (`pg-consoles-see-each-others-changes`, #17): every
    /// steward write appends its audit row in its own transaction, so a console that asks twice a second for the
    /// audit log's newest id, and for the actions audited after the id it last saw, learns within a second what
    /// another session committed. Every role may ask (an analyst's console follows too): the answer is ids and
    /// action names, never a row's values, hashes or targets. A viewer's rows waiting in `cdp.audit_inbox` change
    /// nothing another console shows, so they are not counted.
    static let changeFeedObjects: [String] = [
        """
        CREATE FUNCTION cdp.audited_changes_after(p_mark bigint) RETURNS TABLE (newest bigint, actions text[]) LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
            WITH head AS (SELECT coalesce(max(id), 0) AS id FROM cdp.audit_log)
            SELECT head.id, CASE WHEN p_mark IS NULL OR p_mark >= head.id THEN ARRAY[]::text[]
                ELSE ARRAY(SELECT DISTINCT a.action FROM cdp.audit_log a WHERE a.id > p_mark AND a.id <= head.id) END
            FROM head
        $$
        """,
        """
        DO $$ DECLARE g text; BEGIN
            FOR g IN SELECT role_name FROM cdp.group_role WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) ORDER BY 1
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION cdp.audited_changes_after(bigint) TO %I', g);
            END LOOP;
        END $$
        """,
    ]
}

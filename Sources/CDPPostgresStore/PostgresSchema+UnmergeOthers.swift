extension PostgresSchema {
    /// The signature of the unmerge a steward calls, as GRANT names it.
    static let unmergeSignature = "(bigint, text, bigint, text[], text, text, text)"

    /// A review point (#17, LOW): `cdp.golden_unmerge_as_read` with `p_others` NULL (psql only: cdp always sends the
    /// other members it read) on a golden record of one member passed the member check (`coalesce(p_others, '{}')`)
    /// and the "only record" check (`cardinality(NULL) = 0` is NULL), then failed with PL/pgSQL's own "FOREACH
    /// expression must not be null". The checked body keeps its place under the name
    /// `cdp.golden_unmerge_members_as_read`, which no login role executes, and the function stewards call checks
    /// `p_others` first, refusing NULL with a message of its own. (A later migration restating the unmerge whole
    /// restates this check in it.)
    static let unmergeOthersObjects: [String] = [
        "ALTER FUNCTION cdp.golden_unmerge_as_read\(unmergeSignature) RENAME TO golden_unmerge_members_as_read",
        """
        DO $$ DECLARE g text; BEGIN
            FOR g IN SELECT role_name FROM cdp.group_role WHERE EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) ORDER BY 1
            LOOP
                EXECUTE format('REVOKE EXECUTE ON FUNCTION cdp.golden_unmerge_members_as_read\(unmergeSignature) FROM %I', g);
            END LOOP;
        END $$
        """,
        """
        CREATE FUNCTION cdp.golden_unmerge_as_read(
            p_golden bigint, p_record text, p_fresh bigint, p_others text[], p_golden_attributes text, p_fresh_attributes text, p_reason text
        ) RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF p_others IS NULL THEN
                RAISE EXCEPTION 'an unmerge of % from G% names the other records of G% as cdp read them (an empty list when there are none), not NULL; nothing was changed',
                    p_record, p_golden, p_golden USING ERRCODE = 'invalid_parameter_value';
            END IF;
            RETURN cdp.golden_unmerge_members_as_read(p_golden, p_record, p_fresh, p_others, p_golden_attributes, p_fresh_attributes, p_reason);
        END $$
        """,
        grantToExistingGroups("cdp.golden_unmerge_as_read\(unmergeSignature)", permission: "decide_merges"),
    ]
}

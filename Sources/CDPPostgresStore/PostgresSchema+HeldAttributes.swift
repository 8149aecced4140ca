extension PostgresSchema {
    /// A held record keeps an extra attribute as the member `attributes.<name>` of its fields (and of a failure or a
    /// fix about it), and `cdp.pii_kind` knew only the attribute's name, so `quarantine_record_masked` showed it in clear
    /// (attack 11, F2). Migration `pg-held-attributes-are-personal` moves the dictionary's names to
    /// `cdp.pii_column_kind` (renamed, so its body and grants stay until the next `cdp access apply` rewrites it) and
    /// makes `cdp.pii_kind` read `attributes.<name>` as its attribute: generic personal data unless the dictionary
    /// gives the name a kind, as `cdp.pii_mask_attributes` treats silver's attributes. The new function gets the grants
    /// the old one had. Fixed SQL (the prefix spelt out), as every shipped migration is.
    static let heldAttributeObjects: [String] = [
        // Idempotent, as an upgrade that is interrupted and run again needs.
        """
        DO $$ BEGIN
            IF to_regprocedure('cdp.pii_column_kind(text)') IS NULL THEN
                ALTER FUNCTION cdp.pii_kind(text) RENAME TO pii_column_kind;
            END IF;
        END $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.pii_kind(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN pg_catalog.lower(name) LIKE 'attributes.%'
                THEN coalesce(cdp.pii_column_kind(pg_catalog.substr(name, 12)), 'PII')
                ELSE cdp.pii_column_kind(name) END
        $$
        """,
        """
        DO $$
        DECLARE
            grantee text;
        BEGIN
            FOR grantee IN
                SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END
                FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) a
                WHERE p.oid = 'cdp.pii_column_kind(text)'::regprocedure AND a.privilege_type = 'EXECUTE'
            LOOP
                EXECUTE format('GRANT EXECUTE ON FUNCTION cdp.pii_kind(text) TO %s', grantee);
            END LOOP;
        END $$
        """,
    ]
}

extension PostgresSchema {
    /// Loosening a column's masking needs `view_pii`, as in the embedded lake (`DictionaryService`): masking follows
    /// the dictionary's tags (pg4), so an editor who may not see personal data, taking a column's `PII.*` tag off or
    /// changing its kind (a birth date's mask hides digits only), would show its values unmasked to every role
    /// without `view_pii`, themselves first. A trigger on `cdp.dictionary_entry` refuses such a change (SQLSTATE
    /// 42501, so ``PostgresTeamStore/stewardAction(_:attempt:_:_:)`` audits it as `access.refused`) unless the login
    /// role may view personal data; whatever path the change takes, `cdp.dictionary_edit` or the owner's own SQL.
    /// Adding a tag needs no more than `edit_dictionary`.
    static let dictionaryGuardObjects: [String] = [
        // Whether the login role may read personal data: a superuser, or a member of a group granting view_pii.
        """
        CREATE FUNCTION cdp.may_view_pii() RETURNS boolean LANGUAGE sql STABLE
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = session_user), false)
                OR EXISTS (SELECT 1 FROM cdp.role_permission rp JOIN pg_roles r ON r.rolname = rp.role_name
                    WHERE rp.permission = 'view_pii' AND pg_has_role(session_user, r.oid, 'MEMBER'))
        $$
        """,
        """
        CREATE FUNCTION cdp.guard_dictionary_loosening() RETURNS trigger LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            old_kind text := cdp.dictionary_personal_kind(OLD.tags);
            new_kind text := cdp.dictionary_personal_kind(NEW.tags);
            granting text;
        BEGIN
            IF old_kind IS NULL OR old_kind IS NOT DISTINCT FROM new_kind OR cdp.may_view_pii() THEN RETURN NEW; END IF;
            SELECT string_agg(rp.role_name, ', ' ORDER BY rp.role_name) INTO granting
                FROM cdp.role_permission rp WHERE rp.permission = 'view_pii';
            RAISE EXCEPTION '% may not change the personal data tag of %.% (was %, would be %): it would show its values to everyone without view_pii; missing permission view_pii (roles with it: %)',
                session_user, OLD.dataset, OLD.column_name, old_kind, coalesce(new_kind, 'no PII tag'), coalesce(granting, 'none')
                USING ERRCODE = 'insufficient_privilege',
                    HINT = 'ask someone who may view personal data to make this edit; adding a tag needs no more than edit_dictionary';
        END $$
        """,
        """
        CREATE TRIGGER dictionary_entry_loosening BEFORE UPDATE OF tags ON cdp.dictionary_entry
            FOR EACH ROW EXECUTE FUNCTION cdp.guard_dictionary_loosening()
        """,
    ]
}

extension PostgresSchema {
    /// Refusals in the audit log. A steward function that refuses raises, and its transaction is rolled back with
    /// everything it wrote, an audit row included; so the refusal is recorded afterwards, in a statement of its
    /// own that commits (``PostgresTeamStore/stewardAction(_:attempt:_:_:)``): `access.refused` for a missing
    /// permission (SQLSTATE 42501), `decision.refused` for a record decided meanwhile (CDP01). Every group role may
    /// record its own refusals; the actor is always the login role (`session_user`), so nobody can record one in
    /// another's name, and texts are cut to a bounded length.
    static let refusalObjects: [String] = [
        """
        CREATE FUNCTION cdp.audit_refusal(p_attempt text, p_state text, p_reason text) RETURNS bigint LANGUAGE plpgsql
        SECURITY DEFINER SET search_path = pg_catalog, cdp, pg_temp AS $$
        BEGIN
            IF p_state IS NULL OR p_state NOT IN ('42501', '\(PostgresTeamStore.conflictState)') THEN
                RAISE EXCEPTION 'only a refusal (SQLSTATE 42501 or \(PostgresTeamStore.conflictState)) is recorded, not %', p_state
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            RETURN cdp.append_audit(session_user,
                CASE p_state WHEN '42501' THEN 'access.refused' ELSE 'decision.refused' END,
                left(coalesce(p_attempt, ''), 200), NULL, NULL, left(coalesce(p_reason, ''), 1000));
        END $$
        """
    ]
}

extension PostgresSchema {
    /// A rule's message about a personal value it failed explains the value ("day 30 does not exist in February (it has
    /// 28 days)", "8 digits, expected 9–10", "below the minimum 1900-01-01"), which told a reader without view_pii the
    /// day and month of a masked birth date or a phone's length (a security review). Masked, such a message keeps what
    /// failed, up to its first colon, as the engine's masker does ("not a valid date: (withheld: needs view_pii)").
    /// `pii_mask_json_node` is restated whole with that one change (a shipped migration is never edited).
    static let failureMessageObjects: [String] = [
        """
        CREATE FUNCTION cdp.pii_failure_message(message text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
        SET search_path = pg_catalog, cdp, pg_temp AS $$
            SELECT CASE WHEN message = '\(withheldText)' OR right(message, \(withheldText.count + 2)) = ': \(withheldText)' THEN message
                WHEN position(': ' IN message) > 0
                THEN left(message, position(': ' IN message) - 1) || ': \(withheldText)'
                ELSE '\(withheldText)' END
        $$
        """,
        """
        CREATE OR REPLACE FUNCTION cdp.pii_mask_json_node(node jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            result jsonb := node;
            named text;
            kind text;
            member_kind text;
            original text;
            member record;
            masked jsonb;
            masked_value boolean := false;
        BEGIN
            IF jsonb_typeof(node) = 'array' THEN
                SELECT coalesce(jsonb_agg(cdp.pii_mask_json_node(e) ORDER BY i), '[]'::jsonb) INTO result
                    FROM jsonb_array_elements(node) WITH ORDINALITY AS elements(e, i);
                RETURN result;
            ELSIF jsonb_typeof(node) <> 'object' THEN
                RETURN node;
            END IF;
            named := btrim(CASE
                WHEN jsonb_typeof(node -> 'name') = 'string' THEN node ->> 'name'
                WHEN jsonb_typeof(node -> 'attribute') = 'string' THEN node ->> 'attribute'
                WHEN jsonb_typeof(node -> 'field') = 'string' THEN node ->> 'field' END, E' \\t\\r\\n\\f\\v');
            kind := cdp.pii_kind(named);
            IF kind IS NOT NULL AND jsonb_typeof(node -> 'value') IN ('string', 'number', 'boolean') THEN
                original := node ->> 'value';
                result := jsonb_set(result, '{value}', to_jsonb(cdp.pii_mask(original, kind)));
                masked_value := true;
                IF jsonb_typeof(node -> 'message') = 'string' AND original <> '' THEN
                    result := jsonb_set(result, '{message}', to_jsonb(cdp.pii_failure_message(node ->> 'message')));
                END IF;
            ELSIF kind IS NOT NULL AND jsonb_typeof(node -> 'value') <> 'null' THEN
                result := jsonb_set(result, '{value}', cdp.pii_mask_json_node(jsonb_build_object(named, node -> 'value')) -> named);
                masked_value := true;
            END IF;
            FOR member IN SELECT key, value FROM jsonb_each(node) LOOP
                CONTINUE WHEN masked_value AND member.key = 'value';
                member_kind := cdp.pii_kind(btrim(member.key, E' \\t\\r\\n\\f\\v'));
                IF member_kind IS NOT NULL AND jsonb_typeof(member.value) IN ('string', 'number', 'boolean') THEN
                    result := jsonb_set(result, ARRAY[member.key], to_jsonb(cdp.pii_mask(member.value #>> '{}', member_kind)));
                ELSIF member_kind IS NOT NULL AND jsonb_typeof(member.value) = 'array' THEN
                    SELECT coalesce(jsonb_agg(cdp.pii_mask_json_node(jsonb_build_object(member.key, e)) -> member.key ORDER BY i),
                        '[]'::jsonb) INTO masked
                        FROM jsonb_array_elements(member.value) WITH ORDINALITY AS elements(e, i);
                    result := jsonb_set(result, ARRAY[member.key], masked);
                ELSIF member_kind IS NOT NULL AND jsonb_typeof(member.value) = 'object' THEN
                    SELECT coalesce(jsonb_object_agg(k, cdp.pii_mask_json_node(jsonb_build_object(member.key, v)) -> member.key),
                        '{}'::jsonb) INTO masked
                        FROM jsonb_each(member.value) AS members(k, v);
                    result := jsonb_set(result, ARRAY[member.key], masked);
                ELSIF jsonb_typeof(member.value) IN ('array', 'object') THEN
                    result := jsonb_set(result, ARRAY[member.key], cdp.pii_mask_json_node(member.value));
                END IF;
            END LOOP;
            RETURN result;
        END $$
        """,
    ]
}

extension PostgresSchema {
    /// The text a withheld value reads as, as in the embedded lake's masked views.
    public static let withheldText = "(withheld: needs view_pii)"

    /// The masks of the embedded lake (`PIIMasker.mask`), in SQL, for the masked views: `j***@e******.com`,
    /// `+44 *** *** 123`, `J*** D***`, `****-**-**`, `1* D****** S*`; JSON documents masked member by member and
    /// any other free text withheld. They never raise an error (an error message could quote the value):
    /// malformed JSON is withheld in an exception block. `cdp.pii_kind` (which column names are personal) and
    /// `cdp.pii_calling_code_length` are made by ``PostgresAccessPlan`` from the dictionary of the moment.
    static let maskingFunctions: [String] = [
        // Made again by every access apply, from the dictionary and the phone numbering plans of the moment.
        "CREATE FUNCTION cdp.pii_kind(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT NULL::text $$",
        "CREATE FUNCTION cdp.pii_calling_code_length(digits text) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT 2 $$",
        """
        CREATE FUNCTION cdp.pii_stars_after_first(word text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
            SELECT left(word, 1) || repeat('*', greatest(length(word) - 1, 0))
        $$
        """,
        """
        CREATE FUNCTION cdp.pii_mask_words(value text, wordwise boolean) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
            SELECT string_agg(
                CASE WHEN w = '' THEN '' WHEN wordwise THEN left(w, 1) || '***' ELSE cdp.pii_stars_after_first(w) END,
                ' ' ORDER BY n)
            FROM string_to_table(value, ' ') WITH ORDINALITY AS words(w, n)
        $$
        """,
        """
        CREATE FUNCTION cdp.pii_mask(value text, kind text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            t text := btrim(value, E' \\t');
            local_part text;
            domain_part text;
            at_position int;
            dot_position int;
            digits text;
        BEGIN
            IF t = '' THEN RETURN value; END IF;
            IF kind = 'PII.Email' THEN
                IF strpos(t, '@') = 0 THEN RETURN cdp.pii_mask_words(t, false); END IF;
                at_position := length(t) - strpos(reverse(t), '@') + 1;
                local_part := left(t, at_position - 1);
                domain_part := substr(t, at_position + 1);
                IF strpos(domain_part, '.') = 0 THEN
                    RETURN left(local_part, 1) || '***@' || cdp.pii_stars_after_first(domain_part);
                END IF;
                dot_position := length(domain_part) - strpos(reverse(domain_part), '.') + 1;
                RETURN left(local_part, 1) || '***@' || cdp.pii_stars_after_first(left(domain_part, dot_position - 1))
                    || substr(domain_part, dot_position);
            ELSIF kind = 'PII.Phone' THEN
                digits := regexp_replace(t, '[^0-9]', '', 'g');
                IF length(digits) <= 5 THEN RETURN repeat('*', length(digits)); END IF;
                IF left(t, 1) <> '+' THEN RETURN '*** *** ' || right(digits, 3); END IF;
                RETURN '+' || left(digits, cdp.pii_calling_code_length(digits)) || ' *** *** ' || right(digits, 3);
            ELSIF kind = 'PII.Name' THEN
                RETURN cdp.pii_mask_words(t, true);
            ELSIF kind = 'PII.BirthDate' THEN
                RETURN regexp_replace(t, '[0-9]', '*', 'g');
            ELSE
                RETURN cdp.pii_mask_words(t, false);
            END IF;
        END $$
        """,
        // A member whose key names a personal column (trimmed, any case) is masked as that column whatever it holds:
        // a number or boolean as its text, an array or object value by value (through a one-member object under the
        // same key); only null stays. A `{"name"|"attribute"|"field": …, "value": …}` pair likewise.
        """
        CREATE FUNCTION cdp.pii_mask_json_node(node jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT
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
                IF jsonb_typeof(node -> 'message') = 'string' AND length(original) >= 2 THEN
                    result := jsonb_set(result, '{message}',
                        to_jsonb(replace(node ->> 'message', original, cdp.pii_mask(original, kind))));
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
        """
        CREATE FUNCTION cdp.pii_mask_json(value text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT
        SET search_path = pg_catalog, cdp, pg_temp AS $$
        DECLARE
            document jsonb;
        BEGIN
            IF left(ltrim(value, E' \\t\\r\\n'), 1) NOT IN ('{', '[') THEN RETURN '\(withheldText)'; END IF;
            BEGIN
                document := value::jsonb;
            EXCEPTION WHEN OTHERS THEN
                RETURN '\(withheldText)';
            END;
            RETURN cdp.pii_mask_json_node(document)::text;
        END $$
        """,
    ]
}

import Foundation

/// The masked view of every value type that reaches a screen, a terminal or a file.
extension PIIMasker {
    /// What a user without `view_pii` reads instead of free text (as `cdp query`'s masked views show it).
    public static let withheldText = "(withheld: needs view_pii)"

    /// A quarantined record with its personal fields masked, and the failing values in its failures.
    public func record(_ record: QuarantineRecord) -> QuarantineRecord {
        guard isActive else { return record }
        var masked = record
        masked.fields = fields(record.fields)
        let known = personalValues(record.fields)
        masked.failures = record.failures.map { failure in
            var copy = failure
            if let field = failure.field, let value = failure.value { copy.value = self.value(value, column: field) }
            copy.message = scrub(failure.message, knownValues: known)
            // A rule's explanation of a personal value it failed tells what the mask hides ("day 30 does not exist in
            // February", "8 digits, expected 9–10", "below the minimum 1900-01-01"): what failed is kept, up to its colon.
            if let field = failure.field, kind(ofColumn: field) != nil, let value = failure.value, !value.isEmpty {
                copy.message = Self.withholdingDetail(copy.message)
            }
            return copy
        }
        // A steward's reason is free text ("duplicate of jane@example.com, call 0161 …"): no masking knows
        // what it quotes, so it is withheld, as quarantine_record.resolution is from queries.
        masked.resolution = record.resolution.map { $0.isEmpty ? $0 : Self.withheldText }
        return masked
    }

    /// A history line such as `email=jane@example.com → passes [was failing: …]`, withheld: it quotes values
    /// as they were then (the failure it fixed, a reject reason), which masking by the record's current
    /// values cannot find. Who did what, and when, stay.
    public func history(_ entry: QuarantineHistoryEntry, of record: QuarantineRecord) -> QuarantineHistoryEntry {
        guard isActive else { return entry }
        var masked = entry
        if !entry.detail.isEmpty { masked.detail = Self.withheldText }
        return masked
    }

    /// A matcher input with every field its column's tag makes personal masked (a column tagged
    /// later, such as `city`, included: no field is left out by name).
    public func matchInput(_ input: MatchInput) -> MatchInput {
        guard isActive else { return input }
        var masked = input
        masked.firstName = input.firstName.map { value($0, column: "first_name") }
        masked.lastName = input.lastName.map { value($0, column: "last_name") }
        masked.email = input.email.map { value($0, column: "email") }
        masked.phone = input.phone.map { value($0, column: "phone") }
        masked.birthDate = input.birthDate.map { value($0, column: "birth_date") }
        masked.street = input.street.map { value($0, column: "street") }
        masked.city = input.city.map { value($0, column: "city") }
        masked.postcode = input.postcode.map { value($0, column: "postcode") }
        masked.country = input.country.map { value($0, column: "country") }
        masked.crmCustomerID = input.crmCustomerID.map { value($0, column: "crm_customer_id") }
        masked.updatedAt = input.updatedAt.map { value($0, column: "updated_at") }
        // Extra attributes by name: personal unless the dictionary says otherwise (``defaultColumns(for:)``).
        masked.attributes = input.attributes.reduce(into: [:]) { result, attribute in
            result[attribute.key] = value(attribute.value, column: attribute.key)
        }
        return masked
    }

    public func goldenAttribute(_ attribute: GoldenAttribute) -> GoldenAttribute {
        var masked = attribute
        masked.value = value(attribute.value, column: attribute.name)
        return masked
    }

    /// An audit row whose before/after hold personal values: JSON objects are masked key by key, a
    /// golden attribute override (`G12.email`) by its attribute, other text by the `field=value` pairs in it.
    public func auditEntry(_ entry: AuditEntry) -> AuditEntry {
        guard isActive else { return entry }
        var masked = entry
        let attribute = entry.target.split(separator: ".").last.map(String.init)
        func mask(_ text: String?) -> String? {
            guard let text else { return nil }
            if text.first == "{" || text.first == "[", let masked = json(text) { return masked }
            if let attribute, entry.target.contains("."), kind(ofColumn: attribute) != nil { return value(text, column: attribute) }
            return scrub(text, knownValues: [])
        }
        masked.before = mask(entry.before)
        masked.after = mask(entry.after)
        // Free text a user typed ("customer Pilar González asked, phone 669443380"): withheld, as
        // audit_log.reason is from queries.
        masked.reason = entry.reason.map { $0.isEmpty ? $0 : Self.withheldText }
        // The chain's hashes are over the real values with the row's other fields shown: hashing guesses of a masked
        // value against them finds it. Checking the chain needs view_pii anyway.
        masked.hash = Self.withheldText
        masked.previousHash = Self.withheldText
        return masked
    }

    /// A run's event as a user without `view_pii` reads it: what failed, retried, warned or logged may quote a
    /// value (a fatal rule's refusal names the values it refused), so its text after the subject is withheld, as
    /// run_event.message is from queries; starts, skips, progress and counts stay.
    public func runEvent(_ event: RunEvent) -> RunEvent {
        guard isActive else { return event }
        switch event.kind {
        case .taskFailed, .taskRetrying, .warning, .log, .runFinished:
            var masked = event
            masked.message = Self.withholdingDetail(event.message)
            return masked
        case .runStarted, .taskStarted, .progress, .taskFinished, .taskSkipped:
            return event
        }
    }

    /// A run with its error and its tasks' errors withheld (they quote what failed), as ``runEvent(_:)``.
    public func runSummary(_ run: RunSummary) -> RunSummary {
        guard isActive else { return run }
        var masked = run
        masked.error = run.error.map(Self.withholdingDetail)
        masked.tasks = run.tasks.map { task in
            var copy = task
            copy.error = task.error.map(Self.withholdingDetail)
            return copy
        }
        return masked
    }

    /// A run's error as this principal may read it: its detail withheld without `view_pii` (a fatal rule's refusal
    /// quotes the values it refused), as in ``runSummary(_:)``.
    public func runError(_ text: String) -> String {
        isActive ? Self.withholdingDetail(text) : text
    }

    /// `task x failed: <detail>` → `task x failed: (withheld: needs view_pii)`; text with no subject is withheld whole.
    static func withholdingDetail(_ text: String) -> String {
        // Withheld already (the team store's masked views withhold before the engine masks again): unchanged.
        guard !text.isEmpty, text != withheldText, !text.hasSuffix(": " + withheldText) else { return text }
        guard let colon = text.range(of: ": ") else { return withheldText }
        return text[..<colon.lowerBound] + ": " + withheldText
    }

    /// Replaces personal values in free text: every known value (field → value) and the value of every
    /// `field=value` pair naming a personal field.
    public func scrub(_ text: String, knownValues: [(value: String, kind: PIIKind)]) -> String {
        guard isActive, !text.isEmpty else { return text }
        var result = text
        for (value, kind) in knownValues.sorted(by: { $0.value.count > $1.value.count }) where value.count >= 2 {
            result = result.replacingOccurrences(of: value, with: Self.mask(value, as: kind))
        }
        return maskAssignments(result)
    }

    /// The record's personal values and their kinds, for `scrub`.
    public func personalValues(_ fields: [String: String]) -> [(value: String, kind: PIIKind)] {
        fields.sorted { $0.key < $1.key }.compactMap { field, value in
            guard let kind = kind(ofColumn: field), !value.isEmpty else { return nil }
            return (value, kind)
        }
    }

    /// `email=jane@example.com, phone=+44…` → each personal field's value masked up to the next `, ` or ` →`.
    private func maskAssignments(_ text: String) -> String {
        guard text.contains("=") else { return text }
        var output = ""
        var rest = Substring(text)
        while let equals = rest.firstIndex(of: "=") {
            let head = rest[..<equals]
            let nameStart = head.lastIndex(where: { !($0.isLetter || $0.isNumber || $0 == "_") }).map { head.index(after: $0) } ?? head.startIndex
            let name = String(head[nameStart...])
            output += rest[...equals]
            rest = rest[rest.index(after: equals)...]
            let end = [rest.range(of: ", ")?.lowerBound, rest.range(of: " →")?.lowerBound].compactMap { $0 }.min() ?? rest.endIndex
            let value = String(rest[..<end])
            if let kind = kind(ofColumn: name) {
                output += Self.mask(value, as: kind)
            } else {
                output += value
            }
            rest = rest[end...]
        }
        return output + rest
    }
}

extension PIIMasker {
    /// Masks personal values inside a JSON document: every member whose key names a personal column (of any JSON type),
    /// `{"name"|"attribute": "email", "value": …}` pairs, and `{"field": "email", "value": …, "message": …}`
    /// failures (the value also where the message quotes it). `nil` when the text is not JSON.
    public func json(_ text: String) -> String? {
        guard isActive, let data = text.data(using: .utf8),
            let document = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return isActive ? nil : text }
        let masked = maskJSON(document)
        guard let output = try? JSONSerialization.data(withJSONObject: masked, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return nil }
        return String(decoding: output, as: UTF8.self)
    }

    private func maskJSON(_ node: Any) -> Any {
        if let array = node as? [Any] { return array.map(maskJSON) }
        guard var object = node as? [String: Any] else { return node }
        let named = (object["name"] as? String) ?? (object["attribute"] as? String) ?? (object["field"] as? String)
        var maskedValue = false
        if let named, let kind = personalKind(ofKey: named), let value = object["value"], !(value is NSNull) {
            object["value"] = mask(value, as: kind)
            maskedValue = true
            if let original = Self.scalarText(value), let message = object["message"] as? String {
                let scrubbed = scrub(message, knownValues: [(original, kind)])
                object["message"] = original.isEmpty ? scrubbed : Self.withholdingDetail(scrubbed)
            }
        }
        for (key, value) in object where !(maskedValue && key == "value") {
            if let kind = personalKind(ofKey: key) {
                object[key] = mask(value, as: kind)
            } else if value is [Any] || value is [String: Any] {
                object[key] = maskJSON(value)
            }
        }
        return object
    }

    /// A member's key as a column name: `"Email "` names the email column as much as `"email"` does.
    private func personalKind(ofKey key: String) -> PIIKind? {
        kind(ofColumn: key.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Everything under a personal key is that kind of value, whatever its JSON type: a phone written as a
    /// number or a list of emails is masked like the string would be (keys of a nested object are kept).
    private func mask(_ value: Any, as kind: PIIKind) -> Any {
        if let array = value as? [Any] { return array.map { mask($0, as: kind) } }
        if let object = value as? [String: Any] { return object.mapValues { mask($0, as: kind) } }
        guard let text = Self.scalarText(value) else { return value }
        return Self.mask(text, as: kind)
    }

    /// A JSON string, number or boolean as text; `nil` for null and containers.
    private static func scalarText(_ value: Any) -> String? {
        if let text = value as? String { return text }
        if let number = value as? NSNumber { return number.stringValue }
        return nil
    }
}

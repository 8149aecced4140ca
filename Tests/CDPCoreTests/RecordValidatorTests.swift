import Testing

@testable import CDPCore

/// Builds a customer source mapping every field to a column of the same name.
func customerSource(_ name: SourceName = "crm") -> SourceConfiguration {
    SourceConfiguration(
        name: name, system: "crm", entity: .customer, format: .csv, path: "in/*.csv", primaryKey: "id",
        mapping: Dictionary(uniqueKeysWithValues: CanonicalEntity.customer.fields.map { ($0.name, $0.name) }))
}

func record(_ source: SourceConfiguration, key: String = "C1", _ values: [String: String]) -> StandardizedRecord {
    let raw = source.entity.fields.map { values[$0.name] }
    return RecordStandardizer(source: source, defaultCountry: "GB").standardize(sourceKey: key, raw: raw)
}

struct RecordValidatorTests {
    let source = customerSource()
    let environment = ValidationEnvironment(today: "2026-01-01", referenceKeys: ["crm": ["C1", "C2"]])

    func failures(_ check: RuleCheck, _ values: [String: String], severity: RuleSeverity = .error, key: String = "C1") -> [RuleFailure] {
        let rule = RuleDefinition(name: "r", dataset: source.name, check: check, severity: severity)
        var ledger = UniquenessLedger()
        return RecordValidator(source: source, rules: [rule])
            .validate(record(source, key: key, values), line: 2, environment: environment, ledger: &ledger)
    }

    @Test(arguments: [
        (RuleCheck.required(fields: ["email", "last_name"]), ["email": "a@b.co"], "last_name is missing"),
        (.required(fields: ["email"]), ["email": "   "], "email is missing"),
        (.required(fields: [], anyOf: ["first_name", "last_name"]), ["email": "a@b.co", "first_name": " "],
         "first_name and last_name are both missing (at least one is required)"),
        (.required(fields: ["email"], anyOf: ["first_name", "last_name"]), [:], "email is missing; first_name and last_name are both missing"),
        (.format(field: "email", format: .email), ["email": "jane@@example.com"], "not a valid email"),
        (.format(field: "birth_date", format: .date), ["birth_date": "1985-02-30"], "not a valid date"),
        (.format(field: "country", format: .country), ["country": "Atlantis"], "not a valid country"),
        (.format(field: "postcode", format: .regex("[A-Z]{2}[0-9]+")), ["postcode": "12345"], "does not match"),
        (.allowedValues(field: "loyalty_tier", values: ["gold", "silver"]), ["loyalty_tier": "tin"], "'tin' is not one of gold, silver"),
        (.range(field: "birth_date", min: .date("1900-01-01"), max: .today), ["birth_date": "2091-05-01"], "above the maximum 2026-01-01"),
        (.range(field: "birth_date", min: .date("1900-01-01"), max: nil), ["birth_date": "1850-01-01"], "below the minimum 1900-01-01"),
        (.length(field: "city", min: 2, max: 5), ["city": "Llanfair"], "more than 5"),
        (.compare(left: "created_at", op: .lessOrEqual, right: "updated_at"),
         ["created_at": "2024-05-01 10:00:00", "updated_at": "2023-01-01 00:00:00"], "is not <= updated_at"),
        (.reference(field: "crm_customer_id", source: "crm"), ["crm_customer_id": "C9"], "'C9' is not a known record of crm"),
        (.reference(field: "crm_customer_id", source: "web"), ["crm_customer_id": "C1"], "'C1' is not a known record of web"),
        (.allowedValues(field: "loyalty_tier", values: (1...20).map { "tier\($0)" }), ["loyalty_tier": "tier21"], "'tier21' is not one of tier1,"),
    ] as [(RuleCheck, [String: String], String)])
    func failingValuesAreReportedWithAReadableMessage(check: RuleCheck, values: [String: String], expected: String) {
        let found = failures(check, values)
        #expect(found.count == 1)
        #expect(found.first?.rule == "r")
        #expect(found.first?.message.contains(expected) == true, "\(found.first?.message ?? "none")")
    }

    @Test(arguments: [
        (RuleCheck.required(fields: ["email"]), ["email": "a@b.co"]),
        (.required(fields: ["email"], anyOf: ["first_name", "last_name"]), ["email": "a@b.co", "first_name": "Cy"]),
        (.required(fields: [], anyOf: ["first_name", "last_name"]), ["last_name": "Ho"]),
        (.format(field: "email", format: .email), ["email": " Jane@Example.COM "]),
        (.format(field: "email", format: .email), [:]),
        (.allowedValues(field: "loyalty_tier", values: ["Gold"]), ["loyalty_tier": "GOLD"]),
        (.range(field: "birth_date", min: .date("1900-01-01"), max: .today), ["birth_date": "1985-12-05"]),
        (.compare(left: "created_at", op: .lessOrEqual, right: "updated_at"), ["created_at": "2024-05-01 10:00:00"]),
        (.reference(field: "crm_customer_id", source: "crm"), ["crm_customer_id": "C2"]),
        (.allowedValues(field: "loyalty_tier", values: (1...20).map { "Tier\($0)" }), ["loyalty_tier": "TIER17"]),
        (.length(field: "city", min: 2, max: 10), ["city": "Leeds"]),
    ] as [(RuleCheck, [String: String])])
    func passingValuesRaiseNothing(check: RuleCheck, values: [String: String]) {
        #expect(failures(check, values).isEmpty)
    }

    /// Reference keys match byte for byte, as the lake joins them: a key written with a combining accent is
    /// not the precomposed key the referenced source holds.
    @Test func referenceKeysMatchByteForByte() {
        let environment = ValidationEnvironment(today: "2026-01-01", referenceKeys: ["crm": ["Zo\u{00EB}"]])
        let rule = RuleDefinition(name: "r", dataset: source.name, check: .reference(field: "crm_customer_id", source: "crm"))
        let validator = RecordValidator(source: source, rules: [rule])
        var ledger = UniquenessLedger()
        let precomposed = validator.validate(record(source, ["crm_customer_id": "Zo\u{00EB}"]), line: 2, environment: environment, ledger: &ledger)
        let decomposed = validator.validate(record(source, ["crm_customer_id": "Zoe\u{0308}"]), line: 3, environment: environment, ledger: &ledger)
        #expect(precomposed.isEmpty)
        #expect(decomposed.map(\.rule) == ["r"])
    }

    @Test func uniqueFlagsTheSecondRowWithTheLineOfTheFirst() {
        let rule = RuleDefinition(name: "key_unique", dataset: source.name, check: .unique(field: "source_key"))
        let validator = RecordValidator(source: source, rules: [rule])
        var ledger = UniquenessLedger()
        let first = validator.validate(record(source, key: "C7", [:]), line: 10, environment: environment, ledger: &ledger)
        let second = validator.validate(record(source, key: "C7", [:]), line: 42, environment: environment, ledger: &ledger)
        #expect(first.isEmpty)
        #expect(second.map(\.message) == ["duplicate source_key 'C7': already on line 10 of this batch"])
    }

    @Test func severityIsCarriedToTheFailure() {
        #expect(failures(.format(field: "email", format: .email), ["email": "x"], severity: .warn).first?.severity == .warn)
    }

    @Test func unreadableTypedValuesWithoutAFormatRuleBecomeWarnings() {
        let found = failures(.required(fields: ["email"]), ["email": "a@b.co", "phone": "12"])
        #expect(found.map(\.rule) == ["standardize.phone"])
        #expect(found.first?.severity == .warn)
    }

    @Test func ruleSetProblemsAreCollectedWhole() {
        let rules = RuleSet(rules: [
            RuleDefinition(name: "a", dataset: "nope", check: .unique(field: "source_key")),
            RuleDefinition(name: "b", dataset: "crm", check: .format(field: "emial", format: .email)),
            RuleDefinition(name: "b", dataset: "crm", check: .format(field: "phone", format: .email)),
            RuleDefinition(name: "c", dataset: "crm", check: .range(field: "birth_date", min: nil, max: nil)),
            RuleDefinition(name: "d", dataset: "crm", check: .reference(field: "crm_customer_id", source: "ghost")),
        ])
        let problems = rules.problems(sources: [source]).map(\.description)
        #expect(problems == [
            "rules[0].dataset: 'nope' is not a source of cdp.toml (sources: crm)",
            "rules[1].field: 'emial' is not a field of customer source 'crm' (known: source_key, \(CanonicalEntity.customer.fields.map(\.name).joined(separator: ", ")))",
            "rules[2].name: 'b' is already the name of rules[1]; names must be unique",
            "rules[2].format: 'email' cannot apply to 'phone', which holds phone values",
            "rules[3]: 'range' needs 'min' or 'max'",
            "rules[4].source: 'ghost' is not a source of cdp.toml (sources: crm)",
        ], "\(problems)")
        // Without the sources (cdp.toml is broken) only what the rules get wrong on their own is reported.
        #expect(rules.problems(sources: nil).map(\.description) == [
            "rules[2].name: 'b' is already the name of rules[1]; names must be unique", "rules[3]: 'range' needs 'min' or 'max'",
        ])
    }

    /// Attack 11, F4: a failure is masked as its field is, so it quotes no other field's value — neither the right side
    /// of a compare (a birth date after `created_at`) nor a name standardisation emptied under a missing key.
    @Test func aFailureQuotesNoValueOfAnotherField() throws {
        let compared = failures(
            .compare(left: "created_at", op: .lessThan, right: "birth_date"), ["created_at": "2017-08-11 15:55:52", "birth_date": "1959-09-01"])
        let comparison = try #require(compared.first)
        #expect(comparison.field == "created_at")
        #expect(comparison.message.hasSuffix("is not < birth_date") && !comparison.message.contains("1959"), "\(comparison.message)")

        let required = failures(
            .required(fields: ["email"], anyOf: ["first_name", "last_name"]), ["first_name": "Margarethe2", "last_name": "Kowal5ka"])
        let missing = try #require(required.first)
        #expect(missing.field == "email")
        #expect(!missing.message.contains("Margarethe") && !missing.message.contains("Kowal"), "\(missing.message)")
        #expect(missing.message.contains("first_name is empty once standardised"), "\(missing.message)")
        // The failure of the emptied field itself still says what was dropped and why.
        let own = try #require(failures(.required(fields: ["last_name"]), ["last_name": "Kowal5ka"]).first)
        #expect(own.field == "last_name" && own.message.contains("'Kowal5ka' is empty once standardised"), "\(own.message)")
    }
}

struct RecordStandardizerTests {
    @Test func standardisesEveryKindOfField() {
        let source = customerSource()
        let result = record(source, [
            "first_name": "  jean-luc ", "email": " Jane.Doe@Example.COM", "phone": "020 7946 0123", "country": "United Kingdom",
            "birth_date": "1985-04-03", "created_at": "2024-05-01 10:00:00", "email_opt_in": "Y", "loyalty_tier": "GOLD",
            "postcode": "sw1a 1aa",
        ])
        func value(_ name: String) -> FieldValue? { result.values[CanonicalEntity.customer.fieldIndex(name) ?? 0] }
        #expect(value("first_name") == .text("Jean-Luc"))
        #expect(value("email") == .text("jane.doe@example.com"))
        #expect(value("phone") == .text("+442079460123"))
        #expect(value("country") == .text("GB"))
        #expect(value("birth_date") == .text("1985-04-03"))
        #expect(value("created_at") == .text("2024-05-01T10:00:00Z"))
        #expect(value("email_opt_in") == .boolean(true))
        #expect(value("loyalty_tier") == .text("gold"))
        #expect(value("postcode") == .text("SW1A 1AA"))
        #expect(result.failures.isEmpty)
    }

    @Test func phoneNumbersReadWithTheRecordsOwnCountry() {
        let result = record(customerSource(), ["phone": "030 1234567", "country": "Deutschland"])
        #expect(result.values[CanonicalEntity.customer.fieldIndex("phone") ?? 0] == .text("+49301234567"))
    }

    @Test func dateFormatsFromTheSourceAreUsed() {
        var source = customerSource()
        source.dateFormats = ["birth_date": "dd/MM/yyyy"]
        let result = record(source, ["birth_date": "03/04/1985"])
        #expect(result.values[CanonicalEntity.customer.fieldIndex("birth_date") ?? 0] == .text("1985-04-03"))
    }

    @Test func aFullNameFillsFirstAndLastNameWhenTheSourceHasOnlyThat() {
        var source = customerSource()
        source.mapping = ["full_name": "full_name"]
        let result = record(source, ["full_name": "Smith, John"])
        #expect(result.values[CanonicalEntity.customer.fieldIndex("first_name") ?? 0] == .text("John"))
        #expect(result.values[CanonicalEntity.customer.fieldIndex("last_name") ?? 0] == .text("Smith"))
    }

    @Test func failuresKeepTheReason() {
        let result = record(customerSource(), ["email": "john at example.com", "birth_date": "1985-02-30"])
        #expect(result.failure(at: CanonicalEntity.customer.fieldIndex("email") ?? 0) != nil)
        #expect(result.failure(at: CanonicalEntity.customer.fieldIndex("birth_date") ?? 0) != nil)
        #expect(result.values[CanonicalEntity.customer.fieldIndex("email") ?? 0] == nil)
        #expect(result.failure(at: CanonicalEntity.customer.fieldIndex("country") ?? 0) == nil)
    }
}

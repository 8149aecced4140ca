import Testing

@testable import CDPCore

/// What a careless or hostile source can send, and how validation holds it: values beyond their field's
/// length limit, keys with characters nobody can see, and a standardiser emptying a required value.
struct HostileInputTests {
    let source = customerSource()
    let environment = ValidationEnvironment(today: "2026-01-01")

    func failures(_ values: [String: String], key: String = "C1", rules: [RuleDefinition] = []) -> [RuleFailure] {
        var ledger = UniquenessLedger()
        return RecordValidator(source: source, rules: rules).validate(
            record(source, key: key, values), line: 2, environment: environment, ledger: &ledger)
    }

    @Test(arguments: [
        ("first_name", String(repeating: "a", count: 257), "256", "a person name"),
        ("email", String(repeating: "e", count: 310) + "@example.com", "320", "an email address"),
        ("city", String(repeating: "Leeds ", count: 200), "1,024", "a text field"),
        ("postcode", String(repeating: "9", count: 45), "32", "a postcode"),
    ])
    func aValueOverItsLimitIsHeldNamingFieldLengthAndLimit(field: String, value: String, limit: String, kind: String) throws {
        let found = failures([field: value])
        let failure = try #require(found.first { $0.rule == BuiltInRule.tooLong })
        #expect(failure.field == field)
        #expect(failure.severity == .error)
        #expect(
            failure.message
                == "\(field) is \(RecordValidator.grouped(value.utf8.count)) bytes long; the limit for \(kind) is \(limit) bytes")
        // The failure repeats only the start of the value, and the value is not standardised at all.
        #expect(failure.value?.count == 41)
        #expect(found.count == 1, "\(found.map(\.rule))")
        #expect(record(source, [field: value]).values[source.entity.fieldIndex(field)!] == nil)
    }

    @Test func valuesAtTheirLimitPass() {
        #expect(failures(["first_name": String(repeating: "a", count: 256), "city": String(repeating: "b", count: 1_024)]).isEmpty)
        #expect(failures([:], key: String(repeating: "K", count: 256)).isEmpty)
    }

    @Test func aKeyOverItsLimitIsHeld() {
        let found = failures([:], key: String(repeating: "K", count: 5_000))
        #expect(found.map(\.rule) == [BuiltInRule.tooLong])
        #expect(found.first?.field == RuleFieldName.sourceKey)
        #expect(found.first?.message == "the key is 5,000 bytes long; the limit for a key is 256 bytes")
    }

    @Test(arguments: [
        ("\u{200B}", "ZERO WIDTH SPACE", "<U+200B>"),
        ("C0000001\u{200B}", "ZERO WIDTH SPACE", "C0000001<U+200B>"),
        ("\u{FEFF}C1", "ZERO WIDTH NO-BREAK SPACE", "<U+FEFF>C1"),
        ("C\u{00AD}1", "SOFT HYPHEN", "C<U+00AD>1"),
        ("C\u{2060}1", "WORD JOINER", "C<U+2060>1"),
        ("C\u{202E}1", "RIGHT-TO-LEFT OVERRIDE", "C<U+202E>1"),
        ("C\u{00A0}1", "NO-BREAK SPACE", "C<U+00A0>1"),
        ("C\u{3164}1", "HANGUL FILLER", "C<U+3164>1"),
        ("C\u{0007}1", "a control character", "C<U+0007>1"),
    ])
    func aKeyWithAnInvisibleCharacterIsHeld(key: String, name: String, shown: String) {
        let found = failures([:], key: key)
        #expect(found.map(\.rule) == [BuiltInRule.invisibleKey])
        #expect(found.first?.message.contains("'\(shown)'") == true, "\(found.first?.message ?? "")")
        #expect(found.first?.message.contains(name) == true, "\(found.first?.message ?? "")")
    }

    @Test(arguments: ["C0000001", "Zoë-7", "名前42", "C 1", "a\u{0308}", "O'Brien#12"])
    func visibleKeysPass(key: String) {
        #expect(failures([:], key: key).isEmpty)
    }

    @Test func invisibleCharactersAreFoundAtTheirPosition() {
        #expect(TextNormalization.firstInvisible(in: "C0000001") == nil)
        #expect(TextNormalization.firstInvisible(in: "Zoë") == nil)
        let found = TextNormalization.firstInvisible(in: "ab\u{200D}c")
        #expect(found?.scalar == "\u{200D}")
        #expect(found?.position == 3)
    }

    /// `last_name = "+SUM(1+1)"` is not a name: the standardiser drops it, and the row must not reach
    /// silver without the last name its rule requires.
    @Test func aRequiredValueTheStandardiserDropsFailsTheRequiredRule() throws {
        let required = RuleDefinition(name: "need_last", dataset: source.name, check: .required(fields: ["last_name"]))
        let found = failures(["last_name": "+SUM(1+1)"], rules: [required])
        let failure = try #require(found.first { $0.rule == "need_last" })
        #expect(failure.severity == .error)
        #expect(failure.field == "last_name")
        #expect(failure.message.contains("last_name '+SUM(1+1)' is empty once standardised"), "\(failure.message)")
        #expect(failures(["last_name": "Scott"], rules: [required]).isEmpty)
    }

    /// A format rule at least as severe already reports the dropped value: no second failure for it. A
    /// weaker one (a warning) does not keep the row out of silver, so the required rule still fails.
    @Test func aFormatRuleAsSevereReportsTheDroppedValueAlone() {
        let required = RuleDefinition(name: "need_email", dataset: source.name, check: .required(fields: ["email"]))
        let format = RuleDefinition(name: "email_ok", dataset: source.name, check: .format(field: "email", format: .email))
        let warnFormat = RuleDefinition(
            name: "email_ok", dataset: source.name, check: .format(field: "email", format: .email), severity: .warn)
        #expect(failures(["email": "jane@@example"], rules: [required, format]).map(\.rule) == ["email_ok"])
        #expect(failures(["email": "jane@@example"], rules: [required, warnFormat]).map(\.rule) == ["need_email", "email_ok"])
    }
}

/// Decimal numbers are read strictly: what `Double(_:)` accepts but no source means is refused.
struct DecimalNumberTests {
    @Test(arguments: [
        ("12", 12.0), ("12.50", 12.5), ("-3.25", -3.25), ("+7", 7), (".5", 0.5), ("3.", 3), ("1e3", 1000),
        ("2.5E-4", 0.000_25), ("0", 0), ("-0.000", 0), ("0e-500", 0), ("1e-300", 1e-300),
    ])
    func decimalsAreRead(text: String, value: Double) {
        #expect(DecimalNumber.standardize(text).value == value)
    }

    @Test(arguments: [
        ("0x10", "hexadecimal"), ("-0X1p3", "hexadecimal"), ("-1e-400", "too small a number to store (it would become 0)"),
        ("1e-400", "too small"), ("1e400", "too large"), ("inf", "not a number"),
        ("nan", "not a number"), ("1,5", "not a number"), ("1e", "not a number"), ("-", "not a number"), ("1_000", "not a number"),
        ("١٢", "not a number"),
    ])
    func oddNumbersAreRefusedWithTheirReason(text: String, reason: String) {
        let failure = DecimalNumber.standardize(text).failure
        #expect(failure?.reason.contains(reason) == true, "\(text): \(failure?.reason ?? "accepted")")
    }

    @Test func anOrderAmountOfHexadecimalFailsTheDecimalFormat() {
        let orders = SourceConfiguration(
            name: "orders", system: "crm", entity: .order, format: .csv, path: "in/*.csv", primaryKey: "id",
            mapping: ["amount": "amount"])
        let rule = RuleDefinition(name: "amount_ok", dataset: "orders", check: .format(field: "amount", format: .decimal))
        let validator = RecordValidator(source: orders, rules: [rule])
        let standardizer = RecordStandardizer(source: orders, defaultCountry: "GB")
        var ledger = UniquenessLedger()
        for amount in ["0x10", "-1e-400"] {
            let standardized = standardizer.standardize(sourceKey: "O1", raw: [nil, nil, amount, nil, nil])
            #expect(standardized.values[2] == nil)
            let found = validator.validate(standardized, line: 2, environment: ValidationEnvironment(today: "2026-01-01"), ledger: &ledger)
            #expect(found.map(\.rule) == ["amount_ok"], "\(amount)")
        }
    }
}

import CDPCore
import Foundation
import Testing

struct PIIMaskerTests {
    @Test(arguments: [
        ("jane.doe@example.com", PIIKind.email, "j***@e******.com"),
        ("bob@mail.co", .email, "b***@m***.co"),
        ("+441632960123", .phone, "+44 *** *** 123"),
        ("+353871234567", .phone, "+353 *** *** 567"),
        ("+15551234567", .phone, "+1 *** *** 567"),
        ("01632 960123", .phone, "*** *** 123"),
        ("Mary Ann", .name, "M*** A***"),
        ("1975-05-06", .birthDate, "****-**-**"),
        ("10 Downing St", .address, "1* D****** S*"),
        ("", .email, ""),
    ])
    func masksKeepTheShapeButNotTheValue(raw: String, kind: PIIKind, masked: String) {
        #expect(PIIMasker.mask(raw, as: kind) == masked)
    }

    /// Masking a masked value changes nothing: the team store's masked views hand the engine masked values, which
    /// the engine masks again (a phone number once lost its last digits that way).
    @Test(arguments: [
        ("jane.doe@example.com", PIIKind.email), ("+441632960123", .phone), ("01632 960123", .phone), ("12345", .phone),
        ("Mary Ann", .name), ("1975-05-06", .birthDate), ("10 Downing St", .address), ("Y7734521K", .other),
    ])
    func maskingAMaskedValueChangesNothing(raw: String, kind: PIIKind) {
        let masked = PIIMasker.mask(raw, as: kind)
        #expect(masked != raw)
        #expect(PIIMasker.mask(masked, as: kind) == masked)
    }

    @Test func onlyTaggedColumnsAreMaskedAndNoneMasksNothing() {
        let masker = PIIMasker(columns: ["email": .email, "contact_email": .email])
        #expect(masker.value("a@b.com", column: "email") == "a***@b.com")
        #expect(masker.value("a@b.com", column: "Contact_Email") == "a***@b.com")
        #expect(masker.value("Galway", column: "city") == "Galway")
        #expect(PIIMasker.none.value("a@b.com", column: "email") == "a@b.com")
        #expect(!PIIMasker.none.isActive)
    }

    @Test func sourceColumnsMappedOntoPersonalFieldsAreMaskedToo() {
        let source = SourceConfiguration(
            name: "m", system: "marketing", entity: .customer, format: .jsonl, path: "x", primaryKey: "id",
            mapping: ["email": "mail_address", "birth_date": "birthday", "city": "town"])
        let columns = PIIMasker.defaultColumns(for: [source])
        #expect(columns["mail_address"] == .email)
        #expect(columns["birthday"] == .birthDate)
        #expect(columns["town"] == nil)
    }

    @Test func freeTextLosesTheRecordsValuesAndFieldAssignments() {
        let masker = PIIMasker(columns: PIIMasker.canonicalPersonalFields)
        let known = masker.personalValues(["email": "bob at example.com", "city": "Leeds"])
        #expect(masker.scrub("not a valid email: 'bob at example.com' has no '@'", knownValues: known)
            == "not a valid email: 'b** a* e**********' has no '@'")
        #expect(masker.scrub("email=jane@example.com, city=Leeds → passes", knownValues: [])
            == "email=j***@e******.com, city=Leeds → passes")
    }

    @Test func jsonDocumentsAreMaskedInside() throws {
        let masker = PIIMasker(columns: PIIMasker.canonicalPersonalFields)
        let fields = try #require(masker.json(#"{"email":"jane@example.com","city":"Leeds"}"#))
        #expect(fields == #"{"city":"Leeds","email":"j***@e******.com"}"#)
        let attributes = try #require(masker.json(#"[{"name":"phone","value":"+441632960123","rule":"most_recent"}]"#))
        #expect(attributes.contains(#""value":"+44 *** *** 123""#))
        #expect(masker.json("not json") == nil)
    }

    @Test func everythingUnderAPersonalKeyIsMaskedWhateverItsJSONType() throws {
        let masker = PIIMasker(columns: PIIMasker.canonicalPersonalFields)
        let masked = try #require(masker.json(#"{"email":["pilar@x.es"],"phone":34669443380,"Email ":"a@bc.de","city":"Leeds"}"#))
        #expect(!masked.contains("pilar@x.es"))
        #expect(!masked.contains("34669443380"))
        #expect(!masked.contains("a@bc.de"))
        #expect(masked.contains(#""city":"Leeds""#))
        let nested = try #require(masker.json(#"{"email":{"work":"jane@example.com"}}"#))
        #expect(nested == #"{"email":{"work":"j***@e******.com"}}"#)
        let pair = try #require(masker.json(#"[{"name":" phone","value":34669443380}]"#))
        #expect(!pair.contains("34669443380"))
    }

    /// A held record keeps an extra attribute as the field `attributes.<name>`: masked as the attribute is, in its
    /// fields, in a failure about it and in a fix's audit row (attack 11, F2).
    @Test func aHeldRecordsExtraAttributeIsMaskedAsTheAttributeIs() throws {
        let masker = PIIMasker(columns: ["email": .email, "national_id": .other])
        let id = "NI249523B"
        #expect(masker.fields(["attributes.national_id": id])["attributes.national_id"] == PIIMasker.mask(id, as: .other))
        #expect(masker.fields(["Attributes.National_ID": id])["Attributes.National_ID"] == PIIMasker.mask(id, as: .other))
        let fields = try #require(masker.json(#"{"attributes.national_id":"NI249523B","attributes.plan":"gold"}"#))
        #expect(!fields.contains("249523") && fields.contains(#""attributes.plan":"gold""#), "\(fields)")
        let failure = try #require(
            masker.json(#"[{"field":"attributes.national_id","value":"NI249523B","message":"'NI249523B' is too long"}]"#))
        #expect(!failure.contains("249523"), "\(failure)")
        // An attribute the dictionary leaves untagged stays as it is.
        #expect(masker.kind(ofColumn: "attributes.plan") == nil)
    }

    @Test func auditRowsWithNonTextValuesAreMaskedToo() {
        let masker = PIIMasker(columns: PIIMasker.canonicalPersonalFields)
        let fix = AuditEntry(
            id: AuditEntryID(1), at: "t", actor: "sam", action: "quarantine.fix", target: "Q1",
            before: #"{"phone":34669443380,"attempt":2}"#, after: #"{"email":["bob@example.com"]}"#, reason: nil,
            previousHash: "", hash: "")
        let masked = masker.auditEntry(fix)
        #expect(masked.before?.contains("34669443380") == false)
        #expect(masked.before?.contains(#""attempt":2"#) == true)
        #expect(masked.after == #"{"email":["b***@e******.com"]}"#)
    }

    @Test func auditRowsAreMaskedByKeyOrAttribute() {
        let masker = PIIMasker(columns: PIIMasker.canonicalPersonalFields)
        let fix = AuditEntry(
            id: AuditEntryID(1), at: "t", actor: "sam", action: "quarantine.fix", target: "Q1",
            before: #"{"email":"bob at example.com"}"#, after: #"{"email":"bob@example.com"}"#, reason: nil,
            previousHash: "", hash: "")
        #expect(masker.auditEntry(fix).after == #"{"email":"b***@e******.com"}"#)
        let override = AuditEntry(
            id: AuditEntryID(2), at: "t", actor: "sam", action: "golden.override", target: "G3.phone",
            before: "+441632960123", after: "+441632960999", reason: nil, previousHash: "", hash: "")
        #expect(masker.auditEntry(override).after == "+44 *** *** 999")
    }

    /// An audit row's hashes are SHA-256 over its real values with the other fields shown: hashing guesses of a masked
    /// birth date against them found it in 80,000 tries. Without view_pii they are withheld.
    @Test func auditRowHashesAreWithheld() {
        let masker = PIIMasker(columns: PIIMasker.canonicalPersonalFields)
        let fix = AuditEntry(
            id: AuditEntryID(12), at: "t", actor: "sam", action: "quarantine.fix", target: "Q6",
            before: #"{"birth_date":"1971-04-31"}"#, after: #"{"birth_date":"1971-04-30"}"#, reason: nil,
            previousHash: "ab12", hash: "cd34")
        let masked = masker.auditEntry(fix)
        #expect(masked.hash == PIIMasker.withheldText && masked.previousHash == PIIMasker.withheldText)
        #expect(PIIMasker.none.auditEntry(fix).hash == "cd34")
    }

    /// A rule's explanation of a personal value tells what the mask hides (the day and month of a birth date, a
    /// phone's length); without view_pii a failure says what failed, not why, in records and in JSON documents alike.
    @Test func failureMessagesAboutPersonalValuesKeepOnlyWhatFailed() throws {
        let masker = PIIMasker(columns: PIIMasker.canonicalPersonalFields)
        let failure = RuleFailure(
            rule: "birth_date_valid", field: "birth_date", value: "1969-02-30",
            message: "not a valid date: '1969-02-30' is not a valid date: day 30 does not exist in February (it has 28 days)", severity: .error)
        let missing = RuleFailure(rule: "customer_required", field: "email", value: nil, message: "email is required", severity: .error)
        let other = RuleFailure(rule: "country_known", field: "country", value: "XX", message: "unknown country: 'XX'", severity: .warn)
        let record = QuarantineRecord(
            id: QuarantineID(1), bronzeRow: BronzeRowID(1), batch: BatchID(1), run: nil, source: "crm", entity: .customer,
            sourceKey: "C1", line: 2, status: .open, fields: ["birth_date": "1969-02-30", "country": "XX"],
            failures: [failure, missing, other], createdAt: "t", updatedAt: "t")
        let masked = masker.record(record)
        #expect(masked.failures.map(\.message) == ["not a valid date: \(PIIMasker.withheldText)", "email is required", "unknown country: 'XX'"])
        // Masking a masked record again changes nothing (the team store's views mask before the engine does).
        #expect(masker.record(masked).failures.map(\.message) == masked.failures.map(\.message))
        var plausible = record
        plausible.failures = [RuleFailure(rule: "birth_date_plausible", field: "birth_date", value: "1850-01-01", message: "1850-01-01 is below the minimum 1900-01-01", severity: .error)]
        let once = masker.record(plausible)
        #expect(once.failures.map(\.message) == [PIIMasker.withheldText])
        #expect(masker.record(once).failures.map(\.message) == [PIIMasker.withheldText])
        let json = try #require(masker.json(#"[{"field":"birth_date","value":"1969-02-30","message":"\#(failure.message)"}]"#))
        #expect(!json.contains("February") && !json.contains("day 30") && json.contains("not a valid date"), "\(json)")
    }
}

struct AccessPolicyTests {
    let policy = AccessPolicy(
        roles: AccessPolicy.standardRoles, users: ["sam": "steward", "ana": "analyst"], defaultRole: "viewer")

    @Test func usersGetTheirRolesPermissionsAndStrangersTheDefault() {
        #expect(policy.principal("sam").may(.decideMerges))
        #expect(!policy.principal("sam").may(.actAsOthers))
        #expect(!policy.principal("ana").may(.viewPII))
        #expect(policy.principal("zoe").role == "viewer")
        #expect(policy.principal("zoe").permissions.isEmpty)
        let closed = AccessPolicy(roles: AccessPolicy.standardRoles, users: [:], defaultRole: nil)
        #expect(closed.principal("zoe").role == nil)
        #expect(closed.principal("zoe").permissions.isEmpty)
    }

    @Test func rolesGrantingAPermissionAreListedForMessages() {
        #expect(policy.roles(granting: .remediateQuarantine) == ["admin", "steward"])
        #expect(policy.roles(granting: .actAsOthers) == ["admin"])
    }

    @Test func unknownRolesAreProblems() {
        let broken = AccessPolicy(roles: ["admin": []], users: ["sam": "stewart"], defaultRole: "guest")
        #expect(broken.problems().map(\.description) == [
            "users.sam: role 'stewart' is not declared (roles: admin)",
            "default_role: role 'guest' is not declared (roles: admin)",
        ])
    }
}

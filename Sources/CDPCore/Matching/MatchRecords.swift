/// A customer record as the matcher receives it: standardised silver values, as text.
public struct MatchInput: Sendable, Hashable, Codable {
    public var source: SourceName
    public var sourceKey: String
    public var firstName: String?
    public var lastName: String?
    public var email: String?
    public var phone: String?
    /// ISO `yyyy-MM-dd`.
    public var birthDate: String?
    public var street: String?
    public var city: String?
    public var postcode: String?
    public var country: String?
    /// The CRM key another source carries for this person.
    public var crmCustomerID: String?
    /// ISO timestamp, for "most recent" survivorship.
    public var updatedAt: String?
    /// Extra attributes a source maps beyond the canonical model (`soc_sec_id` → value).
    public var attributes: [String: String]

    public init(
        source: SourceName, sourceKey: String, firstName: String? = nil, lastName: String? = nil, email: String? = nil,
        phone: String? = nil, birthDate: String? = nil, street: String? = nil, city: String? = nil, postcode: String? = nil,
        country: String? = nil, crmCustomerID: String? = nil, updatedAt: String? = nil, attributes: [String: String] = [:]
    ) {
        self.attributes = attributes
        self.source = source
        self.sourceKey = sourceKey
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.birthDate = birthDate
        self.street = street
        self.city = city
        self.postcode = postcode
        self.country = country
        self.crmCustomerID = crmCustomerID
        self.updatedAt = updatedAt
    }
}

/// Identifies a source record across runs: its source and primary key.
public struct SourceRecordID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var source: SourceName
    public var key: String
    public init(source: SourceName, key: String) {
        self.source = source
        self.key = key
    }

    /// `crm_customers:C0000001`.
    public var description: String { "\(source):\(key)" }

    /// Parses `source:key`.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else { return nil }
        source = SourceName(String(text[..<colon]))
        key = String(text[text.index(after: colon)...])
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.source, lhs.key) < (rhs.source, rhs.key) }
}

/// Every record to match, column by column, with the keys and normalised forms comparisons need.
public struct MatchRecords: Sendable {
    public let sources: [SourceName]
    /// Per record, its index in `sources`.
    public let sourceIndex: [UInt8]
    public let keys: [String]

    // Values as standardised in silver (what golden records show).
    public let firstName: InternedColumn
    public let lastName: InternedColumn
    public let email: InternedColumn
    public let phone: InternedColumn
    public let birthDate: InternedColumn
    public let street: InternedColumn
    public let city: InternedColumn
    public let postcode: InternedColumn
    public let country: InternedColumn
    public let crmCustomerID: InternedColumn
    public let updatedAt: InternedColumn
    /// The extra attributes read (sorted by name), and per attribute its folded form (lower-case letters and
    /// digits): what comparisons, blocking keys and hard identifiers on `attributes.<name>` read.
    public let attributeNames: [String]
    public let attributeKeys: [InternedColumn]

    // Forms for comparing and blocking.
    /// Folded (lower-case letters only) first name.
    public let firstKey: InternedColumn
    /// The first name's formal form ("bob" → "robert").
    public let firstCanonical: InternedColumn
    public let lastKey: InternedColumn
    public let lastPhonetic: InternedColumn
    public let emailLocalPart: InternedColumn
    public let postcodeKey: InternedColumn
    public let cityKey: InternedColumn
    /// Lower-case letters and digits of the street line (`62 Main Street` → `62mainstreet`).
    public let streetKey: InternedColumn
    /// The last seven digits of the E.164 phone (a number re-typed with another prefix still blocks together).
    public let phoneLastDigits: InternedColumn
    /// Per record, its folded last name as an id of `firstKey` (the same text as a first name), or
    /// `InternedColumn.missing` when no record has it as a first name: two records hold swapped names
    /// when each one's first name id is the other's `lastNameAsFirst`.
    public let lastNameAsFirst: [Int32]
    /// Per record, days since 1970-01-01, or `Int32.min`.
    public let birthDays: [Int32]
    /// Per birth-date value id, the date.
    public let birthDates: [LocalDate?]

    public var count: Int { keys.count }

    public func id(of record: Int) -> SourceRecordID { SourceRecordID(source: sources[Int(sourceIndex[record])], key: keys[record]) }

    public init(_ inputs: some Sequence<MatchInput>) {
        let inputs = Array(inputs)
        var builder = Builder(attributeNames: Set(inputs.flatMap(\.attributes.keys)).sorted())
        for input in inputs { builder.append(input) }
        self.init(builder)
    }

    /// Collects records one by one, so a caller can stream them from a database without holding them twice.
    public struct Builder {
        var sources: [SourceName] = []
        var sourceLookup: [SourceName: UInt8] = [:]
        var sourceIndex: [UInt8] = []
        var keys: [String] = []
        var first = InternedColumn.Builder(), last = InternedColumn.Builder(), email = InternedColumn.Builder()
        var phone = InternedColumn.Builder(), birth = InternedColumn.Builder(), street = InternedColumn.Builder()
        var city = InternedColumn.Builder(), postcode = InternedColumn.Builder(), country = InternedColumn.Builder()
        var crm = InternedColumn.Builder(), updated = InternedColumn.Builder()
        let attributeNames: [String]
        var attributes: [InternedColumn.Builder]

        /// - Parameter attributeNames: the extra attributes to keep, sorted.
        public init(attributeNames: [String] = []) {
            self.attributeNames = attributeNames
            attributes = attributeNames.map { _ in InternedColumn.Builder() }
        }

        public mutating func append(_ input: MatchInput) {
            let index: UInt8
            if let known = sourceLookup[input.source] {
                index = known
            } else {
                index = UInt8(truncatingIfNeeded: sources.count)
                sourceLookup[input.source] = index
                sources.append(input.source)
            }
            sourceIndex.append(index)
            keys.append(input.sourceKey)
            first.append(input.firstName)
            last.append(input.lastName)
            email.append(input.email)
            phone.append(input.phone)
            birth.append(input.birthDate)
            street.append(input.street)
            city.append(input.city)
            postcode.append(input.postcode)
            country.append(input.country)
            crm.append(input.crmCustomerID)
            updated.append(input.updatedAt)
            for (index, name) in attributeNames.enumerated() { attributes[index].append(input.attributes[name]) }
        }
    }

    public init(_ builder: Builder) {
        let base = [
            builder.first, builder.last, builder.email, builder.phone, builder.birth, builder.street, builder.city, builder.postcode,
            builder.country, builder.crm, builder.updated,
        ].map { $0.build() }
        self.init(
            sources: builder.sources, sourceIndex: builder.sourceIndex, keys: builder.keys, base: base,
            attributeNames: builder.attributeNames, attributes: builder.attributes.map { $0.build() }, threads: 1)
    }

    /// Records as the store reads them, column by column: values are interned and the derived forms
    /// computed on `threads` threads (each column is independent, so the result is the same on any number).
    /// Each text column is let go as soon as it is interned, so the texts and the records built from them are not
    /// all held at once (at a million records the texts alone are over half a gigabyte).
    public init(_ columns: consuming MatchColumns, threads: Int = 2) {
        // [keys, the silver columns, the attributes]; this array holds the only reference to each.
        var texts = columns.takeTextColumns()
        let valueColumns = texts.count - 1
        var base = [InternedColumn](repeating: InternedColumn(), count: valueColumns)
        var keys: [String] = []
        // The biggest columns first, so two threads finish together.
        let order = (1..<texts.count).sorted { texts[$0].bytes.count > texts[$1].bytes.count }
        base.withUnsafeMutableBufferPointer { output in
            let output = SharedOutput(output)
            texts.withUnsafeMutableBufferPointer { texts in
                let texts = SharedOutput(texts)
                withUnsafeMutablePointer(to: &keys) { keysPointer in
                    let keysOutput = SharedOutput(UnsafeMutableBufferPointer(start: keysPointer, count: 1))
                    Parallel.forEachTask(count: valueColumns + 1, threads: threads) { task in
                        if task == 0 {
                            keysOutput[0] = Self.strings(texts[0])
                            texts[0] = TextColumn()
                        } else {
                            let index = order[task - 1]
                            output[index - 1] = InternedColumn(interning: texts[index])
                            texts[index] = TextColumn()
                        }
                    }
                }
            }
        }
        self.init(
            sources: columns.sources, sourceIndex: columns.sourceIndex, keys: keys, base: Array(base[..<11]),
            attributeNames: columns.attributeNames, attributes: Array(base[11...]), threads: threads)
    }

    /// Each value as a string, cut at a NUL byte as GRDB reads text.
    static func strings(_ column: TextColumn) -> [String] {
        column.bytes.withUnsafeBufferPointer { bytes in
            (0..<column.count).map { record in
                var value = UnsafeBufferPointer(rebasing: bytes[Int(column.offsets[record])..<Int(column.offsets[record + 1])])
                if let nul = value.firstIndex(of: 0) { value = UnsafeBufferPointer(rebasing: value[..<nul]) }
                return String(decoding: value, as: UTF8.self)
            }
        }
    }

    /// `base` holds the silver columns in `MatchColumns` order; the forms for comparing and blocking are derived here.
    private init(
        sources: [SourceName], sourceIndex: [UInt8], keys: [String], base: [InternedColumn], attributeNames: [String],
        attributes: [InternedColumn], threads: Int
    ) {
        self.attributeNames = attributeNames
        // Attributes are few and their values short: folded on this thread.
        attributeKeys = attributes.map { $0.derivedBytes(Self.streetKey) }
        self.sources = sources
        self.sourceIndex = sourceIndex
        self.keys = keys
        firstName = base[0]
        lastName = base[1]
        email = base[2]
        phone = base[3]
        birthDate = base[4]
        street = base[5]
        city = base[6]
        postcode = base[7]
        country = base[8]
        crmCustomerID = base[9]
        updatedAt = base[10]

        let firstName = self.firstName, lastName = self.lastName, email = self.email, phone = self.phone
        let postcode = self.postcode, city = self.city, birthDate = self.birthDate, street = self.street
        // Each task derives its own columns; slots: firstKey, firstCanonical, lastKey, lastPhonetic,
        // emailLocalPart, postcodeKey, cityKey, phoneLastDigits, streetKey.
        var derived = [InternedColumn](repeating: InternedColumn(), count: 9)
        var dates: [LocalDate?] = []
        var days: [Int32] = []
        derived.withUnsafeMutableBufferPointer { output in
            let output = SharedOutput(output)
            withUnsafeMutablePointer(to: &dates) { datesPointer in
                withUnsafeMutablePointer(to: &days) { daysPointer in
                    let datesOutput = SharedOutput(UnsafeMutableBufferPointer(start: datesPointer, count: 1))
                    let daysOutput = SharedOutput(UnsafeMutableBufferPointer(start: daysPointer, count: 1))
                    Parallel.forEachTask(count: 7, threads: threads) { task in
                        switch task {
                        case 0:
                            // A first name such as `Mary-Kate` or `John "Jack"` compares on its first word.
                            let key = firstName.derived { name in
                                let word = name.split(whereSeparator: { $0 == " " || $0 == "\"" }).first.map(String.init) ?? name
                                return PersonName.foldedKey(word)
                            }
                            output[0] = key
                            output[1] = key.derived { Nicknames.canonical($0) }
                        case 1:
                            output[2] = lastName.derived { PersonName.foldedKey($0) }
                            output[6] = city.derived { PersonName.foldedKey($0) }
                        case 2: output[3] = lastName.derived { PhoneticCode.metaphone($0) }
                        case 3: output[4] = email.derivedBytes(Self.emailLocalPart)
                        case 4:
                            output[5] = postcode.derivedBytes(Self.postcodeKey)
                            output[8] = street.derivedBytes(Self.streetKey)
                        case 5: output[7] = phone.derivedBytes(Self.lastSevenDigits)
                        default:
                            let parsed = birthDate.values.map { LocalDate(isoText: $0) }
                            datesOutput[0] = parsed
                            daysOutput[0] = birthDate.ids.map { id in
                                guard id != InternedColumn.missing, let date = parsed[Int(id)] else { return Int32.min }
                                return Int32(date.daysSinceEpoch)
                            }
                        }
                    }
                }
            }
        }
        firstKey = derived[0]
        firstCanonical = derived[1]
        lastKey = derived[2]
        lastPhonetic = derived[3]
        emailLocalPart = derived[4]
        postcodeKey = derived[5]
        cityKey = derived[6]
        phoneLastDigits = derived[7]
        streetKey = derived[8]
        birthDates = dates
        birthDays = days
        lastNameAsFirst = Self.lastNamesAsFirst(firstKey: derived[0], lastKey: derived[2])
    }

    /// The folded values of extra attribute `name`, or a column with every value missing when no record was
    /// read with it.
    public func attributeKey(_ name: String) -> InternedColumn {
        if let index = attributeNames.firstIndex(of: name) { return attributeKeys[index] }
        var builder = InternedColumn.Builder()
        for _ in 0..<count { builder.append(nil) }
        return builder.build()
    }

    /// Per record, the id in `firstKey` of its folded last name (see `lastNameAsFirst`).
    static func lastNamesAsFirst(firstKey: InternedColumn, lastKey: InternedColumn) -> [Int32] {
        var firstIDs: [String: Int32] = [:]
        firstIDs.reserveCapacity(firstKey.values.count)
        for (id, value) in firstKey.values.enumerated() { firstIDs[value] = Int32(id) }
        let byLastID = lastKey.values.map { firstIDs[$0] ?? InternedColumn.missing }
        return lastKey.ids.map { $0 == InternedColumn.missing ? InternedColumn.missing : byLastID[Int($0)] }
    }
}

/// Every current customer's silver values, column by column, as the store reads them for matching.
public struct MatchColumns: Sendable {
    public var sources: [SourceName] = []
    /// Per record, its index in `sources`.
    public var sourceIndex: [UInt8] = []
    public var keys = TextColumn()
    public var firstName = TextColumn(), lastName = TextColumn(), email = TextColumn(), phone = TextColumn()
    public var birthDate = TextColumn(), street = TextColumn(), city = TextColumn(), postcode = TextColumn()
    public var country = TextColumn(), crmCustomerID = TextColumn(), updatedAt = TextColumn()
    /// The extra attributes read, and per attribute its values (as `silver_customer.attributes` holds them).
    public var attributeNames: [String] = []
    public var attributes: [TextColumn] = []

    public init() {}

    public var count: Int { sourceIndex.count }

    /// The index of the source with this UTF-8 name, added if new.
    public mutating func sourceIndex(of name: UnsafeBufferPointer<UInt8>) -> UInt8 {
        for (index, source) in sourceNames.enumerated() where source.elementsEqual(name) { return UInt8(truncatingIfNeeded: index) }
        sources.append(SourceName(String(decoding: name, as: UTF8.self)))
        sourceNames.append(Array(name))
        return UInt8(truncatingIfNeeded: sources.count - 1)
    }

    /// `sources` as UTF-8, for comparing with names read as bytes.
    var sourceNames: [[UInt8]] = []

    /// The text columns — `keys`, the silver columns in declaration order, then `attributes` — leaving these empty,
    /// so that whoever takes them can let each one go once it is read.
    mutating func takeTextColumns() -> [TextColumn] {
        defer {
            keys = TextColumn()
            (firstName, lastName, email, phone) = (TextColumn(), TextColumn(), TextColumn(), TextColumn())
            (birthDate, street, city, postcode) = (TextColumn(), TextColumn(), TextColumn(), TextColumn())
            (country, crmCustomerID, updatedAt) = (TextColumn(), TextColumn(), TextColumn())
            attributes = attributes.map { _ in TextColumn() }
        }
        return [keys, firstName, lastName, email, phone, birthDate, street, city, postcode, country, crmCustomerID, updatedAt] + attributes
    }

    /// Puts back text columns in `takeTextColumns`' order.
    mutating func putTextColumns(_ texts: [TextColumn]) {
        keys = texts[0]
        (firstName, lastName, email, phone) = (texts[1], texts[2], texts[3], texts[4])
        (birthDate, street, city, postcode) = (texts[5], texts[6], texts[7], texts[8])
        (country, crmCustomerID, updatedAt) = (texts[9], texts[10], texts[11])
        attributes = Array(texts[12...])
    }
}

extension MatchRecords {
    // Byte-level forms: these run once per distinct value, and there are about as many emails and phones
    // as records, so they avoid Character processing.

    /// The local part without dots or a `+tag` (`jane.doe+shop@x` → `janedoe`): sub-addresses and dots do
    /// not change the person.
    static func emailLocalPart(_ address: String) -> String? {
        var address = address
        guard address.utf8.contains(UInt8(ascii: "@")) else { return nil }
        return address.withUTF8 { bytes in text { emailLocalPart(bytes, into: &$0) } }
    }

    static func emailLocalPart(_ address: UnsafeBufferPointer<UInt8>, into local: inout [UInt8]) {
        guard let at = address.lastIndex(of: UInt8(ascii: "@")) else { return }
        for byte in address[..<at] {
            if byte == UInt8(ascii: "+") { break }
            if byte != UInt8(ascii: ".") { local.append(byte) }
        }
    }

    /// Upper-case letters and digits only (`ls1 3pg` → `LS13PG`).
    static func postcodeKey(_ code: String) -> String {
        var code = code
        return code.withUTF8 { bytes in text { postcodeKey(bytes, into: &$0) } }
    }

    static func postcodeKey(_ code: UnsafeBufferPointer<UInt8>, into key: inout [UInt8]) {
        for byte in code {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"): key.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): key.append(byte - 32)
            case 0x80...:
                key.removeAll()
                key += String(String(decoding: code, as: UTF8.self).uppercased().filter { $0.isLetter || $0.isNumber }).utf8
                return
            default: continue
            }
        }
    }

    static func streetKey(_ street: UnsafeBufferPointer<UInt8>, into key: inout [UInt8]) {
        for byte in street {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"): key.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): key.append(byte + 32)
            case 0x80...:
                key.removeAll()
                key += String(String(decoding: street, as: UTF8.self).lowercased().filter { $0.isLetter || $0.isNumber }).utf8
                return
            default: continue
            }
        }
    }

    /// The last seven digits, or nil for fewer.
    static func lastSevenDigits(_ number: String) -> String? {
        var number = number
        let digits = number.withUTF8 { bytes in text { lastSevenDigits(bytes, into: &$0) } }
        return digits.isEmpty ? nil : digits
    }

    static func lastSevenDigits(_ number: UnsafeBufferPointer<UInt8>, into digits: inout [UInt8]) {
        var count = 0
        for byte in number where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { count += 1 }
        guard count >= 7 else { return }
        var skip = count - 7
        for byte in number where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            if skip > 0 { skip -= 1 } else { digits.append(byte) }
        }
    }

    private static func text(_ write: (inout [UInt8]) -> Void) -> String {
        var bytes: [UInt8] = []
        write(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension LocalDate {
    /// Parses `yyyy-MM-dd`; nil for anything else.
    public init?(isoText text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else { return nil }
        self.init(year: year, month: month, day: day)
    }
}

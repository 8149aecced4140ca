import Testing

@testable import CDPCore

@Suite struct MatchingClusterTests {
    typealias Edge = Clusterer.Edge

    @Test func aChainIsCutAtItsWeakestLink() {
        // 0–1–2–3–4: connected components would make one person of five. Density 4/10 < 0.5: the weakest
        // link (3–4) goes; 0…3 has 3 of 6 pairs linked, dense enough.
        let edges = [Edge(0, 1, weight: 9), Edge(1, 2, weight: 8), Edge(2, 3, weight: 7), Edge(3, 4, weight: 1)]
        let labels = Clusterer(maxSize: 8, minDensity: 0.5).cluster(count: 5, edges: edges)
        #expect(labels == [0, 0, 0, 0, 4])
    }

    @Test func twoTrianglesJoinedByOneEdgeStayTwoPeople() {
        var edges = [Edge(0, 1, weight: 10), Edge(1, 2, weight: 10), Edge(0, 2, weight: 10)]
        edges += [Edge(3, 4, weight: 10), Edge(4, 5, weight: 10), Edge(3, 5, weight: 10)]
        edges.append(Edge(2, 3, weight: 5))
        let labels = Clusterer(maxSize: 8, minDensity: 0.5).cluster(count: 6, edges: edges)
        #expect(labels == [0, 0, 0, 3, 3, 3])
    }

    @Test func noClusterGrowsPastTheCap() {
        // A star of ten around record 0, strongest edges first: the cap keeps the first four.
        let edges = (1..<10).map { Edge(0, Int32($0), weight: Double(20 - $0)) }
        let labels = Clusterer(maxSize: 4, minDensity: 0).cluster(count: 10, edges: edges)
        #expect(labels == [0, 0, 0, 0, 4, 5, 6, 7, 8, 9])
    }

    @Test func aCannotLinkKeepsClustersApart() {
        let edges = [Edge(0, 1, weight: 9), Edge(1, 2, weight: 8)]
        let labels = Clusterer(maxSize: 8, minDensity: 0).cluster(count: 3, edges: edges, cannotLink: [(2, 0)])
        #expect(labels == [0, 0, 2])
    }

    @Test func evaluationCountsPairsAndExactClusters() {
        // Truth: {0,1,2} {3} {4,5}. Predicted: {0,1} {2,3} {4,5}.
        let evaluation = MatchEvaluation(predicted: [0, 0, 2, 2, 4, 4], truth: [7, 7, 7, 8, 9, 9])
        #expect(evaluation.truePairs == 4)
        #expect(evaluation.predictedPairs == 3)
        #expect(evaluation.correctPairs == 2)
        #expect(abs(evaluation.pairPrecision - 2.0 / 3) < 1e-12)
        #expect(abs(evaluation.pairRecall - 0.5) < 1e-12)
        #expect(evaluation.exactClusters == 1)
        #expect(abs(evaluation.clusterPrecision - 1.0 / 3) < 1e-12)
        #expect(evaluation.largestCluster == 2)
    }

    /// Unmatched records split their entities: the ceiling is the cluster F1 of the best clustering of the matched
    /// records, worked out here by hand and, as an oracle, by evaluating that best clustering itself.
    @Test func clusterF1CeilingIsWhatTheBestClusteringOfTheMatchedRecordsReaches() {
        // Entities: 1 = {r0, r1, one unmatched}, 2 = {r2, r3}, 3 = {one unmatched}, 4 = {two unmatched}; r4 is not in
        // the truth. The best clustering: {r0, r1} {r2, r3}; exact: entity 2 and entity 3's lone record, of 6 predicted
        // clusters and 4 true ones.
        let truth: [Int32?] = [1, 1, 2, 2, nil]
        let unmatched: [Int32] = [1, 3, 4, 4]
        let best = MatchEvaluation(predicted: [0, 0, 2, 2, 4], truth: truth, unmatched: unmatched)
        let precision = 2.0 / 6, recall = 2.0 / 4
        #expect(abs(best.clusterF1Ceiling - 2 * precision * recall / (precision + recall)) < 1e-12)
        #expect(abs(best.clusterF1 - best.clusterF1Ceiling) < 1e-12)
        // A worse clustering of the same records keeps the same ceiling.
        let worse = MatchEvaluation(predicted: [0, 1, 2, 2, 4], truth: truth, unmatched: unmatched)
        #expect(worse.clusterF1 < worse.clusterF1Ceiling)
        #expect(worse.clusterF1Ceiling == best.clusterF1Ceiling)
        // With every record matched, the ceiling is 1.
        #expect(MatchEvaluation(predicted: [0, 0, 2, 2, 4], truth: truth).clusterF1Ceiling == 1)
    }

    @Test func goldenIDsStayWithTheBiggerShare() {
        // Previous: records 0,1,2 were G5; 3 was G6. Now {0,1,2,4} grew, {3} unchanged, {5} is new.
        let grown = GoldenIDAssignment.assign(clusters: [[0, 1, 2, 4], [3], [5]], previous: { [5, 5, 5, 6][safe: $0] }, nextID: 7)
        #expect(grown == [5, 6, 7])
        // G5 splits into {0} and {1,2}: the part with more of its records keeps G5.
        let split = GoldenIDAssignment.assign(clusters: [[0], [1, 2]], previous: { [5, 5, 5][safe: $0] }, nextID: 7)
        #expect(split == [7, 5])
        // G5 {0,1} and G6 {2} merge: the larger keeps its id; G6 is no longer used.
        let merged = GoldenIDAssignment.assign(clusters: [[0, 1, 2]], previous: { [5, 5, 6][safe: $0] }, nextID: 7)
        #expect(merged == [5])
    }

    @Test func survivorshipRecordsWhereEachValueCameFrom() {
        let records = MatchRecords([
            MatchInput(source: "crm", sourceKey: "C1", firstName: "Robert", email: "old@example.com", phone: "+441111111111", updatedAt: "2020-01-01T00:00:00Z"),
            MatchInput(source: "web", sourceKey: "W1", firstName: "Bob", email: "new@example.com", street: "1 Long Street Name", updatedAt: "2024-01-01T00:00:00Z"),
            MatchInput(source: "web", sourceKey: "W2", firstName: "Bob", street: "1 Long St", updatedAt: "2023-01-01T00:00:00Z"),
        ])
        let policy = SurvivorshipPolicy(
            sourceOrder: ["crm", "web"], rules: ["first_name": .mostFrequent, "email": .mostRecent, "street": .mostComplete], defaultRule: .sourceOrder)
        let attributes = Survivorship(policy: policy, records: records).goldenAttributes([0, 1, 2], overrides: ["phone": "+442222222222"])
        let byName = Dictionary(uniqueKeysWithValues: attributes.map { ($0.name, $0) })
        #expect(byName["first_name"] == GoldenAttribute(name: "first_name", value: "Bob", source: SourceRecordID(source: "web", key: "W1"), rule: "most_frequent"))
        #expect(byName["email"] == GoldenAttribute(name: "email", value: "new@example.com", source: SourceRecordID(source: "web", key: "W1"), rule: "most_recent"))
        #expect(byName["street"]?.value == "1 Long Street Name")
        #expect(byName["phone"] == GoldenAttribute(name: "phone", value: "+442222222222", source: nil, rule: "override"))
        #expect(byName["birth_date"] == nil)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

@Suite struct MatchingConflictTests {
    @Test func conflictingBirthDatesAreNeverJoinedExceptByAStewardsApproval() {
        let day = { (text: String) in Int32(LocalDate(isoText: text)!.daysSinceEpoch) }
        // 0 and 1 share an email (strong link) but were born years apart; 2 is 0's swapped-day record.
        let births = [day("1953-12-06"), day("1947-03-22"), day("1953-06-12"), Int32.min]
        let edges = [Clusterer.Edge(0, 1, weight: 1000), Clusterer.Edge(0, 2, weight: 50), Clusterer.Edge(1, 3, weight: 40)]
        var clusterer = Clusterer(maxSize: 8, minDensity: 0, birthDays: births)
        clusterer.identifierWeight = 1000
        #expect(clusterer.cluster(count: 4, edges: edges) == [0, 1, 0, 1])
        // The approval joins 1 and 2 despite their dates; 0 still conflicts with that cluster.
        #expect(clusterer.cluster(count: 4, edges: edges + [Clusterer.Edge(1, 2, weight: .infinity)]) == [0, 1, 1, 1])
    }
}

extension MatchingConflictTests {
    /// Dates a score weighed do not veto it; a link no score weighed, or a date of another member, still does.
    @Test func aScoredJoinIsNotVetoedByTheDatesItWeighed() {
        let day = { (text: String) in Int32(LocalDate(isoText: text)!.daysSinceEpoch) }
        // 0–1: scored above auto-merge though born years apart (every other field agreed) → joined.
        // 2–3: the same dates, linked by an identifier no score weighed → kept apart.
        // 4–5 joined, then 6 (born as 5, scored with 5 only) would bring 4's conflicting date → kept apart.
        let births = [day("1953-12-06"), day("1947-03-22"), day("1953-12-06"), day("1947-03-22"), day("1953-12-06"), Int32.min, day("1980-01-01")]
        var clusterer = Clusterer(maxSize: 8, minDensity: 0, birthDays: births)
        clusterer.identifierWeight = 1000
        let edges = [Clusterer.Edge(0, 1, weight: 30), Clusterer.Edge(2, 3, weight: 1000), Clusterer.Edge(4, 5, weight: 40), Clusterer.Edge(5, 6, weight: 30)]
        #expect(clusterer.cluster(count: 7, edges: edges) == [0, 0, 2, 3, 4, 4, 6])
    }

    @Test func differentPhonesVetoAScoredJoinOnlyWhenBirthDatesCannotVouch() {
        let born = Int32(LocalDate(isoText: "1970-05-01")!.daysSinceEpoch)
        // 0–1: scored above auto-merge, one birth date missing, phones differ → kept apart.
        // 2–3: both born the same day, phones differ (a new number) → joined.
        // 4–5: as 0–1 but linked by a shared email (an identifier link): a changed number does not undo it.
        // 6–7: linked by an email but born years apart → kept apart all the same.
        let births = [born, Int32.min, born, born, born, Int32.min, born, born + 4000]
        let phones: [Int32] = [1, 2, 3, 4, 5, 6, 7, 8]
        var clusterer = Clusterer(maxSize: 8, minDensity: 0, birthDays: births, phoneIDs: phones)
        clusterer.identifierWeight = 1000
        let edges = [
            Clusterer.Edge(0, 1, weight: 30), Clusterer.Edge(2, 3, weight: 30), Clusterer.Edge(4, 5, weight: 1000), Clusterer.Edge(6, 7, weight: 1000),
        ]
        #expect(clusterer.cluster(count: 8, edges: edges) == [0, 1, 2, 2, 4, 4, 6, 7])
    }
}

extension MatchingConflictTests {
    /// A shared landline or family inbox links two members of one family: the link is not taken, a score is.
    @Test func aLinkBetweenTwoMembersOfOneFamilyIsNotTaken() {
        // Records 0 and 1 are family members (say, one surname and unrelated first names), so are 2 and 3.
        let family: Set<UInt64> = [0 << 32 | 1, 2 << 32 | 3]
        var clusterer = Clusterer(maxSize: 8, minDensity: 0)
        clusterer.identifierWeight = 1000
        clusterer.familyMembersDiffer = { a, b in family.contains(UInt64(min(a, b)) << 32 | UInt64(max(a, b))) }
        // 0–1 linked by a shared phone: kept apart. 2–3 scored above auto-merge: joined (the score weighed the
        // names). 4–5 linked and not family: joined. 0–1 approved by a steward: joined.
        let edges = [Clusterer.Edge(0, 1, weight: 1000), Clusterer.Edge(2, 3, weight: 30), Clusterer.Edge(4, 5, weight: 1000)]
        #expect(clusterer.cluster(count: 6, edges: edges) == [0, 1, 2, 2, 4, 4])
        #expect(clusterer.cluster(count: 6, edges: edges + [Clusterer.Edge(0, 1, weight: .infinity)]) == [0, 0, 2, 2, 4, 4])
    }

    @Test func familyMembersAreOneSurnameAndUnrelatedFirstNames() {
        let records = MatchRecords([
            MatchInput(source: "a", sourceKey: "1", firstName: "Pilar", lastName: "Gil"),
            MatchInput(source: "a", sourceKey: "2", firstName: "Valentina", lastName: "Gil"),
            MatchInput(source: "a", sourceKey: "3", firstName: "Pilar", lastName: "Gil"),
            MatchInput(source: "a", sourceKey: "4", firstName: "Valentina", lastName: "Ruiz"),
        ])
        let comparisons = [
            Comparison(name: "first", tag: "FIRST", field: .firstName, levels: [.init(.null), .init(.exact), .init(.jaroWinkler, threshold: 0.8), .init(.else)]),
            Comparison(name: "last", tag: "LAST", field: .lastName, levels: [.init(.null), .init(.exact), .init(.else)]),
        ]
        let family = MatchPipeline.familyCheck(PairComparator(comparisons: comparisons, records: records))
        #expect(family?(0, 1) == true)
        #expect(family?(0, 2) == false)  // one person
        #expect(family?(1, 3) == false)  // another surname
        #expect(family?(0, 3) == false)
        #expect(MatchPipeline.familyCheck(PairComparator(comparisons: [comparisons[0]], records: records)) == nil)
    }

    /// Households are typed by hand: a surname one typo or a close spelling apart is still one family's name
    /// (a shared landline between Pilar Gil and Valentina Gill is the household's), a sound-alike or a looser
    /// likeness is not, and a comparison without a close level knows only the exact name.
    @Test func aSurnameOneTypoApartIsStillOneFamily() {
        let records = MatchRecords([
            MatchInput(source: "a", sourceKey: "1", firstName: "Pilar", lastName: "Gil"),
            MatchInput(source: "a", sourceKey: "2", firstName: "Valentina", lastName: "Gill"),
            MatchInput(source: "a", sourceKey: "3", firstName: "Valentina", lastName: "Gil"),
            MatchInput(source: "a", sourceKey: "4", firstName: "Valentina", lastName: "Gilmore"),
            MatchInput(source: "a", sourceKey: "5", firstName: "Pilar", lastName: "Gill"),
        ])
        let first = Comparison(
            name: "first", tag: "FIRST", field: .firstName, levels: [.init(.null), .init(.exact), .init(.jaroWinkler, threshold: 0.8), .init(.else)])
        let shippedLevels: [ComparisonLevel] = [
            .init(.null), .init(.exact), .init(.namesSwapped), .init(.jaroWinkler, threshold: 0.92), .init(.phonetic),
            .init(.jaroWinkler, threshold: 0.80), .init(.else),
        ]
        let last = Comparison(name: "last", tag: "LAST", field: .lastName, levels: shippedLevels)
        #expect(last.familyNameLevels == 0b1010, "exact and Jaro-Winkler ≥ 0.92, nothing looser")
        let family = MatchPipeline.familyCheck(PairComparator(comparisons: [first, last], records: records))
        #expect(family?(0, 1) == true)  // Gil and Gill: one typo
        #expect(family?(0, 2) == true)
        #expect(family?(0, 3) == false)  // Gil and Gilmore: Jaro-Winkler 0.87, another family
        #expect(family?(0, 4) == false)  // Pilar Gil and Pilar Gill: one person with a typo
        let exactOnly = Comparison(name: "last", tag: "LAST", field: .lastName, levels: [.init(.null), .init(.exact), .init(.jaroWinkler, threshold: 0.8), .init(.else)])
        #expect(MatchPipeline.familyCheck(PairComparator(comparisons: [first, exactOnly], records: records))?(0, 1) == false)
        let oneEdit = Comparison(
            name: "last", tag: "LAST", field: .lastName, levels: [.init(.null), .init(.exact), .init(.levenshtein, threshold: 1), .init(.levenshtein, threshold: 2), .init(.else)])
        #expect(oneEdit.familyNameLevels == 0b110)
        #expect(Comparison(name: "last", tag: "LAST", field: .lastName, levels: [.init(.null), .init(.phonetic), .init(.else)]).familyNameLevels == 0)
    }
}

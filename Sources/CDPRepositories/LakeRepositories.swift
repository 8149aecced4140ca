/// One lake's repositories, a protocol per feature: everything the engine reads and writes goes through
/// these. A store (the embedded SQLite lake, a team store) makes one bundle when it opens; an implementation
/// may serve several features from one connection pool.
public struct LakeRepositories: Sendable {
    public var runs: any RunRepository
    public var batches: any BatchRepository
    public var audit: any AuditRepository
    public var accessPolicy: any AccessPolicyRepository
    public var dictionary: any DictionaryRepository
    public var quarantine: any QuarantineRepository
    public var status: any StatusRepository
    public var customer360: any Customer360Repository
    public var matching: any MatchingRepository
    public var gold: any GoldRepository
    public var query: any QueryRepository
    public var workClaims: any WorkClaimRepository
    public var changes: any ChangeFeedRepository

    public init(
        runs: any RunRepository, batches: any BatchRepository, audit: any AuditRepository, accessPolicy: any AccessPolicyRepository,
        dictionary: any DictionaryRepository, quarantine: any QuarantineRepository, status: any StatusRepository,
        customer360: any Customer360Repository, matching: any MatchingRepository, gold: any GoldRepository,
        query: any QueryRepository, workClaims: any WorkClaimRepository, changes: any ChangeFeedRepository
    ) {
        self.runs = runs
        self.batches = batches
        self.audit = audit
        self.accessPolicy = accessPolicy
        self.dictionary = dictionary
        self.quarantine = quarantine
        self.status = status
        self.customer360 = customer360
        self.matching = matching
        self.gold = gold
        self.query = query
        self.workClaims = workClaims
        self.changes = changes
    }
}

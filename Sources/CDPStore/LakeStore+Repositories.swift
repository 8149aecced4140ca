import CDPRepositories

extension LakeStore {
    /// This lake as the engine uses it: one repository per feature, all served by this store's connections.
    public var repositories: LakeRepositories {
        LakeRepositories(
            runs: self, batches: self, audit: self, accessPolicy: self, dictionary: self, quarantine: self, status: self, customer360: self,
            matching: self, gold: self, query: self, workClaims: self, changes: self)
    }
}

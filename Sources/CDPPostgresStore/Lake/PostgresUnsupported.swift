import CDPCore
import CDPRepositories

/// The features a workspace on the team store does not have yet: every call refuses with `StoreError.unsupported`
/// naming the feature, the commands it serves and what to do, and reads or writes nothing (an empty answer would
/// read as an empty lake).
enum PostgresUnsupported {
    static func refusal(_ feature: String, commands: String) -> StoreError {
        StoreError(
            .unsupported,
            "\(feature) is not served by the team store yet, so \(commands) cannot run on a workspace whose cdp.toml names a store. "
                + "Run them on an embedded workspace (`cdp init W --from …` without --store); see README, \"Team store\", for what works on the store")
    }
}

import CDPCore

/// One recorded version of the access file.
public struct AccessPolicyVersion: Sendable, Hashable, Codable {
    public var id: Int64
    public var recordedAt: String
    /// The OS user whose command noticed or restored this version.
    public var recordedBy: String
    /// `recorded` (first seen), `changed` (seen with another hash than the last), `restored` (written back).
    public var event: String
    public var sha256: String
    public var text: String

    public init(id: Int64, recordedAt: String, recordedBy: String, event: String, sha256: String, text: String) {
        self.id = id
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
        self.event = event
        self.sha256 = sha256
        self.text = text
    }
}

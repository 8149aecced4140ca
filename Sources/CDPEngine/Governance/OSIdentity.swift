import Foundation

/// Who the process runs as, as the kernel says: the real user id and its name in the user database.
///
/// Like PostgreSQL's peer authentication, identity never comes from the environment (`$USER`, `$LOGNAME`),
/// which anyone can set for a child process. `--as` is the one way to act as someone else, and it needs
/// the `act_as` permission of the user the kernel names.
public struct OSIdentity: Sendable, Hashable, CustomStringConvertible {
    public var uid: UInt32
    /// The name `governance/access.toml` knows the user by.
    public var user: String

    public init(uid: UInt32, user: String) {
        self.uid = uid
        self.user = user
    }

    /// The process's real user: `getuid()`, named by `getpwuid_r`. A uid the user database does not know
    /// is named `uid:<n>`, which no role lists unless an administrator writes it so.
    public static var current: OSIdentity {
        let uid = getuid()
        return OSIdentity(uid: uid, user: userName(of: uid) ?? "uid:\(uid)")
    }

    /// The name of a user id in the user database, or nil.
    public static func userName(of uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        let status = getpwuid_r(uid, &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let name = entry.pw_name else { return nil }
        let text = String(cString: name)
        return text.isEmpty ? nil : text
    }

    /// `ann (uid 1000)`.
    public var description: String { "\(user) (uid \(uid))" }
}

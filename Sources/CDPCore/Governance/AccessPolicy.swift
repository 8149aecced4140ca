/// Who may do what: roles with their permissions and users with their role, as declared in
/// `governance/access.toml`. Pure data; the engine enforces it.
public struct AccessPolicy: Hashable, Codable, Sendable {
    /// Role name → its permissions.
    public var roles: [String: Set<Permission>]
    /// User name → role name.
    public var users: [String: String]
    /// The role of a user the policy does not name; `nil` refuses unknown users everything.
    public var defaultRole: String?

    public init(roles: [String: Set<Permission>], users: [String: String], defaultRole: String?) {
        self.roles = roles
        self.users = users
        self.defaultRole = defaultRole
    }

    /// The four roles every workspace starts with.
    public static let standardRoles: [String: Set<Permission>] = [
        "admin": Set(Permission.allCases),
        "steward": [.viewPII, .remediateQuarantine, .decideMerges, .editDictionary, .runWorkflows],
        "analyst": [.runWorkflows],
        "viewer": [],
    ]

    /// The policy of a workspace without `governance/access.toml`: everyone is an admin, as in a
    /// single-user lake before anyone set up access.
    public static let unrestricted = AccessPolicy(roles: standardRoles, users: [:], defaultRole: "admin")

    /// The principal a user acts as under this policy.
    public func principal(_ user: String) -> Principal {
        let role = users[user] ?? defaultRole
        return Principal(user: user, role: role, permissions: role.flatMap { roles[$0] } ?? [])
    }

    /// Roles that grant a permission, sorted, for "who may" hints.
    public func roles(granting permission: Permission) -> [String] {
        roles.filter { $0.value.contains(permission) }.map(\.key).sorted()
    }

    /// Every inconsistency: users with an unknown role, an unknown default role; each names its setting.
    public func problems() -> [ConfigurationIssue] {
        var problems: [ConfigurationIssue] = []
        for (user, role) in users.sorted(by: { $0.key < $1.key }) where roles[role] == nil {
            problems.append(ConfigurationIssue("users.\(user)", "role '\(role)' is not declared (roles: \(roles.keys.sorted().joined(separator: ", ")))"))
        }
        if let defaultRole, roles[defaultRole] == nil {
            problems.append(ConfigurationIssue("default_role", "role '\(defaultRole)' is not declared (roles: \(roles.keys.sorted().joined(separator: ", ")))"))
        }
        return problems
    }
}

/// A user with the role and permissions a policy gives them.
public struct Principal: Hashable, Codable, Sendable, CustomStringConvertible {
    public var user: String
    /// `nil` when the policy names no role for the user and has no default.
    public var role: String?
    public var permissions: Set<Permission>

    public init(user: String, role: String?, permissions: Set<Permission>) {
        self.user = user
        self.role = role
        self.permissions = permissions
    }

    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// `sam (steward)`.
    public var description: String { "\(user) (\(role ?? "no role"))" }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension PostgresSettings {
    /// Over a Unix socket, whoever made the socket file listens on it. A socket proves who the server is only when
    /// that is an account a server runs as — this user's own, root, a system account (below `UID_MIN`, as Debian's
    /// `postgres`), or the one the address names with `requirepeer` — and no one else can put another socket in its
    /// place: the folder is root's, that account's or this user's, and everyone may write into it only when it is
    /// sticky (as /tmp is). Another user's socket in /tmp asked for SCRAM first and for the password in clear text at
    /// the next login (attack 12, F5).
    /// - Throws: `.connection` naming the socket's owner and what to do, before a password is sent.
    func checkSocketServer() throws(PostgresStoreError) {
        guard let path = socketPath else { return }
        var socket = stat()
        var folder = stat()
        let folderPath = (path as NSString).deletingLastPathComponent
        guard lstat(path, &socket) == 0, stat(folderPath, &folder) == 0 else {
            throw PostgresStoreError(.connection, "cannot log in to \(self): \(path) cannot be read (\(String(cString: strerror(errno))))")
        }
        let required = try requiredPeer.map { name throws(PostgresStoreError) -> uid_t in
            guard let entry = getpwnam(name) else {
                throw PostgresStoreError(.invalidSettings, "requirepeer '\(name)' names no account of this machine")
            }
            return entry.pointee.pw_uid
        }
        let trust = Self.socketTrust(
            isSocket: socket.st_mode & S_IFMT == S_IFSOCK, socketOwner: socket.st_uid, folderOwner: folder.st_uid,
            folderMode: folder.st_mode, me: getuid(), requiredPeer: required, firstUserID: Self.firstUserID())
        guard let problem = trust else { return }
        throw PostgresStoreError(
            .connection,
            "cannot log in to \(self): the server asked for a password, and cdp sends one over a Unix socket only when the socket "
                + "proves who listens: \(problem). Name the account the server runs as with requirepeer=ACCOUNT in the address, "
                + "or use a socket folder that only the server's account (or root) may write into, such as \(Self.defaultSocketFolder)")
    }

    /// Why a socket does not prove who listens; nil when it does (``checkSocketServer()``).
    static func socketTrust(
        isSocket: Bool, socketOwner: uid_t, folderOwner: uid_t, folderMode: mode_t, me: uid_t, requiredPeer: uid_t?, firstUserID: uid_t
    ) -> String? {
        guard isSocket else { return "it is not a socket (a link, or a file of another kind)" }
        let owner = accountName(socketOwner)
        if let requiredPeer {
            if socketOwner != requiredPeer { return "it belongs to \(owner), not to \(accountName(requiredPeer)), whom requirepeer names" }
        } else if socketOwner != me, socketOwner != 0, socketOwner >= firstUserID {
            return "it belongs to \(owner), a person's account, not this user, root or a system account such as postgres"
        }
        if folderOwner != 0, folderOwner != socketOwner, folderOwner != me {
            return "its folder belongs to \(accountName(folderOwner)), who could put another socket in its place"
        }
        // Its group may (Debian's /var/run/postgresql is the postgres group's); everyone only in a sticky folder.
        if folderMode & S_IWOTH != 0, folderMode & S_ISVTX == 0 {
            return "everyone may write into its folder, which is not sticky, so anyone could put another socket in its place"
        }
        return nil
    }

    /// The first user id of a person's account: `UID_MIN` of /etc/login.defs, else 1000 (Debian's).
    static func firstUserID() -> uid_t {
        guard let text = try? String(contentsOfFile: "/etc/login.defs", encoding: .utf8) else { return 1000 }
        for line in text.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            if words.count >= 2, words[0] == "UID_MIN", let value = UInt32(words[1]) { return value }
        }
        return 1000
    }

    private static func accountName(_ uid: uid_t) -> String {
        getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "uid \(uid)"
    }
}

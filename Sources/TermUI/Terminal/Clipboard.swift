/// Putting text on the system clipboard through the terminal: the OSC 52 escape sequence, which xterm, tmux (with
/// `set-clipboard on`), iTerm2, kitty, WezTerm and Windows Terminal honour, locally and over ssh.
public enum Clipboard {
    /// `ESC ] 52 ; c ; <base64 of text> BEL`.
    public static func osc52(_ text: String) -> String {
        "\u{1B}]52;c;\(base64(Array(text.utf8)))\u{07}"
    }

    /// Standard base64 with padding (RFC 4648), for the sequence (TermUI depends on nothing, Foundation included).
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let a = bytes[index], b = index + 1 < bytes.count ? bytes[index + 1] : 0, c = index + 2 < bytes.count ? bytes[index + 2] : 0
            let triple = UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : "=")
            out.append(index + 2 < bytes.count ? alphabet[Int(triple & 63)] : "=")
            index += 3
        }
        return out
    }
}

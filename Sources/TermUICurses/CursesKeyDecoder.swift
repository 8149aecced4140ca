import CNcurses
import TermUI

/// Turns curses key codes into ``KeyEvent``s.
enum CursesKeyDecoder {
    /// A code from `wget_wch` returning OK (a character).
    static func character(_ code: Int32) -> KeyEvent? {
        switch code {
        case 9: return KeyEvent(.tab)
        case 10, 13: return KeyEvent(.enter)
        case 8, 127: return KeyEvent(.backspace)
        case 27: return KeyEvent(.escape)
        case 0: return KeyEvent(.char(" "), ctrl: true)
        case 1...26:
            guard let scalar = Unicode.Scalar(UInt32(code) + 96) else { return nil }
            return KeyEvent(.char(Character(scalar)), ctrl: true)
        case 28...31:
            // Ctrl-\ ] ^ _
            guard let scalar = Unicode.Scalar(UInt32(code) + 64) else { return nil }
            return KeyEvent(.char(Character(scalar)), ctrl: true)
        default:
            guard code > 0, let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
            return KeyEvent(.char(Character(scalar)))
        }
    }

    /// A code from `wget_wch` returning KEY_CODE_YES (a function key).
    static func functionKey(_ code: Int32) -> KeyEvent? {
        switch code {
        case cdp_key_up(): return KeyEvent(.up)
        case cdp_key_down(): return KeyEvent(.down)
        case cdp_key_left(): return KeyEvent(.left)
        case cdp_key_right(): return KeyEvent(.right)
        case cdp_key_home(): return KeyEvent(.home)
        case cdp_key_end(): return KeyEvent(.end)
        case cdp_key_npage(): return KeyEvent(.pageDown)
        case cdp_key_ppage(): return KeyEvent(.pageUp)
        case cdp_key_dc(): return KeyEvent(.delete)
        case cdp_key_ic(): return KeyEvent(.insert)
        case cdp_key_btab(): return KeyEvent(.backTab)
        case cdp_key_backspace(): return KeyEvent(.backspace)
        case cdp_key_enter(): return KeyEvent(.enter)
        case (cdp_key_f0() + 1)...(cdp_key_f0() + 63): return KeyEvent(.function(Int(code - cdp_key_f0())))
        default: return nil
        }
    }
}

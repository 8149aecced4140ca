/// A terminal colour: the terminal's default, one of the 16 ANSI colours, a 256-colour index or 24-bit RGB.
///
/// Backends that cannot show a colour exactly map it with ``downsampled(to:)``.
public enum Color: Sendable, Hashable {
    /// The terminal's own foreground or background.
    case `default`
    /// One of the 16 ANSI colours, 0–15 (8–15 are the bright variants). Larger values are taken modulo 16.
    case ansi(UInt8)
    /// An xterm 256-colour palette index.
    case indexed(UInt8)
    /// A 24-bit colour.
    case rgb(UInt8, UInt8, UInt8)

    public static let black = Color.ansi(0)
    public static let red = Color.ansi(1)
    public static let green = Color.ansi(2)
    public static let yellow = Color.ansi(3)
    public static let blue = Color.ansi(4)
    public static let magenta = Color.ansi(5)
    public static let cyan = Color.ansi(6)
    public static let white = Color.ansi(7)
    public static let brightBlack = Color.ansi(8)
    public static let brightRed = Color.ansi(9)
    public static let brightGreen = Color.ansi(10)
    public static let brightYellow = Color.ansi(11)
    public static let brightBlue = Color.ansi(12)
    public static let brightMagenta = Color.ansi(13)
    public static let brightCyan = Color.ansi(14)
    public static let brightWhite = Color.ansi(15)

    /// The 16 ANSI colour names, in palette order.
    public static let ansiNames: [String] = [
        "black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
        "brightBlack", "brightRed", "brightGreen", "brightYellow",
        "brightBlue", "brightMagenta", "brightCyan", "brightWhite",
    ]

    /// Parses `#rrggbb` (the `#` is optional, case-insensitive). Returns nil for anything else.
    public init?(hex: String) {
        var digits = Substring(hex)
        if digits.hasPrefix("#") { digits = digits.dropFirst() }
        guard digits.count == 6, digits.allSatisfy(\.isHexDigit),
            let value = UInt32(digits, radix: 16)
        else { return nil }
        self = .rgb(UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
    }

    /// Parses one of the 16 ANSI names ("red", "bright-red", "brightRed", "bright_red"), "gray"/"grey"
    /// (bright black) or "default". Case-insensitive. Returns nil for anything else.
    public init?(name: String) {
        let key = name.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }
        if key == "default" {
            self = .default
            return
        }
        if key == "gray" || key == "grey" {
            self = .ansi(8)
            return
        }
        guard let index = Color.ansiNames.firstIndex(where: { $0.lowercased() == key }) else { return nil }
        self = .ansi(UInt8(index))
    }

    /// The colour as 24-bit RGB using xterm's default palette; nil for `.default`.
    public var rgbComponents: (red: UInt8, green: UInt8, blue: UInt8)? {
        switch self {
        case .default:
            return nil
        case .ansi(let index):
            let rgb = ColorPalette.ansiRGB[Int(index % 16)]
            return (rgb.0, rgb.1, rgb.2)
        case .indexed(let index):
            let rgb = ColorPalette.rgb(ofIndex: index)
            return (rgb.0, rgb.1, rgb.2)
        case .rgb(let r, let g, let b):
            return (r, g, b)
        }
    }
}

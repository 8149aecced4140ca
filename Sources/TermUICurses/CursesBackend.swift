import CNcurses
import TermUI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A ``TerminalBackend`` on ncursesw: the only code in the project that talks to curses.
///
/// Creating one takes over the terminal (alternate screen, raw input, hidden cursor). Always give
/// it back with ``restore()`` — also on error paths — or use ``withCursesTerminal(_:)``, which does
/// it for you even when the body throws; `deinit` restores as a last resort. Call
/// ``installSignalHandlers()`` once so SIGINT/SIGTERM restore the terminal before exiting.
///
/// In raw mode (the default) Ctrl-C, Ctrl-Z and Ctrl-\ arrive as key events rather than signals,
/// so the application decides what they do. Use one backend at a time, on one thread.
public final class CursesBackend: TerminalBackend {
    /// The palette colours are mapped into, from `COLORS` (monochrome without `has_colors()`).
    public let palette: ColorPalette
    /// Whether the terminal's own default colours can be used (`use_default_colors()` succeeded).
    public let hasDefaultColors: Bool
    private let screen: OpaquePointer
    private let window: UnsafeMutablePointer<WINDOW>
    private var isActive = true
    private var pairs: [PairKey: Int32] = [:]
    private var nextPair: Int32 = 1
    private let maxPairs: Int32

    private struct PairKey: Hashable {
        var fg: Int32
        var bg: Int32
    }

    /// Takes over the terminal.
    /// - Parameters:
    ///   - rawMode: true for raw input (Ctrl-C is a key); false for cbreak (Ctrl-C is SIGINT).
    ///   - mouse: report clicks and the wheel as `.mouse` events. While on, the terminal's own
    ///     text selection needs Shift held down.
    /// - Throws: ``CursesError`` with `.terminalUnavailable` when curses cannot start (no tty,
    ///   unknown TERM).
    public init(rawMode: Bool = true, mouse: Bool = false) throws {
        setlocale(LC_ALL, "")
        guard let screen = cdp_newterm(), let window = cdp_stdscr() else {
            throw CursesError(
                code: .terminalUnavailable,
                message: "Cannot start the terminal UI: curses could not initialise the terminal (is stdout a terminal, and does TERM name a known terminal?)")
        }
        self.screen = screen
        self.window = window
        if rawMode { raw() } else { cbreak() }
        noecho()
        nonl()
        keypad(window, true)
        _ = cdp_set_escdelay(25)
        curs_set(0)
        leaveok(window, false)

        var palette = ColorPalette.monochrome
        var defaults = false
        if has_colors() {
            start_color()
            defaults = use_default_colors() == OK
            palette = ColorPalette(colorCount: Int(cdp_colors()))
            if palette == .trueColor { palette = .indexed256 }
        }
        self.palette = palette
        self.hasDefaultColors = defaults
        self.maxPairs = max(0, min(cdp_color_pairs(), 65_536) - 1)
        if mouse {
            mousemask(CursesMouseDecoder.wantedEvents, nil)
            // Report presses and releases as they happen instead of waiting to build clicks.
            mouseinterval(0)
        }
    }

    deinit {
        restore()
        delscreen(screen)
    }

    /// Gives the terminal back (endwin). Safe to call more than once; drawing again (``flush()``)
    /// takes the terminal over again.
    public func restore() {
        guard isActive else { return }
        isActive = false
        curs_set(1)
        endwin()
    }

    // MARK: - TerminalBackend

    public func size() -> Size {
        Size(width: Int(cdp_max_x(window)), height: Int(cdp_max_y(window)))
    }

    public func draw(_ changes: [CellChange]) {
        var cell = cchar_t()
        for change in changes where !change.cell.isContinuation {
            let attributes = attributes(for: change.cell.style)
            let pair = pair(for: change.cell.style)
            if !setCell(&cell, symbol: change.cell.symbol, attributes: attributes, pair: pair) {
                continue
            }
            mvwadd_wch(window, Int32(change.y), Int32(change.x), &cell)
        }
    }

    public func setCursor(x: Int, y: Int) {
        wmove(window, Int32(y), Int32(x))
    }

    public func hideCursor() { curs_set(0) }
    public func showCursor() { curs_set(1) }

    public func clear() {
        wclear(window)
    }

    public func flush() {
        isActive = true
        wrefresh(window)
    }

    /// Writes the OSC 52 sequence straight to the terminal after the screen is up to date: it prints nothing, so
    /// curses' idea of the screen stays right.
    public func copyToClipboard(_ text: String) {
        wrefresh(window)
        let bytes = Array(Clipboard.osc52(text).utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    public func pollEvent(timeoutMilliseconds: Int) -> InputEvent? {
        wtimeout(window, Int32(clamping: max(-1, timeoutMilliseconds)))
        var value: wint_t = 0
        let status = wget_wch(window, &value)
        if status == ERR { return nil }
        let code = Int32(bitPattern: UInt32(value))
        if status == cdp_key_code_yes() {
            if code == cdp_key_resize() { return .resize(size()) }
            if code == cdp_key_mouse() {
                var event = MEVENT()
                guard getmouse(&event) == OK else { return nil }
                return CursesMouseDecoder.decode(event).map(InputEvent.mouse)
            }
            return CursesKeyDecoder.functionKey(code).map(InputEvent.key)
        }
        if code == 27 {
            // Escape alone, or Alt+key when another key is already waiting.
            wtimeout(window, 0)
            var next: wint_t = 0
            let nextStatus = wget_wch(window, &next)
            guard nextStatus != ERR else { return .key(KeyEvent(.escape)) }
            let nextCode = Int32(bitPattern: UInt32(next))
            let inner = nextStatus == cdp_key_code_yes() ? CursesKeyDecoder.functionKey(nextCode) : CursesKeyDecoder.character(nextCode)
            guard var key = inner else { return .key(KeyEvent(.escape)) }
            key.alt = true
            return .key(key)
        }
        return CursesKeyDecoder.character(code).map(InputEvent.key)
    }

    // MARK: - Cells

    private func setCell(_ cell: inout cchar_t, symbol: String, attributes: attr_t, pair: Int32) -> Bool {
        // A grapheme is one spacing character plus up to four combining ones (CCHARW_MAX is 5).
        var scalars = symbol.unicodeScalars.prefix(5).map { wchar_t(bitPattern: $0.value) }
        scalars.append(0)
        if scalars.withUnsafeBufferPointer({ cdp_setcchar(&cell, $0.baseAddress, attributes, pair) }) == OK {
            return true
        }
        // Sequences curses rejects (emoji joined with ZWJ) fall back to their first character.
        guard let first = symbol.unicodeScalars.first else { return false }
        let single: [wchar_t] = [wchar_t(bitPattern: first.value), 0]
        return single.withUnsafeBufferPointer { cdp_setcchar(&cell, $0.baseAddress, attributes, pair) } == OK
    }

    private func attributes(for style: Style) -> attr_t {
        var modifiers = style.modifiers
        if palette == .monochrome && style.bg != .default {
            // Without colours a background is the only sign of a highlight (selected rows,
            // status bars): show it in reverse video instead.
            modifiers.insert(.reverse)
        }
        var result = cdp_a_normal()
        if modifiers.contains(.bold) { result |= cdp_a_bold() }
        if modifiers.contains(.dim) { result |= cdp_a_dim() }
        if modifiers.contains(.italic) { result |= cdp_a_italic() }
        if modifiers.contains(.underline) { result |= cdp_a_underline() }
        if modifiers.contains(.reverse) { result |= cdp_a_reverse() }
        return result
    }

    /// The colour pair for a style, allocated on first use; pair 0 (the default colours) when
    /// colours are off or the pairs have run out.
    private func pair(for style: Style) -> Int32 {
        guard palette != .monochrome else { return 0 }
        let key = PairKey(fg: colorNumber(style.fg, isForeground: true), bg: colorNumber(style.bg, isForeground: false))
        if key.fg == -1 && key.bg == -1 { return 0 }
        if let pair = pairs[key] { return pair }
        guard nextPair <= maxPairs else { return 0 }
        let pair = nextPair
        guard init_extended_pair(pair, key.fg, key.bg) == OK else { return 0 }
        nextPair += 1
        pairs[key] = pair
        return pair
    }

    private func colorNumber(_ color: Color, isForeground: Bool) -> Int32 {
        switch color.downsampled(to: palette) {
        case .default:
            if hasDefaultColors { return -1 }
            return isForeground ? 7 : 0
        case .ansi(let n):
            return Int32(n)
        case .indexed(let n):
            return Int32(n)
        case .rgb(let r, let g, let b):
            // Not reached: the palette is at most 256 colours.
            return Int32(ColorPaletteIndex.nearest256(r, g, b))
        }
    }
}

/// Index lookup for the (unreachable) RGB case, kept total without force unwraps.
enum ColorPaletteIndex {
    static func nearest256(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        if case .indexed(let n) = Color.rgb(r, g, b).downsampled(to: .indexed256) { return n }
        return 7
    }
}

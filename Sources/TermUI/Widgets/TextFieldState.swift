/// The value and cursor of a one-line text editor.
///
/// The cursor is a grapheme index (0...count), so wide characters and combined accents move as
/// one. ``handle(_:)`` covers the usual editing keys.
public struct TextFieldState: Sendable, Hashable {
    public private(set) var characters: [Character]
    /// Grapheme index of the cursor, 0 ... value's character count.
    public private(set) var cursor: Int
    /// First grapheme shown when the value is wider than the field; kept by ``TextField``.
    public var scroll: Int = 0
    /// Maximum number of graphemes, if limited.
    public var maxLength: Int?

    public init(_ value: String = "", maxLength: Int? = nil) {
        self.characters = Array(value)
        self.cursor = characters.count
        self.maxLength = maxLength
    }

    public var value: String {
        get { String(characters) }
        set {
            characters = Array(newValue)
            cursor = characters.count
            scroll = 0
        }
    }

    /// Display columns before the cursor (for placing the terminal cursor).
    public var cursorColumn: Int { TextWidth.of(String(characters[..<cursor])) }

    public mutating func insert(_ character: Character) {
        if let maxLength, characters.count >= maxLength { return }
        characters.insert(character, at: cursor)
        cursor += 1
    }

    public mutating func insert(_ text: String) {
        for character in text { insert(character) }
    }

    public mutating func deleteBackward() {
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    public mutating func deleteForward() {
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Deletes from the cursor back to the start of the previous word (Ctrl-W).
    public mutating func deleteWordBackward() {
        while cursor > 0 && characters[cursor - 1] == " " { deleteBackward() }
        while cursor > 0 && characters[cursor - 1] != " " { deleteBackward() }
    }

    public mutating func moveLeft() { cursor = max(0, cursor - 1) }
    public mutating func moveRight() { cursor = min(characters.count, cursor + 1) }
    public mutating func moveHome() { cursor = 0 }
    public mutating func moveEnd() { cursor = characters.count }

    public mutating func moveCursor(to index: Int) {
        cursor = max(0, min(characters.count, index))
    }

    /// Editing keys: printable characters insert; Backspace, Delete, Left, Right, Home, End,
    /// Ctrl-A/E (home/end), Ctrl-U (clear before cursor), Ctrl-K (clear after), Ctrl-W (word).
    /// Returns whether the key was used.
    public mutating func handle(_ key: KeyEvent) -> Bool {
        if key.ctrl {
            switch key.key {
            case .char("a"): moveHome()
            case .char("e"): moveEnd()
            case .char("u"):
                characters.removeFirst(cursor)
                cursor = 0
            case .char("k"): characters.removeLast(characters.count - cursor)
            case .char("w"): deleteWordBackward()
            default: return false
            }
            return true
        }
        if key.alt { return false }
        switch key.key {
        case .char(let c) where TextWidth.of(c) > 0: insert(c)
        case .backspace: deleteBackward()
        case .delete: deleteForward()
        case .left: moveLeft()
        case .right: moveRight()
        case .home: moveHome()
        case .end: moveEnd()
        default: return false
        }
        return true
    }

    /// Adjusts ``scroll`` so the cursor is visible in a field `width` columns wide.
    mutating func keepCursorVisible(width: Int) {
        guard width > 0 else { return }
        scroll = min(scroll, cursor)
        // The cursor needs one column after the text before it.
        while scroll < cursor && TextWidth.of(String(characters[scroll..<cursor])) + 1 > width {
            scroll += 1
        }
    }
}

/// One row showing a ``TextFieldState``, scrolled horizontally to keep the cursor visible.
/// After rendering, ``cursorPosition(in:state:)`` tells where to put the terminal cursor.
public struct TextField: StatefulWidget, Sendable {
    public var style: Style
    /// Shown (in `placeholderStyle`) while the value is empty.
    public var placeholder: String
    public var placeholderStyle: Style
    /// Show each character as "•" (passwords).
    public var isSecure: Bool

    public init(style: Style = Style(modifiers: .underline), placeholder: String = "", placeholderStyle: Style = Style(modifiers: .dim), isSecure: Bool = false) {
        self.style = style
        self.placeholder = placeholder
        self.placeholderStyle = placeholderStyle
        self.isSecure = isSecure
    }

    public func render(in area: Rect, buffer: inout Buffer, state: inout TextFieldState) {
        guard !area.isEmpty else { return }
        let row = Rect(x: area.x, y: area.y, width: area.width, height: 1)
        buffer.fill(area: row, with: Cell(symbol: " ", style: style))
        state.keepCursorVisible(width: row.width)
        if state.characters.isEmpty {
            buffer.setString(x: row.x, y: row.y, placeholder, style: placeholderStyle, maxWidth: row.width)
            return
        }
        let visible = state.characters[min(state.scroll, state.characters.count)...]
        let text = isSecure ? String(repeating: "•", count: visible.count) : String(visible)
        buffer.setString(x: row.x, y: row.y, text, maxWidth: row.width)
    }

    /// Where the terminal cursor goes for `state` rendered in `area`.
    public func cursorPosition(in area: Rect, state: TextFieldState) -> Position {
        let start = min(state.scroll, state.cursor)
        let before = state.characters[start..<state.cursor]
        let column = isSecure ? before.count : TextWidth.of(String(before))
        return Position(x: area.x + min(column, max(0, area.width - 1)), y: area.y)
    }
}

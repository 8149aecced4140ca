import TermUI

/// Text `cdp` writes for people, with every control character but the line feed replaced by a visible stand-in
/// (␛, ␇, ␍ …). Values from sources, stewards' reasons and the text of refused queries reach the terminal
/// through tables, audit lists and error messages; an escape sequence among them would retitle, recolour or
/// hide the reader's terminal. JSON output (`--json`) and exports stay byte for byte: they are data.
enum TerminalSafeText {
    static func of(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { TextWidth.visible(String($0)) }.joined(separator: "\n")
    }
}

/// Every `print` in `cdp` shows its text through ``TerminalSafeText`` (this shadows the standard library's
/// `print` in this module; `Swift.print` writes raw, as `Output.json` does).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Swift.print(TerminalSafeText.of(items.map { "\($0)" }.joined(separator: separator)), terminator: terminator)
}

import TermUI

extension TableState {
    /// `row 12 of 6,193` for a list's title: where the selection is among `count` rows; nil with no row selected.
    func position(of count: Int) -> String? {
        guard let row = selection.selected, count > 0, row < count else { return nil }
        return "row \(TimeText.count(row + 1)) of \(TimeText.count(count))"
    }
}

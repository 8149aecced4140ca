import CNcurses
import TermUI

/// Turns curses mouse reports into ``MouseEvent``s.
enum CursesMouseDecoder {
    static var wantedEvents: mmask_t {
        cdp_button1_pressed() | cdp_button1_released() | cdp_button2_pressed() | cdp_button2_released()
            | cdp_button3_pressed() | cdp_button3_released() | cdp_button4_pressed() | cdp_button5_pressed()
    }

    static func decode(_ event: MEVENT) -> MouseEvent? {
        let state = event.bstate
        let kind: MouseEvent.Kind
        if state & cdp_button1_pressed() != 0 {
            kind = .press(.left)
        } else if state & cdp_button1_released() != 0 {
            kind = .release(.left)
        } else if state & cdp_button2_pressed() != 0 {
            kind = .press(.middle)
        } else if state & cdp_button2_released() != 0 {
            kind = .release(.middle)
        } else if state & cdp_button3_pressed() != 0 {
            kind = .press(.right)
        } else if state & cdp_button3_released() != 0 {
            kind = .release(.right)
        } else if state & cdp_button4_pressed() != 0 {
            kind = .scrollUp
        } else if state & cdp_button5_pressed() != 0 {
            kind = .scrollDown
        } else {
            return nil
        }
        return MouseEvent(
            kind, x: Int(event.x), y: Int(event.y), ctrl: state & cdp_button_ctrl() != 0,
            alt: state & cdp_button_alt() != 0, shift: state & cdp_button_shift() != 0)
    }
}

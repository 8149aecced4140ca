// Shim for ncursesw: the wide-character API and small wrappers for the macros and mutable
// globals Swift cannot import (function-like macros, attribute bits, stdscr, LINES, COLORS, …).
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <ncursesw/curses.h>

static inline WINDOW *cdp_stdscr(void) { return stdscr; }
static inline int cdp_lines(void) { return LINES; }
static inline int cdp_cols(void) { return COLS; }
static inline int cdp_colors(void) { return COLORS; }
static inline int cdp_color_pairs(void) { return COLOR_PAIRS; }
static inline int cdp_set_escdelay(int ms) { return set_escdelay(ms); }

/// Starts curses on the process's standard streams; NULL when the terminal cannot be used
/// (unlike initscr, which exits the process).
static inline SCREEN *cdp_newterm(void) { return newterm(NULL, stdout, stdin); }

static inline int cdp_max_y(WINDOW *win) { int y, x; getmaxyx(win, y, x); (void)x; return y; }
static inline int cdp_max_x(WINDOW *win) { int y, x; getmaxyx(win, y, x); (void)y; return x; }

static inline attr_t cdp_a_normal(void) { return A_NORMAL; }
static inline attr_t cdp_a_bold(void) { return A_BOLD; }
static inline attr_t cdp_a_dim(void) { return A_DIM; }
static inline attr_t cdp_a_italic(void) { return A_ITALIC; }
static inline attr_t cdp_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cdp_a_reverse(void) { return A_REVERSE; }

/// Builds a cchar_t; the pair goes through the extended-pair argument so pairs above 32767 work.
static inline int cdp_setcchar(cchar_t *cell, const wchar_t *text, attr_t attrs, int pair) {
    return setcchar(cell, text, attrs, (short)(pair > 32767 ? 0 : pair), &pair);
}

static inline int cdp_key_code_yes(void) { return KEY_CODE_YES; }
static inline int cdp_key_down(void) { return KEY_DOWN; }
static inline int cdp_key_up(void) { return KEY_UP; }
static inline int cdp_key_left(void) { return KEY_LEFT; }
static inline int cdp_key_right(void) { return KEY_RIGHT; }
static inline int cdp_key_home(void) { return KEY_HOME; }
static inline int cdp_key_end(void) { return KEY_END; }
static inline int cdp_key_backspace(void) { return KEY_BACKSPACE; }
static inline int cdp_key_f0(void) { return KEY_F0; }
static inline int cdp_key_dc(void) { return KEY_DC; }
static inline int cdp_key_ic(void) { return KEY_IC; }
static inline int cdp_key_npage(void) { return KEY_NPAGE; }
static inline int cdp_key_ppage(void) { return KEY_PPAGE; }
static inline int cdp_key_enter(void) { return KEY_ENTER; }
static inline int cdp_key_btab(void) { return KEY_BTAB; }
static inline int cdp_key_resize(void) { return KEY_RESIZE; }
static inline int cdp_key_mouse(void) { return KEY_MOUSE; }

static inline mmask_t cdp_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t cdp_button1_released(void) { return BUTTON1_RELEASED; }
static inline mmask_t cdp_button2_pressed(void) { return BUTTON2_PRESSED; }
static inline mmask_t cdp_button2_released(void) { return BUTTON2_RELEASED; }
static inline mmask_t cdp_button3_pressed(void) { return BUTTON3_PRESSED; }
static inline mmask_t cdp_button3_released(void) { return BUTTON3_RELEASED; }
static inline mmask_t cdp_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t cdp_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline mmask_t cdp_button_ctrl(void) { return BUTTON_CTRL; }
static inline mmask_t cdp_button_shift(void) { return BUTTON_SHIFT; }
static inline mmask_t cdp_button_alt(void) { return BUTTON_ALT; }

#include <signal.h>
#include <string.h>

// Crash restore: on a fatal signal, give the terminal back (endwin), put the previous action
// back and return. A fault then re-executes and reaches the previous handler (the Swift runtime's
// backtracer or the default action); abort() raises again itself.
static inline struct sigaction *cdp_previous_actions(void) {
    static struct sigaction storage[NSIG];
    return storage;
}

static inline void cdp_crash_handler(int sig, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    endwin();
    if (sig > 0 && sig < NSIG) {
        sigaction(sig, &cdp_previous_actions()[sig], NULL);
    } else {
        signal(sig, SIG_DFL);
    }
}

static inline void cdp_install_crash_restore(void) {
    const int signals[] = { SIGABRT, SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_sigaction = cdp_crash_handler;
        action.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&action.sa_mask);
        sigaction(signals[i], &action, &cdp_previous_actions()[signals[i]]);
    }
}

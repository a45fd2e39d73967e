// Thin shim over ncursesw (INTEROP.md items 1–4, 9): wide characters on, and one static inline
// accessor per global or macro Swift cannot import.
#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <stdio.h>
#include <curses.h>

static inline WINDOW *cncursesw_stdscr(void) { return stdscr; }
static inline int cncursesw_lines(void) { return LINES; }
static inline int cncursesw_cols(void) { return COLS; }
static inline int cncursesw_colors(void) { return COLORS; }
static inline int cncursesw_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t cncursesw_bold(void) { return A_BOLD; }
static inline attr_t cncursesw_reverse(void) { return A_REVERSE; }
static inline attr_t cncursesw_underline(void) { return A_UNDERLINE; }
static inline attr_t cncursesw_dim(void) { return A_DIM; }
static inline attr_t cncursesw_normal(void) { return A_NORMAL; }
static inline int cncursesw_key_f(int n) { return KEY_F(n); }
static inline mmask_t cncursesw_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t cncursesw_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t cncursesw_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t cncursesw_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline mmask_t cncursesw_all_mouse_events(void) { return ALL_MOUSE_EVENTS; }
static inline FILE *cncursesw_fopen(const char *path, const char *mode) { return fopen(path, mode); }
#endif

/* SPDX-License-Identifier: MIT */
/*
 * Keyboard layouts as data: for each key, what it types at the four levels (alone, Shift, AltGr,
 * Shift+AltGr), and the dead-key compositions. Transcribed from xkeyboard-config's symbols files
 * (us, de, fr, gb "basic" variants, with latin and pc included as xkb does) and the dead-key
 * entries of X11's en_US.UTF-8 Compose table whose result is a Latin character (below U+0250)
 * or a spacing accent. Characters are code points; D(X) marks a dead key, shown as ‹x›.
 */
#include <linux/input-event-codes.h>

#include "keymap.h"

#define D(x) VW_DEAD_##x

/* The tables are aligned by hand, one key or composition per line: clang-format would pack them. */
/* clang-format off */
static const struct vw_keymap_key keys_us[] = {
        { KEY_GRAVE,       { '`', '~', 0, 0 } },
        { KEY_1,           { '1', '!', 0, 0 } },
        { KEY_2,           { '2', '@', 0, 0 } },
        { KEY_3,           { '3', '#', 0, 0 } },
        { KEY_4,           { '4', '$', 0, 0 } },
        { KEY_5,           { '5', '%', 0, 0 } },
        { KEY_6,           { '6', '^', 0, 0 } },
        { KEY_7,           { '7', '&', 0, 0 } },
        { KEY_8,           { '8', '*', 0, 0 } },
        { KEY_9,           { '9', '(', 0, 0 } },
        { KEY_0,           { '0', ')', 0, 0 } },
        { KEY_MINUS,       { '-', '_', 0, 0 } },
        { KEY_EQUAL,       { '=', '+', 0, 0 } },
        { KEY_Q,           { 'q', 'Q', 0, 0 } },
        { KEY_W,           { 'w', 'W', 0, 0 } },
        { KEY_E,           { 'e', 'E', 0, 0 } },
        { KEY_R,           { 'r', 'R', 0, 0 } },
        { KEY_T,           { 't', 'T', 0, 0 } },
        { KEY_Y,           { 'y', 'Y', 0, 0 } },
        { KEY_U,           { 'u', 'U', 0, 0 } },
        { KEY_I,           { 'i', 'I', 0, 0 } },
        { KEY_O,           { 'o', 'O', 0, 0 } },
        { KEY_P,           { 'p', 'P', 0, 0 } },
        { KEY_LEFTBRACE,   { '[', '{', 0, 0 } },
        { KEY_RIGHTBRACE,  { ']', '}', 0, 0 } },
        { KEY_A,           { 'a', 'A', 0, 0 } },
        { KEY_S,           { 's', 'S', 0, 0 } },
        { KEY_D,           { 'd', 'D', 0, 0 } },
        { KEY_F,           { 'f', 'F', 0, 0 } },
        { KEY_G,           { 'g', 'G', 0, 0 } },
        { KEY_H,           { 'h', 'H', 0, 0 } },
        { KEY_J,           { 'j', 'J', 0, 0 } },
        { KEY_K,           { 'k', 'K', 0, 0 } },
        { KEY_L,           { 'l', 'L', 0, 0 } },
        { KEY_SEMICOLON,   { ';', ':', 0, 0 } },
        { KEY_APOSTROPHE,  { '\'', '"', 0, 0 } },
        { KEY_BACKSLASH,   { '\\', '|', 0, 0 } },
        { KEY_Z,           { 'z', 'Z', 0, 0 } },
        { KEY_X,           { 'x', 'X', 0, 0 } },
        { KEY_C,           { 'c', 'C', 0, 0 } },
        { KEY_V,           { 'v', 'V', 0, 0 } },
        { KEY_B,           { 'b', 'B', 0, 0 } },
        { KEY_N,           { 'n', 'N', 0, 0 } },
        { KEY_M,           { 'm', 'M', 0, 0 } },
        { KEY_COMMA,       { ',', '<', 0, 0 } },
        { KEY_DOT,         { '.', '>', 0, 0 } },
        { KEY_SLASH,       { '/', '?', 0, 0 } },
        { KEY_SPACE,       { ' ', 0, 0, 0 } },
};

static const struct vw_keymap_key keys_de[] = {
        { KEY_GRAVE,       { D(CIRCUMFLEX), 0x00b0, 0x2032, 0x2033 } }, /* ‹^› ° ′ ″ */
        { KEY_1,           { '1', '!', 0x00b9, 0x00a1 } },         /* 1 ! ¹ ¡ */
        { KEY_2,           { '2', '"', 0x00b2, 0x215b } },         /* 2 " ² ⅛ */
        { KEY_3,           { '3', 0x00a7, 0x00b3, 0x00a3 } },      /* 3 § ³ £ */
        { KEY_4,           { '4', '$', 0x00bc, 0x00a4 } },         /* 4 $ ¼ ¤ */
        { KEY_5,           { '5', '%', 0x00bd, 0x215c } },         /* 5 % ½ ⅜ */
        { KEY_6,           { '6', '&', 0x00ac, 0x215d } },         /* 6 & ¬ ⅝ */
        { KEY_7,           { '7', '/', '{', 0x215e } },            /* 7 / { ⅞ */
        { KEY_8,           { '8', '(', '[', 0x2122 } },            /* 8 ( [ ™ */
        { KEY_9,           { '9', ')', ']', 0x00b1 } },            /* 9 ) ] ± */
        { KEY_0,           { '0', '=', '}', 0x00b0 } },            /* 0 = } ° */
        { KEY_MINUS,       { 0x00df, '?', '\\', 0x00bf } },        /* ß ? \ ¿ */
        { KEY_EQUAL,       { D(ACUTE), D(GRAVE), D(CEDILLA), D(OGONEK) } }, /* ‹´› ‹`› ‹¸› ‹˛› */
        { KEY_Q,           { 'q', 'Q', '@', 0x03a9 } },            /* q Q @ Ω */
        { KEY_W,           { 'w', 'W', 0x017f, 0x00a7 } },         /* w W ſ § */
        { KEY_E,           { 'e', 'E', 0x20ac, 0x20ac } },         /* e E € € */
        { KEY_R,           { 'r', 'R', 0x00b6, 0x00ae } },         /* r R ¶ ® */
        { KEY_T,           { 't', 'T', 0x0167, 0x0166 } },         /* t T ŧ Ŧ */
        { KEY_Y,           { 'z', 'Z', 0x2190, 0x00a5 } },         /* z Z ← ¥ */
        { KEY_U,           { 'u', 'U', 0x2193, 0x2191 } },         /* u U ↓ ↑ */
        { KEY_I,           { 'i', 'I', 0x2192, 0x0131 } },         /* i I → ı */
        { KEY_O,           { 'o', 'O', 0x00f8, 0x00d8 } },         /* o O ø Ø */
        { KEY_P,           { 'p', 'P', 0x00fe, 0x00de } },         /* p P þ Þ */
        { KEY_LEFTBRACE,   { 0x00fc, 0x00dc, D(DIAERESIS), D(ABOVERING) } }, /* ü Ü ‹¨› ‹˚› */
        { KEY_RIGHTBRACE,  { '+', '*', '~', 0x00af } },            /* + * ~ ¯ */
        { KEY_A,           { 'a', 'A', 0x00e6, 0x00c6 } },         /* a A æ Æ */
        { KEY_S,           { 's', 'S', 0x017f, 0x1e9e } },         /* s S ſ ẞ */
        { KEY_D,           { 'd', 'D', 0x00f0, 0x00d0 } },         /* d D ð Ð */
        { KEY_F,           { 'f', 'F', 0x0111, 0x00aa } },         /* f F đ ª */
        { KEY_G,           { 'g', 'G', 0x014b, 0x014a } },         /* g G ŋ Ŋ */
        { KEY_H,           { 'h', 'H', 0x0127, 0x0126 } },         /* h H ħ Ħ */
        { KEY_J,           { 'j', 'J', D(BELOWDOT), D(ABOVEDOT) } }, /* j J ‹.› ‹˙› */
        { KEY_K,           { 'k', 'K', 0x0138, '&' } },            /* k K ĸ & */
        { KEY_L,           { 'l', 'L', 0x0142, 0x0141 } },         /* l L ł Ł */
        { KEY_SEMICOLON,   { 0x00f6, 0x00d6, D(DOUBLEACUTE), D(BELOWDOT) } }, /* ö Ö ‹˝› ‹.› */
        { KEY_APOSTROPHE,  { 0x00e4, 0x00c4, D(CIRCUMFLEX), D(CARON) } }, /* ä Ä ‹^› ‹ˇ› */
        { KEY_BACKSLASH,   { '#', '\'', 0x2019, D(BREVE) } },      /* # ' ’ ‹˘› */
        { KEY_102ND,       { '<', '>', '|', D(BELOWMACRON) } },    /* < > | ‹ˍ› */
        { KEY_Z,           { 'y', 'Y', 0x00bb, 0x203a } },         /* y Y » › */
        { KEY_X,           { 'x', 'X', 0x00ab, 0x2039 } },         /* x X « ‹ */
        { KEY_C,           { 'c', 'C', 0x00a2, 0x00a9 } },         /* c C ¢ © */
        { KEY_V,           { 'v', 'V', 0x201e, 0x201a } },         /* v V „ ‚ */
        { KEY_B,           { 'b', 'B', 0x201c, 0x2018 } },         /* b B “ ‘ */
        { KEY_N,           { 'n', 'N', 0x201d, 0x2019 } },         /* n N ” ’ */
        { KEY_M,           { 'm', 'M', 0x00b5, 0x00ba } },         /* m M µ º */
        { KEY_COMMA,       { ',', ';', 0x00b7, 0x00d7 } },         /* , ; · × */
        { KEY_DOT,         { '.', ':', 0x2026, 0x00f7 } },         /* . : … ÷ */
        { KEY_SLASH,       { '-', '_', 0x2013, 0x2014 } },         /* - _ – — */
        { KEY_SPACE,       { ' ', 0, 0, 0 } },
};

static const struct vw_keymap_key keys_fr[] = {
        /* xkb also has ~ on Shift+²: AltGr+é is where it is printed (and on the console map) */
        { KEY_GRAVE,       { 0x00b2, 0, 0x00ac, 0x00ac } },      /* ² - ¬ ¬ */
        { KEY_1,           { '&', '1', 0x00b9, 0x00a1 } },         /* & 1 ¹ ¡ */
        { KEY_2,           { 0x00e9, '2', '~', 0x215b } },         /* é 2 ~ ⅛ */
        { KEY_3,           { '"', '3', '#', 0x00a3 } },            /* " 3 # £ */
        { KEY_4,           { '\'', '4', '{', '$' } },
        { KEY_5,           { '(', '5', '[', 0x215c } },            /* ( 5 [ ⅜ */
        { KEY_6,           { '-', '6', '|', 0x215d } },            /* - 6 | ⅝ */
        { KEY_7,           { 0x00e8, '7', '`', 0x215e } },         /* è 7 ` ⅞ */
        { KEY_8,           { '_', '8', '\\', 0x2122 } },           /* _ 8 \ ™ */
        { KEY_9,           { 0x00e7, '9', '^', 0x00b1 } },         /* ç 9 ^ ± */
        { KEY_0,           { 0x00e0, '0', '@', 0x00b0 } },         /* à 0 @ ° */
        { KEY_MINUS,       { ')', 0x00b0, ']', 0x00bf } },         /* ) ° ] ¿ */
        { KEY_EQUAL,       { '=', '+', '}', D(OGONEK) } },         /* = + } ‹˛› */
        { KEY_Q,           { 'a', 'A', 0x00e6, 0x00c6 } },         /* a A æ Æ */
        { KEY_W,           { 'z', 'Z', 0x00ab, '<' } },            /* z Z « < */
        { KEY_E,           { 'e', 'E', 0x20ac, 0x00a2 } },         /* e E € ¢ */
        { KEY_R,           { 'r', 'R', 0x00b6, 0x00ae } },         /* r R ¶ ® */
        { KEY_T,           { 't', 'T', 0x0167, 0x0166 } },         /* t T ŧ Ŧ */
        { KEY_Y,           { 'y', 'Y', 0x2190, 0x00a5 } },         /* y Y ← ¥ */
        { KEY_U,           { 'u', 'U', 0x2193, 0x2191 } },         /* u U ↓ ↑ */
        { KEY_I,           { 'i', 'I', 0x2192, 0x0131 } },         /* i I → ı */
        { KEY_O,           { 'o', 'O', 0x00f8, 0x00d8 } },         /* o O ø Ø */
        { KEY_P,           { 'p', 'P', 0x00fe, 0x00de } },         /* p P þ Þ */
        /* ‹^› ‹¨› ‹¨› ‹˚› */
        { KEY_LEFTBRACE,   { D(CIRCUMFLEX), D(DIAERESIS), D(DIAERESIS), D(ABOVERING) } },
        { KEY_RIGHTBRACE,  { '$', 0x00a3, 0x00a4, D(MACRON) } },   /* $ £ ¤ ‹¯› */
        { KEY_A,           { 'q', 'Q', '@', 0x03a9 } },            /* q Q @ Ω */
        { KEY_S,           { 's', 'S', 0x00df, 0x1e9e } },         /* s S ß ẞ */
        { KEY_D,           { 'd', 'D', 0x00f0, 0x00d0 } },         /* d D ð Ð */
        { KEY_F,           { 'f', 'F', 0x0111, 0x00aa } },         /* f F đ ª */
        { KEY_G,           { 'g', 'G', 0x014b, 0x014a } },         /* g G ŋ Ŋ */
        { KEY_H,           { 'h', 'H', 0x0127, 0x0126 } },         /* h H ħ Ħ */
        { KEY_J,           { 'j', 'J', D(HOOK), D(HORN) } },       /* j J ‹ˀ› ‹̛› */
        { KEY_K,           { 'k', 'K', 0x0138, '&' } },            /* k K ĸ & */
        { KEY_L,           { 'l', 'L', 0x0142, 0x0141 } },         /* l L ł Ł */
        { KEY_SEMICOLON,   { 'm', 'M', 0x00b5, 0x00ba } },         /* m M µ º */
        { KEY_APOSTROPHE,  { 0x00f9, '%', D(CIRCUMFLEX), D(CARON) } }, /* ù % ‹^› ‹ˇ› */
        { KEY_BACKSLASH,   { '*', 0x00b5, D(GRAVE), D(BREVE) } },  /* * µ ‹`› ‹˘› */
        { KEY_102ND,       { '<', '>', '|', 0x00a6 } },            /* < > | ¦ */
        { KEY_Z,           { 'w', 'W', 0x0142, 0x0141 } },         /* w W ł Ł */
        { KEY_X,           { 'x', 'X', 0x00bb, '>' } },            /* x X » > */
        { KEY_C,           { 'c', 'C', 0x00a2, 0x00a9 } },         /* c C ¢ © */
        { KEY_V,           { 'v', 'V', 0x201e, 0x201a } },         /* v V „ ‚ */
        { KEY_B,           { 'b', 'B', 0x201c, 0x2018 } },         /* b B “ ‘ */
        { KEY_N,           { 'n', 'N', 0x201d, 0x2019 } },         /* n N ” ’ */
        { KEY_M,           { ',', '?', D(ACUTE), D(DOUBLEACUTE) } }, /* , ? ‹´› ‹˝› */
        { KEY_COMMA,       { ';', '.', 0x2022, 0x00d7 } },         /* ; . • × */
        { KEY_DOT,         { ':', '/', 0x00b7, 0x00f7 } },         /* : / · ÷ */
        { KEY_SLASH,       { '!', 0x00a7, D(BELOWDOT), D(ABOVEDOT) } }, /* ! § ‹.› ‹˙› */
        { KEY_SPACE,       { ' ', 0, 0, 0 } },
};

static const struct vw_keymap_key keys_gb[] = {
        { KEY_GRAVE,       { '`', 0x00ac, '|', '|' } },            /* ` ¬ | | */
        { KEY_1,           { '1', '!', 0x00b9, 0x00a1 } },         /* 1 ! ¹ ¡ */
        { KEY_2,           { '2', '"', 0x00b2, 0x215b } },         /* 2 " ² ⅛ */
        { KEY_3,           { '3', 0x00a3, 0x00b3, 0x00a3 } },      /* 3 £ ³ £ */
        { KEY_4,           { '4', '$', 0x20ac, 0x00bc } },         /* 4 $ € ¼ */
        { KEY_5,           { '5', '%', 0x00bd, 0x215c } },         /* 5 % ½ ⅜ */
        { KEY_6,           { '6', '^', 0x00be, 0x215d } },         /* 6 ^ ¾ ⅝ */
        { KEY_7,           { '7', '&', '{', 0x215e } },            /* 7 & { ⅞ */
        { KEY_8,           { '8', '*', '[', 0x2122 } },            /* 8 * [ ™ */
        { KEY_9,           { '9', '(', ']', 0x00b1 } },            /* 9 ( ] ± */
        { KEY_0,           { '0', ')', '}', 0x00b0 } },            /* 0 ) } ° */
        { KEY_MINUS,       { '-', '_', '\\', 0x00bf } },           /* - _ \ ¿ */
        { KEY_EQUAL,       { '=', '+', D(CEDILLA), D(OGONEK) } },  /* = + ‹¸› ‹˛› */
        { KEY_Q,           { 'q', 'Q', '@', 0x03a9 } },            /* q Q @ Ω */
        { KEY_W,           { 'w', 'W', 0x017f, 0x00a7 } },         /* w W ſ § */
        { KEY_E,           { 'e', 'E', 'e', 'E' } },
        { KEY_R,           { 'r', 'R', 0x00b6, 0x00ae } },         /* r R ¶ ® */
        { KEY_T,           { 't', 'T', 0x0167, 0x0166 } },         /* t T ŧ Ŧ */
        { KEY_Y,           { 'y', 'Y', 0x2190, 0x00a5 } },         /* y Y ← ¥ */
        { KEY_U,           { 'u', 'U', 0x2193, 0x2191 } },         /* u U ↓ ↑ */
        { KEY_I,           { 'i', 'I', 0x2192, 0x0131 } },         /* i I → ı */
        { KEY_O,           { 'o', 'O', 0x00f8, 0x00d8 } },         /* o O ø Ø */
        { KEY_P,           { 'p', 'P', 0x00fe, 0x00de } },         /* p P þ Þ */
        { KEY_LEFTBRACE,   { '[', '{', D(DIAERESIS), D(ABOVERING) } }, /* [ { ‹¨› ‹˚› */
        { KEY_RIGHTBRACE,  { ']', '}', D(TILDE), D(MACRON) } },    /* ] } ‹~› ‹¯› */
        { KEY_A,           { 'a', 'A', 0x00e6, 0x00c6 } },         /* a A æ Æ */
        { KEY_S,           { 's', 'S', 0x00df, 0x1e9e } },         /* s S ß ẞ */
        { KEY_D,           { 'd', 'D', 0x00f0, 0x00d0 } },         /* d D ð Ð */
        { KEY_F,           { 'f', 'F', 0x0111, 0x00aa } },         /* f F đ ª */
        { KEY_G,           { 'g', 'G', 0x014b, 0x014a } },         /* g G ŋ Ŋ */
        { KEY_H,           { 'h', 'H', 0x0127, 0x0126 } },         /* h H ħ Ħ */
        { KEY_J,           { 'j', 'J', D(HOOK), D(HORN) } },       /* j J ‹ˀ› ‹̛› */
        { KEY_K,           { 'k', 'K', 0x0138, '&' } },            /* k K ĸ & */
        { KEY_L,           { 'l', 'L', 0x0142, 0x0141 } },         /* l L ł Ł */
        { KEY_SEMICOLON,   { ';', ':', D(ACUTE), D(DOUBLEACUTE) } }, /* ; : ‹´› ‹˝› */
        { KEY_APOSTROPHE,  { '\'', '@', D(CIRCUMFLEX), D(CARON) } }, /* ' @ ‹^› ‹ˇ› */
        { KEY_BACKSLASH,   { '#', '~', D(GRAVE), D(BREVE) } },     /* # ~ ‹`› ‹˘› */
        { KEY_102ND,       { '\\', '|', '|', 0x00a6 } },           /* \ | | ¦ */
        { KEY_Z,           { 'z', 'Z', 0x00ab, '<' } },            /* z Z « < */
        { KEY_X,           { 'x', 'X', 0x00bb, '>' } },            /* x X » > */
        { KEY_C,           { 'c', 'C', 0x00a2, 0x00a9 } },         /* c C ¢ © */
        { KEY_V,           { 'v', 'V', 0x201e, 0x201a } },         /* v V „ ‚ */
        { KEY_B,           { 'b', 'B', 0x201c, 0x2018 } },         /* b B “ ‘ */
        { KEY_N,           { 'n', 'N', 0x201d, 0x2019 } },         /* n N ” ’ */
        { KEY_M,           { 'm', 'M', 0x00b5, 0x00ba } },         /* m M µ º */
        { KEY_COMMA,       { ',', '<', 0x2022, 0x00d7 } },         /* , < • × */
        { KEY_DOT,         { '.', '>', 0x00b7, 0x00f7 } },         /* . > · ÷ */
        { KEY_SLASH,       { '/', '?', D(BELOWDOT), D(ABOVEDOT) } }, /* / ? ‹.› ‹˙› */
        { KEY_SPACE,       { ' ', 0, 0, 0 } },
};

const struct vw_compose vw_compose_table[] = {
        { D(TILDE), ' ', 0x007e }, /* ~ */
        { D(TILDE), D(TILDE), 0x007e }, /* ~ */
        { D(ACUTE), ' ', 0x0027 }, /* ' */
        { D(ACUTE), D(ACUTE), 0x00b4 }, /* ´ */
        { D(GRAVE), ' ', 0x0060 }, /* ` */
        { D(GRAVE), D(GRAVE), 0x0060 }, /* ` */
        { D(CIRCUMFLEX), ' ', 0x005e }, /* ^ */
        { D(CIRCUMFLEX), D(CIRCUMFLEX), 0x005e }, /* ^ */
        { D(ABOVERING), ' ', 0x00b0 }, /* ° */
        { D(ABOVERING), D(ABOVERING), 0x00b0 }, /* ° */
        { D(MACRON), ' ', 0x00af }, /* ¯ */
        { D(MACRON), D(MACRON), 0x00af }, /* ¯ */
        { D(BREVE), ' ', 0x02d8 }, /* ˘ */
        { D(BREVE), D(BREVE), 0x02d8 }, /* ˘ */
        { D(ABOVEDOT), ' ', 0x02d9 }, /* ˙ */
        { D(ABOVEDOT), D(ABOVEDOT), 0x02d9 }, /* ˙ */
        { D(DIAERESIS), D(DIAERESIS), 0x00a8 }, /* ¨ */
        { D(DIAERESIS), ' ', 0x0022 }, /* " */
        { D(DOUBLEACUTE), ' ', 0x02dd }, /* ˝ */
        { D(DOUBLEACUTE), D(DOUBLEACUTE), 0x02dd }, /* ˝ */
        { D(CARON), ' ', 0x02c7 }, /* ˇ */
        { D(CARON), D(CARON), 0x02c7 }, /* ˇ */
        { D(CEDILLA), ' ', 0x00b8 }, /* ¸ */
        { D(CEDILLA), D(CEDILLA), 0x00b8 }, /* ¸ */
        { D(OGONEK), ' ', 0x02db }, /* ˛ */
        { D(OGONEK), D(OGONEK), 0x02db }, /* ˛ */
        { D(CIRCUMFLEX), '.', 0x00b7 }, /* · */
        { D(CIRCUMFLEX), '1', 0x00b9 }, /* ¹ */
        { D(CIRCUMFLEX), '2', 0x00b2 }, /* ² */
        { D(CIRCUMFLEX), '3', 0x00b3 }, /* ³ */
        { D(GRAVE), 'A', 0x00c0 }, /* À */
        { D(ACUTE), 'A', 0x00c1 }, /* Á */
        { D(CIRCUMFLEX), 'A', 0x00c2 }, /* Â */
        { D(TILDE), 'A', 0x00c3 }, /* Ã */
        { D(DIAERESIS), 'A', 0x00c4 }, /* Ä */
        { D(ABOVERING), 'A', 0x00c5 }, /* Å */
        { D(CEDILLA), 'C', 0x00c7 }, /* Ç */
        { D(GRAVE), 'E', 0x00c8 }, /* È */
        { D(ACUTE), 'E', 0x00c9 }, /* É */
        { D(CIRCUMFLEX), 'E', 0x00ca }, /* Ê */
        { D(DIAERESIS), 'E', 0x00cb }, /* Ë */
        { D(GRAVE), 'I', 0x00cc }, /* Ì */
        { D(ACUTE), 'I', 0x00cd }, /* Í */
        { D(CIRCUMFLEX), 'I', 0x00ce }, /* Î */
        { D(DIAERESIS), 'I', 0x00cf }, /* Ï */
        { D(TILDE), 'N', 0x00d1 }, /* Ñ */
        { D(GRAVE), 'O', 0x00d2 }, /* Ò */
        { D(ACUTE), 'O', 0x00d3 }, /* Ó */
        { D(CIRCUMFLEX), 'O', 0x00d4 }, /* Ô */
        { D(TILDE), 'O', 0x00d5 }, /* Õ */
        { D(DIAERESIS), 'O', 0x00d6 }, /* Ö */
        { D(GRAVE), 'U', 0x00d9 }, /* Ù */
        { D(ACUTE), 'U', 0x00da }, /* Ú */
        { D(CIRCUMFLEX), 'U', 0x00db }, /* Û */
        { D(DIAERESIS), 'U', 0x00dc }, /* Ü */
        { D(ACUTE), 'Y', 0x00dd }, /* Ý */
        { D(GRAVE), 'a', 0x00e0 }, /* à */
        { D(ACUTE), 'a', 0x00e1 }, /* á */
        { D(CIRCUMFLEX), 'a', 0x00e2 }, /* â */
        { D(TILDE), 'a', 0x00e3 }, /* ã */
        { D(DIAERESIS), 'a', 0x00e4 }, /* ä */
        { D(ABOVERING), 'a', 0x00e5 }, /* å */
        { D(CEDILLA), 'c', 0x00e7 }, /* ç */
        { D(GRAVE), 'e', 0x00e8 }, /* è */
        { D(ACUTE), 'e', 0x00e9 }, /* é */
        { D(CIRCUMFLEX), 'e', 0x00ea }, /* ê */
        { D(DIAERESIS), 'e', 0x00eb }, /* ë */
        { D(GRAVE), 'i', 0x00ec }, /* ì */
        { D(ACUTE), 'i', 0x00ed }, /* í */
        { D(CIRCUMFLEX), 'i', 0x00ee }, /* î */
        { D(DIAERESIS), 'i', 0x00ef }, /* ï */
        { D(TILDE), 'n', 0x00f1 }, /* ñ */
        { D(GRAVE), 'o', 0x00f2 }, /* ò */
        { D(ACUTE), 'o', 0x00f3 }, /* ó */
        { D(CIRCUMFLEX), 'o', 0x00f4 }, /* ô */
        { D(TILDE), 'o', 0x00f5 }, /* õ */
        { D(DIAERESIS), 'o', 0x00f6 }, /* ö */
        { D(GRAVE), 'u', 0x00f9 }, /* ù */
        { D(ACUTE), 'u', 0x00fa }, /* ú */
        { D(CIRCUMFLEX), 'u', 0x00fb }, /* û */
        { D(DIAERESIS), 'u', 0x00fc }, /* ü */
        { D(ACUTE), 'y', 0x00fd }, /* ý */
        { D(DIAERESIS), 'y', 0x00ff }, /* ÿ */
        { D(MACRON), 'A', 0x0100 }, /* Ā */
        { D(MACRON), 'a', 0x0101 }, /* ā */
        { D(BREVE), 'A', 0x0102 }, /* Ă */
        { D(BREVE), 'a', 0x0103 }, /* ă */
        { D(OGONEK), 'A', 0x0104 }, /* Ą */
        { D(OGONEK), 'a', 0x0105 }, /* ą */
        { D(ACUTE), 'C', 0x0106 }, /* Ć */
        { D(ACUTE), 'c', 0x0107 }, /* ć */
        { D(CIRCUMFLEX), 'C', 0x0108 }, /* Ĉ */
        { D(CIRCUMFLEX), 'c', 0x0109 }, /* ĉ */
        { D(ABOVEDOT), 'C', 0x010a }, /* Ċ */
        { D(ABOVEDOT), 'c', 0x010b }, /* ċ */
        { D(CARON), 'C', 0x010c }, /* Č */
        { D(CARON), 'c', 0x010d }, /* č */
        { D(CARON), 'D', 0x010e }, /* Ď */
        { D(CARON), 'd', 0x010f }, /* ď */
        { D(MACRON), 'E', 0x0112 }, /* Ē */
        { D(MACRON), 'e', 0x0113 }, /* ē */
        { D(BREVE), 'E', 0x0114 }, /* Ĕ */
        { D(BREVE), 'e', 0x0115 }, /* ĕ */
        { D(ABOVEDOT), 'E', 0x0116 }, /* Ė */
        { D(ABOVEDOT), 'e', 0x0117 }, /* ė */
        { D(OGONEK), 'E', 0x0118 }, /* Ę */
        { D(OGONEK), 'e', 0x0119 }, /* ę */
        { D(CARON), 'E', 0x011a }, /* Ě */
        { D(CARON), 'e', 0x011b }, /* ě */
        { D(CIRCUMFLEX), 'G', 0x011c }, /* Ĝ */
        { D(CIRCUMFLEX), 'g', 0x011d }, /* ĝ */
        { D(BREVE), 'G', 0x011e }, /* Ğ */
        { D(BREVE), 'g', 0x011f }, /* ğ */
        { D(ABOVEDOT), 'G', 0x0120 }, /* Ġ */
        { D(ABOVEDOT), 'g', 0x0121 }, /* ġ */
        { D(CEDILLA), 'G', 0x0122 }, /* Ģ */
        { D(CEDILLA), 'g', 0x0123 }, /* ģ */
        { D(CIRCUMFLEX), 'H', 0x0124 }, /* Ĥ */
        { D(CIRCUMFLEX), 'h', 0x0125 }, /* ĥ */
        { D(TILDE), 'I', 0x0128 }, /* Ĩ */
        { D(TILDE), 'i', 0x0129 }, /* ĩ */
        { D(MACRON), 'I', 0x012a }, /* Ī */
        { D(MACRON), 'i', 0x012b }, /* ī */
        { D(BREVE), 'I', 0x012c }, /* Ĭ */
        { D(BREVE), 'i', 0x012d }, /* ĭ */
        { D(OGONEK), 'I', 0x012e }, /* Į */
        { D(OGONEK), 'i', 0x012f }, /* į */
        { D(ABOVEDOT), 'I', 0x0130 }, /* İ */
        { D(ABOVEDOT), 'i', 0x0131 }, /* ı */
        { D(CIRCUMFLEX), 'J', 0x0134 }, /* Ĵ */
        { D(CIRCUMFLEX), 'j', 0x0135 }, /* ĵ */
        { D(CEDILLA), 'K', 0x0136 }, /* Ķ */
        { D(CEDILLA), 'k', 0x0137 }, /* ķ */
        { D(ACUTE), 'L', 0x0139 }, /* Ĺ */
        { D(ACUTE), 'l', 0x013a }, /* ĺ */
        { D(CEDILLA), 'L', 0x013b }, /* Ļ */
        { D(CEDILLA), 'l', 0x013c }, /* ļ */
        { D(CARON), 'L', 0x013d }, /* Ľ */
        { D(CARON), 'l', 0x013e }, /* ľ */
        { D(ACUTE), 'N', 0x0143 }, /* Ń */
        { D(ACUTE), 'n', 0x0144 }, /* ń */
        { D(CEDILLA), 'N', 0x0145 }, /* Ņ */
        { D(CEDILLA), 'n', 0x0146 }, /* ņ */
        { D(CARON), 'N', 0x0147 }, /* Ň */
        { D(CARON), 'n', 0x0148 }, /* ň */
        { D(MACRON), 'O', 0x014c }, /* Ō */
        { D(MACRON), 'o', 0x014d }, /* ō */
        { D(BREVE), 'O', 0x014e }, /* Ŏ */
        { D(BREVE), 'o', 0x014f }, /* ŏ */
        { D(DOUBLEACUTE), 'O', 0x0150 }, /* Ő */
        { D(DOUBLEACUTE), 'o', 0x0151 }, /* ő */
        { D(ACUTE), 'R', 0x0154 }, /* Ŕ */
        { D(ACUTE), 'r', 0x0155 }, /* ŕ */
        { D(CEDILLA), 'R', 0x0156 }, /* Ŗ */
        { D(CEDILLA), 'r', 0x0157 }, /* ŗ */
        { D(CARON), 'R', 0x0158 }, /* Ř */
        { D(CARON), 'r', 0x0159 }, /* ř */
        { D(ACUTE), 'S', 0x015a }, /* Ś */
        { D(ACUTE), 's', 0x015b }, /* ś */
        { D(CIRCUMFLEX), 'S', 0x015c }, /* Ŝ */
        { D(CIRCUMFLEX), 's', 0x015d }, /* ŝ */
        { D(CEDILLA), 'S', 0x015e }, /* Ş */
        { D(CEDILLA), 's', 0x015f }, /* ş */
        { D(CARON), 'S', 0x0160 }, /* Š */
        { D(CARON), 's', 0x0161 }, /* š */
        { D(CEDILLA), 'T', 0x0162 }, /* Ţ */
        { D(CEDILLA), 't', 0x0163 }, /* ţ */
        { D(CARON), 'T', 0x0164 }, /* Ť */
        { D(CARON), 't', 0x0165 }, /* ť */
        { D(TILDE), 'U', 0x0168 }, /* Ũ */
        { D(TILDE), 'u', 0x0169 }, /* ũ */
        { D(MACRON), 'U', 0x016a }, /* Ū */
        { D(MACRON), 'u', 0x016b }, /* ū */
        { D(BREVE), 'U', 0x016c }, /* Ŭ */
        { D(BREVE), 'u', 0x016d }, /* ŭ */
        { D(ABOVERING), 'U', 0x016e }, /* Ů */
        { D(ABOVERING), 'u', 0x016f }, /* ů */
        { D(DOUBLEACUTE), 'U', 0x0170 }, /* Ű */
        { D(DOUBLEACUTE), 'u', 0x0171 }, /* ű */
        { D(OGONEK), 'U', 0x0172 }, /* Ų */
        { D(OGONEK), 'u', 0x0173 }, /* ų */
        { D(CIRCUMFLEX), 'W', 0x0174 }, /* Ŵ */
        { D(CIRCUMFLEX), 'w', 0x0175 }, /* ŵ */
        { D(CIRCUMFLEX), 'Y', 0x0176 }, /* Ŷ */
        { D(CIRCUMFLEX), 'y', 0x0177 }, /* ŷ */
        { D(DIAERESIS), 'Y', 0x0178 }, /* Ÿ */
        { D(ACUTE), 'Z', 0x0179 }, /* Ź */
        { D(ACUTE), 'z', 0x017a }, /* ź */
        { D(ABOVEDOT), 'Z', 0x017b }, /* Ż */
        { D(ABOVEDOT), 'z', 0x017c }, /* ż */
        { D(CARON), 'Z', 0x017d }, /* Ž */
        { D(CARON), 'z', 0x017e }, /* ž */
        { D(HORN), 'O', 0x01a0 }, /* Ơ */
        { D(HORN), 'o', 0x01a1 }, /* ơ */
        { D(HORN), 'U', 0x01af }, /* Ư */
        { D(HORN), 'u', 0x01b0 }, /* ư */
        { D(CARON), 'A', 0x01cd }, /* Ǎ */
        { D(CARON), 'a', 0x01ce }, /* ǎ */
        { D(CARON), 'I', 0x01cf }, /* Ǐ */
        { D(CARON), 'i', 0x01d0 }, /* ǐ */
        { D(CARON), 'O', 0x01d1 }, /* Ǒ */
        { D(CARON), 'o', 0x01d2 }, /* ǒ */
        { D(CARON), 'U', 0x01d3 }, /* Ǔ */
        { D(CARON), 'u', 0x01d4 }, /* ǔ */
        { D(MACRON), 0x00dc, 0x01d5 }, /* Ǖ */
        { D(MACRON), 0x00fc, 0x01d6 }, /* ǖ */
        { D(ACUTE), 0x00dc, 0x01d7 }, /* Ǘ */
        { D(ACUTE), 0x00fc, 0x01d8 }, /* ǘ */
        { D(CARON), 0x00dc, 0x01d9 }, /* Ǚ */
        { D(CARON), 0x00fc, 0x01da }, /* ǚ */
        { D(GRAVE), 0x00dc, 0x01db }, /* Ǜ */
        { D(GRAVE), 0x00fc, 0x01dc }, /* ǜ */
        { D(MACRON), 0x00c4, 0x01de }, /* Ǟ */
        { D(MACRON), 0x00e4, 0x01df }, /* ǟ */
        { D(MACRON), 0x00c6, 0x01e2 }, /* Ǣ */
        { D(MACRON), 0x00e6, 0x01e3 }, /* ǣ */
        { D(CARON), 'G', 0x01e6 }, /* Ǧ */
        { D(CARON), 'g', 0x01e7 }, /* ǧ */
        { D(CARON), 'K', 0x01e8 }, /* Ǩ */
        { D(CARON), 'k', 0x01e9 }, /* ǩ */
        { D(OGONEK), 'O', 0x01ea }, /* Ǫ */
        { D(OGONEK), 'o', 0x01eb }, /* ǫ */
        { D(CARON), 'j', 0x01f0 }, /* ǰ */
        { D(ACUTE), 'G', 0x01f4 }, /* Ǵ */
        { D(ACUTE), 'g', 0x01f5 }, /* ǵ */
        { D(GRAVE), 'N', 0x01f8 }, /* Ǹ */
        { D(GRAVE), 'n', 0x01f9 }, /* ǹ */
        { D(ACUTE), 0x00c6, 0x01fc }, /* Ǽ */
        { D(ACUTE), 0x00e6, 0x01fd }, /* ǽ */
        { D(ACUTE), 0x00d8, 0x01fe }, /* Ǿ */
        { D(ACUTE), 0x00f8, 0x01ff }, /* ǿ */
        { D(CARON), 'H', 0x021e }, /* Ȟ */
        { D(CARON), 'h', 0x021f }, /* ȟ */
        { D(ABOVEDOT), 'A', 0x0226 }, /* Ȧ */
        { D(ABOVEDOT), 'a', 0x0227 }, /* ȧ */
        { D(CEDILLA), 'E', 0x0228 }, /* Ȩ */
        { D(CEDILLA), 'e', 0x0229 }, /* ȩ */
        { D(MACRON), 0x00d6, 0x022a }, /* Ȫ */
        { D(MACRON), 0x00f6, 0x022b }, /* ȫ */
        { D(ABOVEDOT), 'O', 0x022e }, /* Ȯ */
        { D(ABOVEDOT), 'o', 0x022f }, /* ȯ */
        { D(MACRON), 'Y', 0x0232 }, /* Ȳ */
        { D(MACRON), 'y', 0x0233 }, /* ȳ */
        { D(ABOVEDOT), 'j', 0x0237 }, /* ȷ */
        { D(ABOVEDOT), 'L', 0x013f }, /* Ŀ */
        { D(ABOVEDOT), 'l', 0x0140 }, /* ŀ */
        { D(ACUTE), 'V', 0x01d7 }, /* Ǘ */
        { D(ACUTE), 'v', 0x01d8 }, /* ǘ */
        { D(BELOWDOT), D(BELOWDOT), 0x0323 }, /* ̣ */
        { D(BELOWDOT), ' ', 0x0323 }, /* ̣ */
        { D(CARON), 'V', 0x01d9 }, /* Ǚ */
        { D(CARON), 'v', 0x01da }, /* ǚ */
        { D(DIAERESIS), 0x00f9, 0x01dc }, /* ǜ */
        { D(GRAVE), 'V', 0x01db }, /* Ǜ */
        { D(GRAVE), 'v', 0x01dc }, /* ǜ */
        { D(HOOK), 'B', 0x0181 }, /* Ɓ */
        { D(HOOK), 'C', 0x0187 }, /* Ƈ */
        { D(HOOK), 'c', 0x0188 }, /* ƈ */
        { D(HOOK), 'D', 0x018a }, /* Ɗ */
        { D(HOOK), 'F', 0x0191 }, /* Ƒ */
        { D(HOOK), 'f', 0x0192 }, /* ƒ */
        { D(HOOK), 'G', 0x0193 }, /* Ɠ */
        { D(HOOK), 'K', 0x0198 }, /* Ƙ */
        { D(HOOK), 'k', 0x0199 }, /* ƙ */
        { D(HOOK), 'N', 0x019d }, /* Ɲ */
        { D(HOOK), 'P', 0x01a4 }, /* Ƥ */
        { D(HOOK), 'p', 0x01a5 }, /* ƥ */
        { D(HOOK), 'T', 0x01ac }, /* Ƭ */
        { D(HOOK), 't', 0x01ad }, /* ƭ */
        { D(HOOK), 'V', 0x01b2 }, /* Ʋ */
        { D(HOOK), 'Z', 0x0224 }, /* Ȥ */
        { D(HOOK), 'z', 0x0225 }, /* ȥ */
        { D(HOOK), D(HOOK), 0x0309 }, /* ̉ */
        { D(HOOK), ' ', 0x0309 }, /* ̉ */
        { D(HORN), D(HORN), 0x031b }, /* ̛ */
        { D(HORN), ' ', 0x031b }, /* ̛ */
        { D(MACRON), 'V', 0x01d5 }, /* Ǖ */
        { D(MACRON), 'v', 0x01d6 }, /* ǖ */
};

const size_t vw_compose_table_size = sizeof(vw_compose_table) / sizeof(vw_compose_table[0]);

#define KEYMAP(n, d) { .name = #n, .description = (d), .keys = keys_##n, \
                       .n_keys = sizeof(keys_##n) / sizeof(keys_##n[0]) }

/* clang-format on */

static const struct vw_keymap keymap_us = KEYMAP(us, "English (US)");
static const struct vw_keymap keymap_de = KEYMAP(de, "German (QWERTZ, dead keys)");
static const struct vw_keymap keymap_fr = KEYMAP(fr, "French (AZERTY, dead keys)");
static const struct vw_keymap keymap_gb = KEYMAP(gb, "English (UK)");

const struct vw_keymap *const vw_keymap_table[] = { &keymap_us, &keymap_de, &keymap_fr, &keymap_gb, NULL };

// Unit tests of core/cli/terminal.hpp: what the CLI prints is inert in a terminal.
#include <catch2/catch.hpp>

#include "cli/terminal.hpp"

using namespace vram;

TEST_CASE("ESC, BEL, DEL and other C0 controls are printed as hex escapes", "[terminal]") {
    CHECK(terminal_safe("a\x1b]0;t\x07z") == "a\\x1b]0;t\\x07z");
    CHECK(terminal_safe(std::string("x\0y", 3)) == "x\\x00y");
    CHECK(terminal_safe("\x7f\r") == "\\x7f\\x0d");
}

TEST_CASE("a report keeps its line feeds and tabs, a one-line message escapes them", "[terminal]") {
    CHECK(terminal_safe("a\n\tb\n") == "a\n\tb\n");
    CHECK(terminal_safe("a\nb\tc", Newlines::escape) == "a\\nb\\x09c");
}

TEST_CASE("UTF-8 text passes, C1 controls, bidi overrides and invalid bytes are escaped", "[terminal]") {
    CHECK(terminal_safe("Größe · 日本 😀") == "Größe · 日本 😀");
    CHECK(terminal_safe("\xc2\x9b"
                        "31m") == "\\u009b31m");  // C1 CSI
    CHECK(terminal_safe("abc\xe2\x80\xae"
                        "def") == "abc\\u202edef");             // RIGHT-TO-LEFT OVERRIDE
    CHECK(terminal_safe("\xe2\x81\xa6x") == "\\u2066x");        // LEFT-TO-RIGHT ISOLATE
    CHECK(terminal_safe("\xff\xc3") == "\\xff\\xc3");           // not UTF-8, truncated sequence
    CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate is not UTF-8
}

package dev.ledger.jmh.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TemplateTest {
    private static final Template T = Template.parse("t.tmpl", """
      @@# a comment
      @@ doc
      # {{title}}

      {{rows}}
      after {{title}}.
      @@ line
      one {{word}} line
      """);

    @Test
    void render_everyPlaceholderGiven_fillsInlineAndBlockPlaceholders() {
        assertEquals("# T\n\n| a |\n| b |\nafter T.\n", T.render("doc", "title", "T", "rows", "| a |\n| b |\n"));
        assertEquals("one big line", T.renderLine("line", "word", "big"));
    }

    @Test
    void render_emptyBlock_removesItsLine() {
        assertEquals("# T\n\nafter T.\n", T.render("doc", "title", "T", "rows", ""));
    }

    @Test
    void render_placeholderWithoutValue_failsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> T.render("doc", "title", "T"));
        assertTrue(e.getMessage().contains("no value for placeholder {{rows}}"), e.getMessage());
    }

    @Test
    void render_valueWithoutPlaceholder_failsNamingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> T.render("line", "word", "w", "colour", "red"));
        assertTrue(e.getMessage().contains("value 'colour' has no placeholder"), e.getMessage());
    }

    @Test
    void render_badValuesOrPart_fail() {
        assertThrows(IllegalArgumentException.class, () -> T.render("doc", "title", "a\nb", "rows", ""));
        assertThrows(IllegalArgumentException.class, () -> T.render("doc", "title", "T", "rows", "no newline"));
        assertThrows(IllegalArgumentException.class, () -> T.render("line", "word", "a", "word", "b"));
        assertThrows(IllegalArgumentException.class, () -> T.render("line", "word"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> T.render("nope"));
        assertTrue(e.getMessage().contains("no part 'nope'"), e.getMessage());
    }

    @Test
    void parse_strayBracesOrDuplicatePart_fail() {
        assertThrows(IllegalArgumentException.class, () -> Template.parse("t", "@@ a\n{{Not A Name}}\n"));
        assertThrows(IllegalArgumentException.class, () -> Template.parse("t", "@@ a\nx\n@@ a\ny\n"));
        assertThrows(IllegalArgumentException.class, () -> Template.parse("t", "text first\n@@ a\n"));
    }

    @Test
    void load_reportTemplates_everyPartParses() {
        assertTrue(Template.load("benchmarks.md.tmpl").placeholders("document").contains("throughput_rows"));
        assertTrue(Template.load("benchmarks-citus.md.tmpl")
                .placeholders("document")
                .contains("cpu_rows"));
    }
}

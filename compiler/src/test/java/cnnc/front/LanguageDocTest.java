package cnnc.front;

import static org.junit.jupiter.api.Assertions.assertTrue;

import cnnc.ir.Word;
import cnnc.ops.Param;
import cnnc.ops.Signature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/language.md is the language reference: its table of operations has a row for every
 * operation a .cnn file may call, naming each of its arguments and the words a choice allows, and
 * the page has a section on it. An operation added without its documentation fails here.
 */
@org.junit.jupiter.api.Timeout(60)
class LanguageDocTest {

    private static String doc() throws IOException {
        return Files.readString(Path.of(System.getProperty("cnnc.root", "."), "docs/language.md"));
    }

    @Test
    void everyOperationHasItsRowWithItsArgumentsAndASection() throws IOException {
        String doc = doc();
        List<String> missing = new ArrayList<>();
        for (Operations.Entry e : Operations.NODES.values()) {
            Signature sig = e.signature();
            String row = doc.lines().filter(l -> l.startsWith("| ") && l.contains("`" + sig.op() + "(")).findFirst().orElse(null);
            if (row == null) {
                missing.add(sig.op() + ": no row in the table of operations");
                continue;
            }
            for (Param p : sig.params()) {
                if (!row.contains(p.name())) {
                    missing.add(sig.op() + ": its row does not name '" + p.name() + "'");
                }
                for (Word w : p.choices()) {
                    if (!row.contains(w.word())) {
                        missing.add(sig.op() + ": its row does not give " + p.name() + ": " + w.word());
                    }
                }
            }
            boolean section = doc.lines().anyMatch(l -> l.startsWith("### ") && l.matches(".*\\b" + sig.op() + "\\b.*"));
            if (!section) {
                missing.add(sig.op() + ": no ### section with its formulas");
            }
        }
        assertTrue(missing.isEmpty(), "docs/language.md: " + missing);
    }
}

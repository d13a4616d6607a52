package dev.ledger.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The BOM (ledger-bom/pom.xml, a POM without parent, so that importing it brings nothing else) lists exactly the
 * modules that are deployed (those not setting maven.deploy.skip), each at the project's version, and has that version
 * itself.
 */
class BomTest {
    private static final Path ROOT =
            Path.of(System.getProperty("basedir", ".")).toAbsolutePath().getParent();

    @Test
    void bom_againstTheReactor_listsEveryDeployedModuleAtTheProjectVersion() throws Exception {
        Document parent = read(ROOT.resolve("pom.xml"));
        Document bom = read(ROOT.resolve("ledger-bom/pom.xml"));
        String version = text(parent.getDocumentElement(), "version");
        assertEquals(version, text(bom.getDocumentElement(), "version"), "the BOM's version is the parent's");

        TreeSet<String> deployed = new TreeSet<>();
        Element modules = child(parent.getDocumentElement(), "modules");
        for (Node n = modules.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && !e.getTextContent().equals("ledger-bom")) {
                String pom = Files.readString(ROOT.resolve(e.getTextContent()).resolve("pom.xml"));
                if (!pom.contains("<maven.deploy.skip>true</maven.deploy.skip>")) {
                    deployed.add(e.getTextContent());
                }
            }
        }
        TreeSet<String> listed = new TreeSet<>();
        List<String> versions = new ArrayList<>();
        Matcher m = Pattern.compile("<artifactId>([^<]+)</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("ledger-bom/pom.xml"))
                        .split("<dependencyManagement>")[1]
                        .split("</dependencyManagement>")[0]);
        while (m.find()) {
            listed.add(m.group(1));
            versions.add(m.group(2));
        }
        assertEquals(deployed, listed, "the BOM lists the deployed modules, no more");
        versions.forEach(v -> assertEquals("${project.version}", v, "each at the BOM's own version"));
    }

    private static Document read(Path pom) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    }

    private static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        throw new AssertionError("no <" + name + "> in " + parent.getTagName());
    }

    private static String text(Element parent, String name) {
        return child(parent, name).getTextContent().trim();
    }
}

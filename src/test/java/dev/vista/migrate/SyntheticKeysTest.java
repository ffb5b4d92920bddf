package dev.vista.migrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.vista.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.jooq.Constants;
import org.jooq.codegen.GenerationTool;
import org.jooq.meta.jaxb.Configuration;
import org.jooq.meta.jaxb.Jdbc;
import org.jooq.meta.jaxb.Logging;
import org.jooq.util.jaxb.tools.MiniJAXB;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Node;

/**
 * Issue 12, item 5: a view's key is declared once, in its file, and reaches jOOQ's generated classes as a synthetic
 * primary key without an edit to pom.xml.
 */
class SyntheticKeysTest {

    @TempDir
    static Path directory;
    static Path generated;

    /** Two new view files in a copy of db/, then the build's steps 3 and 4: migrate, write the keys, generate. */
    @BeforeAll
    static void generateWithTwoNewViews() throws Exception {
        var schema = SchemaCopy.of(directory);
        schema.writeView("section_totals", """
                -- Visits per section
                -- vista:key section
                SELECT section, count(*) AS visits FROM page_visits GROUP BY section
                """);
        schema.writeView("section_totals_mv", """
                -- Visits per section (materialized)
                -- vista:materialized
                -- vista:unique-index section
                SELECT * FROM section_totals
                """);
        try (var dataSource = TestDatabase.fresh("synthetic_keys")) {
            schema.migrator(dataSource).migrate();
            var keysFile = directory.resolve("target/jooq-synthetic-keys.xml");
            SyntheticKeys.write(keysFile, ChangelogSource.directory(directory).viewFiles());

            var configuration = pomConfiguration()
                    .withLogging(Logging.WARN)
                    .withJdbc(new Jdbc().withUrl(dataSource.getJdbcUrl()).withUser(dataSource.getUsername()).withPassword(dataSource.getPassword()));
            configuration.getGenerator().getTarget().setDirectory(directory.resolve("generated").toString());
            // what jooq-codegen-maven does with its configurationFile (org.jooq.codegen.maven.Plugin#read)
            try (var in = Files.newInputStream(keysFile)) {
                MiniJAXB.append(configuration.getGenerator(), GenerationTool.load(in).getGenerator());
            }
            GenerationTool.generate(configuration);
        }
        generated = directory.resolve("generated/dev/vista/generated");
    }

    @Test
    void a_new_view_and_a_new_materialized_view_get_their_primary_keys_from_their_files() throws Exception {
        var keys = Files.readString(generated.resolve("Keys.java"));
        assertThat(keys).contains("SYNTHETIC_PK_SECTION_TOTALS = Internal.createUniqueKey(SectionTotals.SECTION_TOTALS,"
                + " DSL.name(\"SYNTHETIC_PK_section_totals\"), new TableField[] { SectionTotals.SECTION_TOTALS.SECTION }, true);");
        assertThat(keys).contains("SYNTHETIC_PK_SECTION_TOTALS_MV = Internal.createUniqueKey(SectionTotalsMv.SECTION_TOTALS_MV,"
                + " DSL.name(\"SYNTHETIC_PK_section_totals_mv\"), new TableField[] { SectionTotalsMv.SECTION_TOTALS_MV.SECTION }, true);");
        assertThat(Files.readString(generated.resolve("tables/SectionTotals.java")))
                .contains("public UniqueKey<SectionTotalsRecord> getPrimaryKey() {\n        return Keys.SYNTHETIC_PK_SECTION_TOTALS;");
        assertThat(Files.readString(generated.resolve("tables/SectionTotalsMv.java")))
                .contains("public UniqueKey<SectionTotalsMvRecord> getPrimaryKey() {\n        return Keys.SYNTHETIC_PK_SECTION_TOTALS_MV;");
    }

    @Test
    void the_projects_views_keep_the_keys_the_build_generated_from_their_files() throws Exception {
        // e.g. visits_summary's key is (user_id, section, visit_date) and does not spill over to visits_summary_mv's
        var committed = Files.readAllLines(TestDatabase.projectRoot().resolve("generated/dev/vista/generated/Keys.java")).stream()
                .filter(line -> line.contains("Internal.createUniqueKey("))
                .toList();
        assertThat(committed).anyMatch(line -> line.contains("SYNTHETIC_PK_VISITS_SUMMARY ="));
        assertThat(Files.readAllLines(generated.resolve("Keys.java"))).containsAll(committed);
    }

    @Test
    void pom_xml_names_no_view() throws Exception {
        var pom = Files.readString(TestDatabase.projectRoot().resolve("pom.xml"));

        assertThat(ChangelogSource.directory(TestDatabase.projectRoot()).viewFiles()).isNotEmpty()
                .allSatisfy(file -> assertThat(pom).doesNotContain(file.name()));
    }

    /** The {@code <generator>} of pom.xml's jooq-codegen-maven plugin, so this test generates with the build's settings. */
    private static Configuration pomConfiguration() throws Exception {
        var pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(TestDatabase.projectRoot().resolve("pom.xml").toFile());
        var generator = (Node) XPathFactory.newInstance().newXPath()
                .evaluate("/project/build/plugins/plugin[artifactId='jooq-codegen-maven']/configuration/generator", pom, XPathConstants.NODE);
        var xml = new StringWriter();
        var transformer = TransformerFactory.newInstance().newTransformer();
        transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
        transformer.transform(new DOMSource(generator), new StreamResult(xml));
        var configuration = "<configuration xmlns=\"" + Constants.NS_CODEGEN + "\">" + xml + "</configuration>";
        return GenerationTool.load(new ByteArrayInputStream(configuration.getBytes(StandardCharsets.UTF_8)));
    }
}

package dev.vista.migrate;

import com.zaxxer.hikari.HikariDataSource;
import dev.vista.testing.TestDatabase;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the view sync tests start from: a fresh database of their own, migrated from a scratch copy of the project's
 * changelog in a temporary directory (which each test then edits), and the catalogue to look at it with. A test's own
 * {@code @BeforeEach} runs after this one, its {@code @AfterEach} before the database is closed.
 */
abstract class MigratedScratchSchema {

    private final String database;

    @TempDir
    Path directory;
    HikariDataSource dataSource;
    SchemaCopy schema;
    Catalog catalog;

    MigratedScratchSchema(String database) {
        this.database = database;
    }

    @BeforeEach
    void migratedDatabase() {
        dataSource = TestDatabase.fresh(database);
        schema = SchemaCopy.of(directory);
        catalog = new Catalog(dataSource);
        schema.migrator(dataSource).migrate();
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }
}

package dev.vista.csv;

import dev.vista.access.Caller;
import dev.vista.database.ReadSessions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.SQLException;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.Select;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Streams a report as CSV straight from PostgreSQL's COPY: the query jOOQ builds for JSON is rendered with
 * its values inlined (and escaped by jOOQ), wrapped in {@code COPY (...) TO STDOUT WITH (FORMAT csv, HEADER)},
 * and PgJDBC's CopyManager writes PostgreSQL's bytes to the response as they arrive. Nothing is parsed or
 * held in Java, so memory stays flat and throughput is COPY's.
 *
 * <p>Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or carriage return) get
 * a leading apostrophe, as OWASP recommends: {@link FormulaGuard} does it on COPY's rows as they arrive (one
 * CSV row per message), which costs far less than a CASE per text cell in the SQL; numbers and dates are untouched.
 */
public final class CsvExport {

    /** {@code raw}: no formula neutralization (for machines); {@code bom}: a UTF-8 byte order mark first (for Excel). */
    public record Options(boolean raw, boolean bom) {
        public static final Options DEFAULT = new Options(false, false);
    }

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final ReadSessions reads;
    private static final DSLContext RENDERER = DSL.using(SQLDialect.POSTGRES, new Settings().withRenderFormatted(false));

    public CsvExport(ReadSessions reads) {
        this.reads = reads;
    }

    /** The same export, its COPY run as {@code caller} (grants and row-level security apply, as to JSON). */
    public CsvExport as(Caller caller) {
        return new CsvExport(reads.as(caller));
    }

    /** The COPY statement for a query: what {@link #write} runs (text cells are guarded as the rows arrive). */
    public String copySql(Select<?> query) {
        return "COPY (" + RENDERER.renderInlined(query) + ") TO STDOUT WITH (FORMAT csv, HEADER)";
    }

    /**
     * Writes the query's rows as CSV to {@code out} and returns how many, in a read session (read-only, under the
     * statement timeout). If {@code out} fails (the client went away), the COPY is cancelled on the server and the
     * connection is discarded.
     */
    public long write(Select<?> query, Options options, OutputStream out) throws IOException, SQLException {
        var sql = copySql(query);
        var guard = options.raw() ? null : guardFor(query);
        return reads.jdbc(connection -> {
            var copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
            var buffered = new BufferedOutputStream(out, 1 << 16);
            if (options.bom()) {
                buffered.write(BOM);
            }
            try {
                var header = copy.readFromCopy();
                if (header != null) {
                    buffered.write(header);
                }
                byte[] row;
                while ((row = copy.readFromCopy()) != null) {
                    buffered.write(guard == null ? row : guard.guard(row));
                }
                buffered.flush();
            } catch (IOException clientGone) {
                cancel(copy);
                throw clientGone;
            }
            return copy.getHandledRowCount();
        });
    }

    /** Stops the COPY on the server; whatever happens, the connection is not reused afterwards. */
    private static void cancel(CopyOut copy) {
        try {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        } catch (SQLException | RuntimeException e) {
            // the connection is discarded, which ends the COPY on the server anyway
        }
    }

    /** Guards the text columns of the query's rows. */
    static FormulaGuard guardFor(Select<?> query) {
        var fields = query.getSelect();
        var text = new boolean[fields.size()];
        for (int i = 0; i < text.length; i++) {
            text[i] = fields.get(i).getType() == String.class;
        }
        return new FormulaGuard(text);
    }
}

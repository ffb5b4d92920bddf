package dev.vista.bench;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

// Plain JDBC, the benchmark's reference client: runs SQL and reads every value of every row, as a client would.
final class Jdbc {

    private Jdbc() {
    }

    /** Runs a query in a transaction, fetching 10,000 rows at a time, reads every value and returns the number of rows. */
    static long query(DataSource dataSource, String sql) throws SQLException {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            connection.setAutoCommit(false);
            statement.setFetchSize(10_000);
            long rows;
            try (var result = statement.executeQuery(sql)) {
                rows = readAll(result);
            }
            connection.commit();
            return rows;
        }
    }

    /** The first column of a query's first row, e.g. of {@code SELECT count(*) ...}. */
    static long queryValue(DataSource dataSource, String sql) throws SQLException {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement();
             var result = statement.executeQuery(sql)) {
            if (!result.next()) {
                throw new IllegalStateException("no row from " + sql);
            }
            return result.getLong(1);
        }
    }

    /** The first column of every row, as text. */
    static List<String> strings(DataSource dataSource, String sql) throws SQLException {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement();
             var result = statement.executeQuery(sql)) {
            var values = new ArrayList<String>();
            while (result.next()) {
                values.add(result.getString(1));
            }
            return values;
        }
    }

    /** Reads every value of every row, as a client would, and returns the number of rows. */
    static long readAll(ResultSet result) throws SQLException {
        var columns = result.getMetaData().getColumnCount();
        long rows = 0;
        while (result.next()) {
            for (int i = 1; i <= columns; i++) {
                result.getObject(i);
            }
            rows++;
        }
        return rows;
    }

    static void exec(DataSource dataSource, String sql) throws SQLException {
        try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** The statements in order, in one transaction. */
    static void inOneTransaction(DataSource dataSource, List<String> statements) throws SQLException {
        try (var connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (var sql : statements) {
                try (var statement = connection.createStatement()) {
                    statement.execute(sql);
                }
            }
            connection.commit();
        }
    }
}

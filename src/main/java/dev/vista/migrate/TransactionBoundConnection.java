package dev.vista.migrate;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;

/**
 * Hands Liquibase a connection whose transaction belongs to Vista. Liquibase commits after every changeset
 * and rolls back after a failure; here a commit only sets a savepoint and a rollback returns to the last
 * one, so Liquibase sees the behaviour it expects while tables and views change together in one
 * transaction that {@link Migrator} commits, or rolls back whole (PostgreSQL's DDL is transactional).
 */
final class TransactionBoundConnection implements InvocationHandler {

    private final Connection connection;
    private Savepoint lastCommit;

    private TransactionBoundConnection(Connection connection) throws SQLException {
        this.connection = connection;
        this.lastCommit = connection.setSavepoint();
    }

    static Connection wrap(Connection connection) throws SQLException {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new TransactionBoundConnection(connection));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        return switch (method.getName()) {
            case "commit" -> {
                connection.releaseSavepoint(lastCommit);
                lastCommit = connection.setSavepoint();
                yield null;
            }
            case "rollback" -> {
                connection.rollback(args == null ? lastCommit : (Savepoint) args[0]);
                yield null;
            }
            case "setAutoCommit", "close" -> null;
            case "getAutoCommit" -> false;
            default -> {
                try {
                    yield method.invoke(connection, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
        };
    }
}

package dev.vista.migrate;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * Hands {@link ViewSync} a connection that writes down, in order, every statement that changes the database: each one
 * that returns no rows (DDL, {@code INSERT}, {@code DELETE}). Queries of the catalogue run as usual and are left out.
 * Only plain statements are expected: {@code ViewSync} runs jOOQ with its values inlined, so each statement is whole
 * as text and can be run again, or printed, exactly as recorded.
 */
final class RecordingConnection implements InvocationHandler {

    private final Object target;
    private final List<String> recorded;

    private RecordingConnection(Object target, List<String> recorded) {
        this.target = target;
        this.recorded = recorded;
    }

    /** {@code connection}, with every statement that changes the database added to {@code recorded}. */
    static Connection wrap(Connection connection, List<String> recorded) {
        return proxy(Connection.class, connection, recorded);
    }

    private static <T> T proxy(Class<T> type, T target, List<String> recorded) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new RecordingConnection(target, recorded)));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        var name = method.getName();
        if (target instanceof Connection && (name.equals("prepareStatement") || name.equals("prepareCall"))) {
            throw new UnsupportedOperationException("a recorded view sync runs plain statements only, not " + name + "(" + args[0] + ")");
        }
        if (target instanceof Statement && name.equals("addBatch")) {
            throw new UnsupportedOperationException("a recorded view sync does not batch statements");
        }
        var result = call(method, args);
        if (target instanceof Connection && name.equals("createStatement")) {
            return proxy(Statement.class, (Statement) result, recorded);
        }
        if (target instanceof Statement && args != null && args.length > 0 && args[0] instanceof String sql) {
            var changes = switch (name) {
                case "execute" -> !((Boolean) result); // false: the first result is an update count, not rows
                case "executeUpdate", "executeLargeUpdate" -> true;
                default -> false;
            };
            if (changes) {
                recorded.add(sql.strip());
            }
        }
        return result;
    }

    private Object call(Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

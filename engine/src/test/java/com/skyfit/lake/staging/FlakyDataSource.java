package com.skyfit.lake.staging;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** A real data source that refuses its first {@code failures} connections with a chosen SQLSTATE. */
final class FlakyDataSource implements DataSource {
    private final DataSource real;
    private final int failures;
    private final String sqlState;
    final AtomicInteger calls = new AtomicInteger();

    FlakyDataSource(DataSource real, int failures, String sqlState) {
        this.real = real;
        this.failures = failures;
        this.sqlState = sqlState;
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (calls.incrementAndGet() <= failures) {
            throw new SQLException("simulated failure " + calls.get() + " (" + sqlState + ")", sqlState);
        }
        return real.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return real.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        real.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        real.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return real.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return real.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return real.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return real.isWrapperFor(iface);
    }
}

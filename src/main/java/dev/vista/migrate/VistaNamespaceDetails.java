package dev.vista.migrate;

import liquibase.parser.LiquibaseParser;
import liquibase.parser.NamespaceDetails;
import liquibase.parser.core.xml.XMLChangeLogSAXParser;
import liquibase.serializer.LiquibaseSerializer;
import liquibase.serializer.core.xml.XMLChangeLogSerializer;

/**
 * Tells Liquibase about Vista's XML namespace ({@code xmlns:vista}, {@link SyncViewsChange#NAMESPACE}): its prefix and
 * where its schema is, which Liquibase then reads from Vista's jar rather than the network. Registered in
 * {@code META-INF/services/liquibase.parser.NamespaceDetails}.
 */
public final class VistaNamespaceDetails implements NamespaceDetails {

    @Override
    public int getPriority() {
        return PRIORITY_EXTENSION;
    }

    @Override
    public boolean supports(LiquibaseSerializer serializer, String namespaceOrUrl) {
        return serializer instanceof XMLChangeLogSerializer && ours(namespaceOrUrl);
    }

    @Override
    public boolean supports(LiquibaseParser parser, String namespaceOrUrl) {
        return parser instanceof XMLChangeLogSAXParser && ours(namespaceOrUrl);
    }

    @Override
    public String getShortName(String namespaceOrUrl) {
        return "vista";
    }

    @Override
    public String getSchemaUrl(String namespaceOrUrl) {
        return SyncViewsChange.SCHEMA;
    }

    @Override
    public String[] getNamespaces() {
        return new String[] {SyncViewsChange.NAMESPACE};
    }

    private static boolean ours(String namespaceOrUrl) {
        return SyncViewsChange.NAMESPACE.equals(namespaceOrUrl) || SyncViewsChange.SCHEMA.equals(namespaceOrUrl);
    }
}

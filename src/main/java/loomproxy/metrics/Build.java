package loomproxy.metrics;

/** Which loomproxy and which Java: the jar's Implementation-Version ("dev" when run from classes). */
public final class Build {
    private Build() {}

    public static String version() {
        String v = Build.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public static String javaVersion() {
        return Runtime.version().toString();
    }
}

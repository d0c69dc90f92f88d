package loomproxy.cli;

/**
 * The jar's Main-Class: checks that this Java is 21 or later before any class that needs it loads.
 *
 * <p>On an older Java, {@code java -jar loomproxy.jar} would otherwise die with a raw
 * {@code UnsupportedClassVersionError} and exit 1, which is loomproxy's code for a configuration
 * error. This class is compiled for Java 8 (a separate execution in pom.xml) and uses nothing newer,
 * so any Java from 8 on loads it and can say what to install. {@link Main} is referenced only after
 * the check: the JVM resolves a class at its first use, not when the calling class loads.
 */
public final class Start {
    static final int REQUIRED = 21;
    /** bin/loomproxy's exit code when it finds no Java 21 or later: the same problem, the same code. */
    static final int NO_JAVA = 2;

    private Start() {
    }

    public static void main(String[] args) {
        int feature = feature(System.getProperty("java.specification.version"));
        if (feature < REQUIRED) {
            System.err.println("loomproxy: needs Java " + REQUIRED + " or later, this is Java " + feature + " ("
                    + System.getProperty("java.home") + "); install Java " + REQUIRED
                    + " or later (INSTALL.md says where from) or use the release tarball, which brings its own");
            System.exit(NO_JAVA);
        }
        Main.main(args);
    }

    /**
     * "1.8" -> 8, "17" -> 17 (java.specification.version, present since Java 1.2). Anything else
     * lets the start go on: a version this cannot read is newer, not older.
     */
    static int feature(String specification) {
        String s = specification == null ? "" : specification.trim();
        if (s.startsWith("1.")) {
            s = s.substring(2);
        }
        int dot = s.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? s : s.substring(0, dot));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}

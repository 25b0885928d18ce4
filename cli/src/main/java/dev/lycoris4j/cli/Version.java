package dev.lycoris4j.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, when running from the built jar. */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"lycoris4j " + (v == null ? "(development build)" : v)};
    }
}

/// FlowForge's release version, the one place it is written: `flowforge --version` prints it.
public enum FlowForgeVersion {
    public static let current = "0.1.0"
}

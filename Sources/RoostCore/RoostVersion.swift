/// The version every binary reports, and workers record when they register.
public enum RoostVersion {
    public static let current = "0.1.0"
}

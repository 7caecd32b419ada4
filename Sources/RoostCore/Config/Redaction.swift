/// Hides secrets inside values that are otherwise worth showing.
public enum Redaction {
    /// Replaces the password in a `postgresql://user:pw@host` URL or a `password=pw` conninfo.
    public static func databaseURL(_ text: String) -> String {
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") {
            let userInfo = text[scheme.upperBound..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                return String(text[..<colon]) + ":<redacted>" + String(text[at...])
            }
        }
        var redacted = text
        if let range = redacted.range(of: "password=") {
            let valueEnd = redacted[range.upperBound...].firstIndex { $0 == " " || $0 == "&" } ?? redacted.endIndex
            redacted.replaceSubrange(range.upperBound..<valueEnd, with: "<redacted>")
        }
        return redacted
    }

    /// librdkafka properties that hold secrets.
    public static func isSecretProperty(_ name: String) -> Bool {
        name.contains("password") || name.contains("secret") || name.hasSuffix(".key") || name.contains("token")
    }
}

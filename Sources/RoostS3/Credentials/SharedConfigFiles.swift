import Foundation

/// The AWS CLI's shared files: ~/.aws/credentials (sections `[name]`) and ~/.aws/config
/// (sections `[profile name]`, and `[default]`), moved by AWS_SHARED_CREDENTIALS_FILE and
/// AWS_CONFIG_FILE; the profile is AWS_PROFILE, else `default`.
public struct SharedConfigFiles: Sendable {
    public let profile: String
    /// Whether the profile was named (AWS_PROFILE), so its absence is an error, not a fallthrough.
    public let profileIsExplicit: Bool
    public let credentialsPath: String
    public let configPath: String

    public init(environment: [String: String]) {
        let home = environment["HOME"] ?? NSHomeDirectory()
        let named = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        profile = named ?? "default"
        profileIsExplicit = named != nil
        credentialsPath = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        configPath = environment["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
    }

    /// The profile's settings from the config file, overlaid by those in the credentials file.
    public func settings() throws -> [String: String]? {
        let config = try INIFile.load(configPath)
        let credentials = try INIFile.load(credentialsPath)
        let fromConfig = config?[profile == "default" ? "default" : "profile \(profile)"] ?? config?[profile]
        let fromCredentials = credentials?[profile]
        guard fromConfig != nil || fromCredentials != nil else { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { $1 }
    }

    public var region: String? {
        (try? settings())??["region"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// Credentials from the profile in the shared files.
public struct SharedFileCredentials: CredentialSource {
    public let files: SharedConfigFiles
    public var name: String { "shared credentials file, profile \(files.profile)" }

    public init(files: SharedConfigFiles) { self.files = files }

    public func load() async throws -> AWSCredentials? {
        guard let settings = try files.settings() else {
            if files.profileIsExplicit {
                throw AWSCredentialError("AWS_PROFILE names profile \(files.profile), which is in neither \(files.credentialsPath) nor \(files.configPath)")
            }
            return nil
        }
        guard let key = settings["aws_access_key_id"], let secret = settings["aws_secret_access_key"] else {
            if files.profileIsExplicit {
                throw AWSCredentialError("profile \(files.profile) has no aws_access_key_id and aws_secret_access_key")
            }
            return nil
        }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: settings["aws_session_token"], source: name)
    }
}

/// The INI dialect of the AWS files: `[section]`, `key = value`, `#` and `;` comments.
enum INIFile {
    /// Sections by name, or nil when the file does not exist.
    static func load(_ path: String) throws -> [String: [String: String]]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AWSCredentialError("\(path): cannot be read as UTF-8 text")
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw AWSCredentialError("\(path):\(index + 1): a section header needs a closing ]") }
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                current = name
                sections[name, default: [:]] = sections[name] ?? [:]
            } else if let equals = line.firstIndex(of: "=") {
                // Indented lines belong to nested settings (s3 = …), which Roost does not use.
                guard let section = current else { throw AWSCredentialError("\(path):\(index + 1): a setting before any [section]") }
                if rawLine.first == " " || rawLine.first == "\t" { continue }
                let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                sections[section]?[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            } else {
                throw AWSCredentialError("\(path):\(index + 1): expected [section] or key = value")
            }
        }
        return sections
    }
}

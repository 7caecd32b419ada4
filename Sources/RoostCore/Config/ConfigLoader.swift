import Foundation
import Yams

/// Reads the configuration: defaults, then the YAML file, then `ROOST_<SECTION>_<KEY>` environment
/// variables, then secret files. Every problem is a `ConfigError` naming the key and where it is.
public struct ConfigLoader: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Loads `path`; a missing file is an error only when `required` (an explicitly named file).
    public func load(path: String, required: Bool) throws -> RoostConfig {
        var values: [String: ConfigValue] = [:]
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(file: path, "cannot read the file")
            }
            values = try parse(yaml: String(decoding: data, as: UTF8.self), file: path)
        } else if required {
            throw ConfigError(file: path, "no such config file")
        }
        return try resolve(values, file: path)
    }

    /// Parses YAML text into values by key path, checking names and types.
    public func parse(yaml: String, file: String) throws -> [String: ConfigValue] {
        let root: Node?
        do {
            // Every value is read from its scalar's text (parseScalar), so no tags are resolved: the
            // default resolver compiles regular expressions (ICU) that every command would then load.
            root = try Yams.compose(yaml: yaml, .basic)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: Self.line(of: error), "invalid YAML: \(Self.summary(of: error))")
        }
        guard let root else { return [:] }
        guard let sections = root.mapping else {
            throw ConfigError(file: file, line: root.line, "the top level must be a mapping of sections")
        }
        var values: [String: ConfigValue] = [:]
        let knownSections = Set(ConfigKey.all.map(\.section))
        for (sectionNode, body) in sections {
            let section = sectionNode.string ?? ""
            guard knownSections.contains(section) else {
                throw ConfigError(file: file, line: sectionNode.line,
                                  "unknown section '\(section)' (known: \(knownSections.sorted().joined(separator: ", ")))")
            }
            if case .scalar(let scalar) = body, scalar.string.isEmpty || scalar.string == "null" { continue }
            guard let entries = body.mapping else {
                throw ConfigError(file: file, line: body.line, "section '\(section)' must be a mapping")
            }
            for (keyNode, valueNode) in entries {
                let name = keyNode.string ?? ""
                var keyName = name
                if name.hasSuffix("_file"), let key = ConfigKey.named("\(section).\(name.dropLast(5))"), key.isSecret {
                    keyName = key.name
                    guard let path = valueNode.string else {
                        throw ConfigError(file: file, line: valueNode.line, "\(section).\(name) must be a file path")
                    }
                    values[key.path] = .string(try readSecretFile(path, key: "\(section).\(name)", file: file, line: valueNode.line))
                    continue
                }
                guard let key = ConfigKey.named("\(section).\(keyName)") else {
                    let known = ConfigKey.all.filter { $0.section == section }.map(\.name).joined(separator: ", ")
                    throw ConfigError(file: file, line: keyNode.line, "unknown key '\(section).\(name)' (known in \(section): \(known))")
                }
                values[key.path] = try Self.value(of: valueNode, for: key, file: file)
            }
        }
        return values
    }

    /// Applies defaults and the environment, then builds the typed config.
    public func resolve(_ fileValues: [String: ConfigValue], file: String?) throws -> RoostConfig {
        var values: [String: ConfigValue] = [:]
        var sources: [String: String] = [:]
        for key in ConfigKey.all {
            values[key.path] = key.defaultValue
            sources[key.path] = "default"
            if let value = fileValues[key.path] {
                values[key.path] = value
                sources[key.path] = file ?? "file"
            }
            if key.isSecret, let path = environment[key.environmentName + "_FILE"] {
                values[key.path] = .string(try readSecretFile(path, key: key.environmentName + "_FILE", file: nil, line: nil))
                sources[key.path] = key.environmentName + "_FILE"
            }
            let names = [key.environmentName] + key.aliases
            if let name = names.first(where: { environment[$0] != nil }), let text = environment[name] {
                values[key.path] = try Self.value(ofEnvironment: text, for: key, variable: name)
                sources[key.path] = name
            }
        }
        return try RoostConfig(values: values, sources: sources)
    }

    private func readSecretFile(_ path: String, key: String, file: String?, line: Int?) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: file, line: line, "\(key): cannot read secret file \(path)")
        }
        return String(decoding: data, as: UTF8.self).trimmingWhitespace()
    }

    static func value(of node: Node, for key: ConfigKey, file: String) throws -> ConfigValue {
        let wrongType = ConfigError(file: file, line: node.line, "\(key.path) must be \(key.kind.name)")
        switch key.kind {
        case .stringList:
            if let items = node.sequence {
                return .stringList(try items.map { item in
                    guard let text = item.scalar?.string else { throw wrongType }
                    return text
                })
            }
            guard let text = node.scalar?.string else { throw wrongType }
            return .stringList(Self.splitList(text))
        case .stringMap:
            guard let mapping = node.mapping else { throw wrongType }
            var map: [String: String] = [:]
            for (k, v) in mapping {
                guard let name = k.string, let text = v.scalar?.string else { throw wrongType }
                map[name] = text
            }
            return .stringMap(map)
        default:
            guard let scalar = node.scalar else { throw wrongType }
            // A quoted "42" is still a string for a string key; an unquoted 42 is fine for one too.
            guard let value = parseScalar(scalar.string, kind: key.kind) else { throw wrongType }
            return value
        }
    }

    static func value(ofEnvironment text: String, for key: ConfigKey, variable: String) throws -> ConfigValue {
        switch key.kind {
        case .stringList: return .stringList(splitList(text))
        case .stringMap:
            var map: [String: String] = [:]
            for pair in splitList(text) {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else {
                    throw ConfigError("\(variable) must be a comma-separated list of key=value pairs")
                }
                map[parts[0]] = parts[1]
            }
            return .stringMap(map)
        default:
            guard let value = parseScalar(text, kind: key.kind) else {
                throw ConfigError("\(variable) (\(key.path)) must be \(key.kind.name)")
            }
            return value
        }
    }

    static func parseScalar(_ text: String, kind: ConfigKey.Kind) -> ConfigValue? {
        switch kind {
        case .string: return .string(text == "null" || text == "~" ? "" : text)
        case .int: return Int(text).map(ConfigValue.int)
        case .bool:
            switch text.lowercased() {
            case "true", "yes", "on", "1": return .bool(true)
            case "false", "no", "off", "0": return .bool(false)
            default: return nil
            }
        case .duration: return DurationParser.parse(text).map(ConfigValue.duration)
        case .stringList, .stringMap: return nil
        }
    }

    static func splitList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "\(error)"
        }
    }
}

extension Node {
    var line: Int? { mark.map(\.line) }
}
